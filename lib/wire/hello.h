/* ClientHello construction: bytes only, no I/O.
 *
 * One spec describes any hello tlsdiag sends, from an SSLv3 hello without
 * extensions to a TLS 1.3 hello with real key shares.  The result is one or
 * more complete TLS records ready for the socket. */
#ifndef TD_WIRE_HELLO_H
#define TD_WIRE_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chello.h"

enum {
    TD_HELLO_NO_EXTENSIONS    = 1u << 0,  /* an SSLv3/early-TLS style hello; every
                                             extension field of the spec is ignored */
    TD_HELLO_SCSV_RENEG       = 1u << 1,  /* append TLS_EMPTY_RENEGOTIATION_INFO_SCSV */
    TD_HELLO_SCSV_FALLBACK    = 1u << 2,  /* append TLS_FALLBACK_SCSV */
    TD_HELLO_RENEG_EXT        = 1u << 3,  /* empty renegotiation_info extension */
    TD_HELLO_EMS              = 1u << 4,
    TD_HELLO_TICKET           = 1u << 5,  /* empty session_ticket extension */
    TD_HELLO_STATUS_REQUEST   = 1u << 6,
    TD_HELLO_SCT              = 1u << 7,
    TD_HELLO_PSK_MODES        = 1u << 8,  /* psk_dhe_ke */
    TD_HELLO_EC_POINT_FORMATS = 1u << 9,  /* uncompressed only */
    TD_HELLO_ETM              = 1u << 10, /* encrypt_then_mac */
};

typedef struct td_hello_spec {
    /* Highest version offered.  For TD_TLS13 the legacy_version is 0x0303 and
     * the real list goes in supported_versions (RFC 8446 section 4.2.1). */
    uint16_t version;
    /* supported_versions list, highest first; NULL means: derived from
     * version (TLS 1.3 only -> {0x0304}); ignored below TLS 1.3 unless set. */
    const uint16_t *versions;
    size_t n_versions;
    /* Record-layer version of the hello record; 0 means 0x0301 (what real
     * clients send for TLS 1.0+), or 0x0300 for an SSLv3 hello. */
    uint16_t record_version;
    const uint16_t *suites;
    size_t n_suites;
    const uint16_t *groups;       /* supported_groups; omitted when n_groups == 0 */
    size_t n_groups;
    const uint16_t *key_shares;   /* groups to send real key shares for (TLS 1.3); may be empty */
    size_t n_key_shares;
    const uint16_t *sigalgs;      /* signature_algorithms; omitted when 0 (and below TLS 1.2) */
    size_t n_sigalgs;
    /* host_name; NULL, "" or an IP literal for none (RFC 6066 section 3
     * forbids addresses); a trailing dot is dropped */
    const char *sni;
    const char *alpn;             /* comma-separated protocol list; NULL for none */
    unsigned flags;
    /* padding extension (RFC 7685, sent last) so the ClientHello body is at
     * least this many bytes; may overshoot by up to 3 when the gap is smaller
     * than an extension header; 0 = none */
    size_t pad_to;
    const uint8_t *random;        /* 32 bytes; NULL = random */
} td_hello_spec;

/* Builds the ClientHello record(s) into out.  Returns 0, or -1 when the spec
 * is invalid (version below SSLv3, no cipher suite at all, TLS 1.3 with
 * TD_HELLO_NO_EXTENSIONS, a key_share group that cannot be generated or is
 * listed twice, a bad ALPN name) or does not fit (cap too small, field over
 * its length limit).  A handshake message over 2^14 bytes is split across
 * several records (RFC 8446 section 5.1).  key_share supports x25519, x448,
 * secp256r1/384r1/521r1, the brainpool TLS 1.3 curves and ffdhe2048..8192. */
int td_hello_build(const td_hello_spec *spec, uint8_t *out, size_t cap, size_t *out_len);

/* Builds an SSLv2-format CLIENT-HELLO (draft-hickman section "Client-Hello")
 * advertising version 0x0002 and the given 3-byte cipher specs. */
int td_hello_build_sslv2(const uint32_t *specs, size_t n_specs, uint8_t *out, size_t cap, size_t *out_len);

/* Joins the fragments of handshake records (what td_hello_build and
 * td_hello_rebuild write) into the message they carry.  False when a
 * record is not whole or not a handshake record, or msg is too small. */
bool td_hello_unframe(const uint8_t *rec, size_t len, uint8_t *msg, size_t cap, size_t *msg_len);

/* What a replayed hello changes in the captured one (td_hello_rebuild). */
typedef struct td_hello_edit {
    uint64_t drop_exts;                      /* bit i: leave out the captured hello's extension i */
    bool drop_suites[TD_CHELLO_MAX_SUITES];  /* by position in the captured cipher_suites */
    uint16_t drop_group;                     /* leave out of supported_groups and key_share; 0: none */
    bool drop_sigalgs[TD_CHELLO_MAX_LIST];   /* by position in the captured signature_algorithms */
    bool no_padding;                         /* leave the padding extension out: a smaller hello */
    const char *sni;                         /* NULL: the captured server_name; "": none; else this name */
    const uint8_t *random;                   /* 32 bytes; NULL: fresh */
    const uint8_t *session_id;               /* as long as the captured one; NULL: fresh */
} td_hello_edit;

/* Builds, as TLS records (record version 0x0301), a fresh ClientHello
 * with the captured hello's offer: its legacy_version, cipher suites,
 * compression methods and extensions in their order and with their bytes,
 * except that
 *   - random and session id are fresh (the session id as long as the
 *     captured one, which a server cannot know: no resumption);
 *   - key_share carries fresh shares for the same groups, in the same
 *     order (a group tlsdiag cannot generate, GREASE among them, keeps the
 *     captured bytes: a public value alone lets nobody decrypt anything);
 *   - pre_shared_key and early_data are left out, and session_ticket is
 *     sent empty (asking for a ticket, presenting none);
 *   - padding is resized so that the hello keeps the captured size;
 * and then the edit applied.  Returns 0, or -1 for a hello it cannot
 * rebuild (SSLv2 format, a list cut at its cap, no cipher suite left) or
 * a cap too small. */
int td_hello_rebuild(const td_chello *h, const td_hello_edit *edit, uint8_t *out, size_t cap, size_t *out_len);

#endif
