/* A received ClientHello, parsed: bytes only, no I/O.
 *
 * What a captured client offered (RFC 8446 section 4.1.2, RFC 5246 section
 * 7.4.1.2), field by field and extension by extension, with the extensions
 * a diagnosis reads decoded.  Every list has a fixed cap; a list longer
 * than its cap keeps its first entries and sets its "truncated" flag, so a
 * hostile hello costs no allocation.  Also the SSLv2-compatible
 * CLIENT-HELLO (RFC 5246 appendix E.2) old clients open with.
 *
 * GREASE values (RFC 8701) are kept where they stand: fingerprints drop
 * them, a replay sends them. */
#ifndef TD_WIRE_CHELLO_H
#define TD_WIRE_CHELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

#define TD_CHELLO_MAX_SUITES  512
#define TD_CHELLO_MAX_EXTS    64
#define TD_CHELLO_MAX_LIST    64   /* versions, groups, sigalgs, shares, point formats */
#define TD_CHELLO_MAX_COMP    16
#define TD_CHELLO_MAX_NAME    256  /* server_name, with its NUL */
#define TD_CHELLO_MAX_ALPN    256  /* the ALPN list as text, with its NUL */
#define TD_CHELLO_ERROR_LEN   200

/* One extension as sent: its type and a view of its body in the caller's
 * bytes (valid as long as those are). */
typedef struct td_chello_ext {
    uint16_t type;
    td_rd body;
} td_chello_ext;

typedef struct td_chello {
    bool sslv2;                /* an SSLv2-compatible CLIENT-HELLO */
    size_t size;               /* the whole message (SSLv2: the record), header included */

    uint16_t legacy_version;   /* client_version / legacy_version */
    uint8_t random[32];        /* SSLv2: the challenge, right-aligned, zero-padded (E.2) */
    uint8_t session_id[32];
    size_t session_id_len;

    /* cipher_suites in order; for SSLv2 the V2CipherSpecs that are TLS
     * suites (first byte 0), and n_v2_only counts the rest */
    uint16_t suites[TD_CHELLO_MAX_SUITES];
    size_t n_suites;
    bool suites_truncated;
    size_t n_v2_only;

    uint8_t compressions[TD_CHELLO_MAX_COMP];
    size_t n_compressions;
    bool compressions_truncated;

    /* extensions in order; has_extensions false when the block is absent
     * altogether (RFC 5246 section 7.4.1.2) */
    bool has_extensions;
    td_chello_ext exts[TD_CHELLO_MAX_EXTS];
    size_t n_exts;
    bool exts_truncated;

    /* server_name (RFC 6066 section 3): the host_name, "" when none;
     * sni_truncated when it did not fit */
    bool has_sni;
    char sni[TD_CHELLO_MAX_NAME];
    bool sni_truncated;

    /* application_layer_protocol_negotiation (RFC 7301): the names joined
     * with commas, and the first name as sent */
    bool has_alpn;
    char alpn[TD_CHELLO_MAX_ALPN];
    bool alpn_truncated;
    uint8_t alpn_first[255];
    size_t alpn_first_len;

    uint16_t versions[TD_CHELLO_MAX_LIST];   /* supported_versions; 0 entries: absent */
    size_t n_versions;
    bool versions_truncated;
    bool has_groups;
    uint16_t groups[TD_CHELLO_MAX_LIST];     /* supported_groups */
    size_t n_groups;
    bool groups_truncated;
    bool has_key_share;
    uint16_t share_groups[TD_CHELLO_MAX_LIST]; /* key_share entries: group and */
    uint16_t share_lens[TD_CHELLO_MAX_LIST];   /* key_exchange length */
    size_t n_shares;
    bool shares_truncated;
    bool has_sigalgs;
    uint16_t sigalgs[TD_CHELLO_MAX_LIST];    /* signature_algorithms */
    size_t n_sigalgs;
    bool sigalgs_truncated;
    bool has_point_formats;
    uint8_t point_formats[TD_CHELLO_MAX_LIST]; /* ec_point_formats */
    size_t n_point_formats;
    bool point_formats_truncated;

    bool psk;                  /* pre_shared_key */
    bool early_data;
    bool session_ticket;       /* the extension is there ... */
    size_t ticket_len;         /* ... carrying a ticket of this size (0: asks for one) */
    bool has_padding;
    size_t padding_len;

    /* Why parsing failed: where ("ClientHello offset 43: ...") and the rule
     * broken, "(RFC ... section ...)". */
    char error[TD_CHELLO_ERROR_LEN];

    /* internal: the message being parsed, for the offsets in error */
    td_rd msg;
    const char *msg_name;
} td_chello;

/* Parses one ClientHello handshake message, its 4-byte header included
 * (HandshakeType client_hello(1), uint24 length), as reassembled from
 * however many records carried it.  True when it is well formed, with
 * nothing left over; false with h->error set (the fields parsed before the
 * fault stay filled in). */
bool td_chello_parse(td_chello *h, const uint8_t *msg, size_t len);

/* Whether a record starts like an SSLv2-compatible CLIENT-HELLO: the high
 * bit of the 2-byte length set, and msg_type 1 (RFC 5246 appendix E.2). */
bool td_chello_is_sslv2(const uint8_t *rec, size_t len);

/* Parses one SSLv2-compatible CLIENT-HELLO record, its 2-byte header
 * included, exactly: the same contract as td_chello_parse. */
bool td_chello_parse_sslv2(td_chello *h, const uint8_t *rec, size_t len);

/* The highest version the hello offers: the highest non-GREASE entry of
 * supported_versions when present (RFC 8446 section 4.2.1), else
 * legacy_version. */
uint16_t td_chello_max_version(const td_chello *h);

/* Whether a 16-bit value is one of the RFC 8701 GREASE values (0x?a?a). */
bool td_grease(uint16_t v);

/* The extension of that type, or NULL. */
const td_chello_ext *td_chello_ext_find(const td_chello *h, uint16_t type);

#endif
