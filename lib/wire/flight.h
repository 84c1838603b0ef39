/* The server's first flight, parsed incrementally: bytes only, no I/O.
 *
 * The scheduler hands every chunk it reads to td_flight_feed(); the parser
 * answers TD_FEED_MORE (want read) until it has what a probe needs:
 *   - TLS 1.3 ServerHello or HelloRetryRequest: done at the ServerHello
 *     (everything after it is encrypted);
 *   - TLS 1.2 and below: done at ServerHelloDone;
 *   - an alert: done (a warning alert before ServerHello is recorded too);
 *   - an SSLv2 SERVER-HELLO: done at the end of that record;
 *   - bytes that are not TLS: done as soon as that is certain (NOT_TLS),
 *     keeping the first bytes as evidence;
 *   - malformed TLS: done with TD_FEED_ERROR and a reason.
 * Records may be fragmented or coalesced (RFC 8446 section 5.1): handshake
 * messages are reassembled across records before they are parsed. */
#ifndef TD_WIRE_FLIGHT_H
#define TD_WIRE_FLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "tls.h"

#define TD_FLIGHT_MAX_BYTES   (256u * 1024u) /* a first flight larger than this is an error */
/* Bytes all the re-parses of one flight may walk together.  A flight cut
 * into 1-byte records (legal: RFC 5246 section 6.2.1) is re-parsed a few
 * times per handshake message and stays far below; 256 KiB of warning
 * alerts trickled one record a read would cost gigabytes. */
#define TD_FLIGHT_MAX_REPARSE (64u * TD_FLIGHT_MAX_BYTES)
#define TD_FLIGHT_MAX_CERTS   16
#define TD_FLIGHT_MAX_CANAMES 32
#define TD_FLIGHT_MAX_EXTS    32
#define TD_FLIGHT_MAX_V2SPECS 32
#define TD_FLIGHT_FIRST_BYTES 64
#define TD_FLIGHT_ERROR_LEN   200

typedef enum {
    TD_FEED_MORE,  /* want read */
    TD_FEED_DONE,  /* have the answer; see kind */
    TD_FEED_ERROR  /* malformed or oversized input; see error */
} td_feed;

typedef enum {
    TD_FLIGHT_NONE,       /* nothing conclusive yet */
    TD_FLIGHT_HELLO,      /* ServerHello (any version) */
    TD_FLIGHT_HRR,        /* HelloRetryRequest, RFC 8446 section 4.1.4 */
    TD_FLIGHT_ALERT,      /* an alert before any ServerHello */
    TD_FLIGHT_SSLV2,      /* SSLv2 SERVER-HELLO */
    TD_FLIGHT_NOT_TLS,    /* the peer speaks something else */
    TD_FLIGHT_MALFORMED   /* TLS framing but broken content */
} td_flight_kind;

/* Says which key exchange and authentication a cipher suite uses, false
 * for a suite it does not know.  The parser needs it to read a
 * ServerKeyExchange (RFC 5246 section 7.4.3) but knows no cipher suites:
 * the caller passes lib/registry's td_suite_kx. */
typedef bool (*td_suite_kx_fn)(uint16_t suite, td_kx *kx, td_auth *auth);

typedef struct td_blob {
    const uint8_t *p; /* points into the flight's own buffers: valid until the
                         next feed, eof or free */
    size_t len;
} td_blob;

/* Every feed re-parses all bytes received so far, so the fields below always
 * describe the whole prefix: kind says what has been parsed (HELLO as soon as
 * a ServerHello is in, even while a TLS 1.2 flight is still incomplete), and
 * the feed result says whether that is the final answer.  After an error,
 * kind is MALFORMED and the fields parsed before the fault stay filled in. */
typedef struct td_flight {
    td_flight_kind kind;

    /* ServerHello (RFC 8446 section 4.1.3, RFC 5246 section 7.4.1.3) */
    uint16_t legacy_version;   /* server_version field */
    uint16_t version;          /* negotiated: supported_versions if present, else legacy */
    uint16_t record_version;   /* version of the first record; TD_SSL2 for an SSLv2 reply */
    uint8_t random[32];
    uint8_t session_id_len;
    uint16_t suite;
    uint8_t compression;
    uint16_t group;            /* key_share (ServerHello) or selected_group (HRR); 0 = none */
    /* Offsets, in the ServerHello body, of the supported_versions and
     * key_share fields version and group came from (0: none), so that a
     * check of the answer against the offer can say where it failed. */
    size_t version_at, group_at;
    uint8_t downgrade;         /* 0, or 0x12 / 0x11 for the RFC 8446 4.1.3 sentinels (DOWNGRD\x01 / \x00) */
    uint16_t exts[TD_FLIGHT_MAX_EXTS]; /* extension types in the ServerHello, in order */
    size_t n_exts;
    bool reneg_info;           /* renegotiation_info present */
    bool reneg_info_empty;     /* ... and its renegotiated_connection is empty (RFC 5746 3.4) */
    bool ems;
    bool ticket_ext;
    bool status_request;
    char alpn[64];             /* selected protocol, "" when none */

    /* Certificate (TLS 1.2 and below), in the order sent; certificates past
     * TD_FLIGHT_MAX_CERTS are checked for framing but not kept */
    td_blob certs[TD_FLIGHT_MAX_CERTS];
    size_t n_certs;
    bool cert_status;          /* CertificateStatus (stapled OCSP) seen */

    /* ServerKeyExchange */
    bool has_ske;
    uint16_t ske_group;        /* ECDHE named curve */
    size_t ske_group_at;       /* its offset in the ServerKeyExchange body */
    uint16_t dh_bits;          /* DHE prime size in bits (saturates at 65535) */
    uint16_t ske_sigalg;       /* TLS 1.2 signature scheme, 0 if absent */

    /* CertificateRequest (TLS 1.2 and below) */
    bool cert_request;
    td_blob ca_names[TD_FLIGHT_MAX_CANAMES]; /* DER DistinguishedName; the first
                                                TD_FLIGHT_MAX_CANAMES only */
    size_t n_ca_names;

    bool hello_done;

    /* Alert (RFC 8446 section 6): the first one seen, except that a fatal
     * alert or close_notify replaces an earlier warning.  A warning does not
     * end the flight; anything else does.  An SSLv2 ERROR message (when an
     * SSLv2 hello was offered) is reported as a fatal alert with record_version
     * TD_SSL2: NO-CIPHER as handshake_failure(40), NO-CERTIFICATE as
     * no_certificate(41), BAD-CERTIFICATE as bad_certificate(42),
     * UNSUPPORTED-CERTIFICATE-TYPE as unsupported_certificate(43). */
    bool alert;
    uint8_t alert_level;
    uint8_t alert_desc;

    /* SSLv2 SERVER-HELLO */
    uint16_t v2_version;
    uint32_t v2_specs[TD_FLIGHT_MAX_V2SPECS]; /* the first TD_FLIGHT_MAX_V2SPECS */
    size_t n_v2_specs;
    td_blob v2_cert;

    /* Evidence: the first bytes received, whatever they were */
    uint8_t first[TD_FLIGHT_FIRST_BYTES];
    size_t n_first;
    size_t total;              /* bytes received in all */

    /* Why MALFORMED / TD_FEED_ERROR: where ("ServerHello offset 35: ...",
     * "record at offset 0: ...", "Certificate message: certificate 3 is
     * not DER at offset 17: ...") and the rule broken, "(RFC ... section
     * ...)". */
    char error[TD_FLIGHT_ERROR_LEN];

    /* internal */
    uint8_t *buf;              /* every byte received, up to TD_FLIGHT_MAX_BYTES */
    size_t buf_len, buf_cap;
    uint8_t *hs;               /* handshake messages reassembled from records */
    size_t hs_cap;
    size_t parse_need;         /* buf_len at which re-parsing can change a MORE */
    size_t hs_wait;            /* handshake bytes a fragmented message still lacks */
    size_t scan;               /* end of the whole records walked while waiting for them */
    size_t reparsed;           /* bytes walked by all parses so far */
    td_rd msg;                 /* the message being parsed, for the offsets in error */
    const char *msg_name;
    bool sslv2_offered;
    td_suite_kx_fn suite_kx;
} td_flight;

/* sslv2_offered: the hello was SSLv2-format, so an SSLv2 reply is expected.
 * suite_kx: the key exchange of the suite the server picks (never NULL). */
void td_flight_init(td_flight *f, bool sslv2_offered, td_suite_kx_fn suite_kx);
td_feed td_flight_feed(td_flight *f, const uint8_t *data, size_t len);
/* The peer closed.  Returns DONE when what arrived is conclusive (e.g. a
 * short banner that is not TLS, a warning alert, or a TLS 1.2 ServerHello
 * whose flight stopped before ServerHelloDone: see hello_done), MORE when
 * nothing or too little arrived, ERROR when a record or handshake message
 * was cut short. */
td_feed td_flight_eof(td_flight *f);
void td_flight_free(td_flight *f);

/* The single-message parsers, exposed for unit tests and fuzz targets.
 * Each takes exactly one message body and returns false (with f->error set)
 * when it is malformed or has bytes left over. */
bool td_parse_server_hello(td_rd *body, td_flight *f);
bool td_parse_certificate(td_rd *body, td_flight *f);           /* TLS 1.2 and below */
bool td_parse_server_key_exchange(td_rd *body, td_flight *f);   /* uses f->suite, f->version
                                                                   and f->suite_kx */
bool td_parse_cert_request(td_rd *body, td_flight *f);          /* TLS 1.0 - 1.2 format */
bool td_parse_alert(td_rd *body, td_flight *f);
bool td_parse_sslv2_server_hello(td_rd *record_body, td_flight *f);

/* Whether one handshake message (its 4-byte header included) is a
 * HelloRetryRequest: a ServerHello with the RFC 8446 section 4.1.3
 * random.  For code that sees messages one by one (an OpenSSL message
 * callback). */
bool td_flight_is_hrr(const uint8_t *msg, size_t len);

/* Names the protocol when the bytes are not TLS: "HTTP", "SSH", "SMTP",
 * "FTP", "IMAP", "POP3", "SMTP/FTP" (a bare "220" greeting), or NULL for
 * unrecognised bytes. */
const char *td_sniff_protocol(const uint8_t *p, size_t n);

#endif
