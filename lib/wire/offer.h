/* What one ClientHello offered, kept beside its answer so that the answer
 * can be held to it: a server chooses among what the client offered, or it
 * breaks the protocol (RFC 8446 section 4.1.3, RFC 5246 section 7.4.1.3).
 * Bytes only, no I/O. */
#ifndef TD_WIRE_OFFER_H
#define TD_WIRE_OFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chello.h"
#include "flight.h"
#include "hello.h"

#define TD_OFFER_MAX_VERSIONS 16
#define TD_OFFER_MAX_SUITES   512
#define TD_OFFER_MAX_GROUPS   64
#define TD_OFFER_MAX_SHARES   16

typedef struct td_offer {
    uint16_t client_version;   /* ClientHello.legacy_version as sent */
    /* supported_versions as sent; n_versions 0: the extension was not sent */
    uint16_t versions[TD_OFFER_MAX_VERSIONS];
    size_t n_versions;
    /* cipher_suites without the signalling values (RFC 5746 section 3.3,
     * RFC 7507 section 2), which no server may select; suites_kept is
     * false when the hello listed more than fit, and the suite is then
     * not checked */
    uint16_t suites[TD_OFFER_MAX_SUITES];
    size_t n_suites;
    bool suites_kept;
    /* supported_groups as sent (n_groups 0: not sent), and the groups the
     * key_share extension carried shares for */
    uint16_t groups[TD_OFFER_MAX_GROUPS];
    size_t n_groups;
    bool groups_kept;
    uint16_t shares[TD_OFFER_MAX_SHARES];
    size_t n_shares;
} td_offer;

/* Records what td_hello_build(spec) puts on the wire. */
void td_offer_from_spec(td_offer *o, const td_hello_spec *spec);

/* Records what a received ClientHello offered (a capture's, a replay's);
 * the SSLv2-format hello's TLS suites too. */
void td_offer_from_chello(td_offer *o, const td_chello *h);

/* Holds a parsed first flight whose kind is HELLO or HRR to the offer:
 * the version, the suite and the group the server chose.  Returns true
 * when they fit; false with err set to the message, the offset of the
 * field, what was chosen and the rule broken, e.g. "ServerHello offset 35:
 * selects cipher suite 0xC0FF, which the ClientHello did not offer (RFC
 * 8446 section 4.1.3 / RFC 5246 section 7.4.1.3)".  Other kinds pass. */
bool td_offer_check(const td_offer *o, const td_flight *f, char *err, size_t cap);

#endif
