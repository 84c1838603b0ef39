/* ClientHello construction (RFC 8446 section 4.1.2, RFC 5246 section
 * 7.4.1.2, RFC 6101 section 5.6.1.2) and the SSLv2 CLIENT-HELLO.
 *
 * Everything is written through td_wr, whose length prefixes are filled in on
 * close and which fails for good on any overflow, so a field over its limit
 * surfaces as a single -1 at the end rather than a corrupt hello. */
#include "hello.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "alpn.h"
#include "bytes.h"
#include "tls.h"

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "the key_share generator needs the OpenSSL 3 EVP interfaces"
#endif

/* RFC 8446 section 5.1: a TLSPlaintext fragment is at most 2^14 bytes. */
#define MAX_FRAGMENT 16384u
#define RECORD_HEADER 5u
/* The largest key_share value we generate: ffdhe8192, 1024 bytes. */
#define MAX_SHARE 1024u

static bool contains(const uint16_t *list, size_t n, uint16_t v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return true;
    return false;
}

/* ---- key shares ---- */

static int raw_public(EVP_PKEY *pk, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = cap;
    if (EVP_PKEY_get_raw_public_key(pk, out, &n) != 1)
        return -1;
    *len = n;
    return 0;
}

static int ecx_share(const char *type, size_t want, uint8_t *out, size_t cap, size_t *len)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, type);
    if (!pk)
        return -1;
    int rc = raw_public(pk, out, cap, len);
    EVP_PKEY_free(pk);
    return rc == 0 && *len == want ? 0 : -1;
}

/* RFC 8446 section 4.2.8.2: an uncompressed point, 0x04 || X || Y. */
static int ec_share(const char *curve, size_t want, uint8_t *out, size_t cap, size_t *len)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
    if (!pk)
        return -1;
    size_t n = 0;
    int rc = -1;
    if (EVP_PKEY_set_utf8_string_param(pk, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                       OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) == 1 &&
        EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, cap, &n) == 1 &&
        n == want && out[0] == 0x04) {
        *len = n;
        rc = 0;
    }
    EVP_PKEY_free(pk);
    return rc;
}

/* RFC 8446 section 4.2.8.1: Y as a big-endian integer left-padded with
 * zeros to the size of p. */
static int ffdhe_share(const char *group, size_t plen, uint8_t *out, size_t cap, size_t *len)
{
    if (plen > cap)
        return -1;
    int rc = -1;
    EVP_PKEY *pk = NULL;
    BIGNUM *y = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    if (!ctx)
        return -1;
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_CTX_set_params(ctx, params) == 1 &&
        EVP_PKEY_generate(ctx, &pk) == 1 &&
        EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PUB_KEY, &y) == 1 &&
        BN_bn2binpad(y, out, (int)plen) == (int)plen) {
        *len = plen;
        rc = 0;
    }
    BN_free(y);
    EVP_PKEY_free(pk);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

/* Generates a fresh public value for one group.  The private half is thrown
 * away: a probe never gets past the ServerHello, so it never needs it. */
static int make_share(uint16_t group, uint8_t *out, size_t cap, size_t *len)
{
    switch (group) {
    case TD_GROUP_SECP256R1: return ec_share("P-256", 65, out, cap, len);
    case TD_GROUP_SECP384R1: return ec_share("P-384", 97, out, cap, len);
    case TD_GROUP_SECP521R1: return ec_share("P-521", 133, out, cap, len);
    case TD_GROUP_X25519: return ecx_share("X25519", 32, out, cap, len);
    case TD_GROUP_X448: return ecx_share("X448", 56, out, cap, len);
    /* RFC 8734: brainpool curves for TLS 1.3 */
    case TD_GROUP_BRAINPOOLP256R1TLS13: return ec_share("brainpoolP256r1", 65, out, cap, len);
    case TD_GROUP_BRAINPOOLP384R1TLS13: return ec_share("brainpoolP384r1", 97, out, cap, len);
    case TD_GROUP_BRAINPOOLP512R1TLS13: return ec_share("brainpoolP512r1", 129, out, cap, len);
    /* RFC 7919 groups */
    case TD_GROUP_FFDHE2048: return ffdhe_share("ffdhe2048", 256, out, cap, len);
    case TD_GROUP_FFDHE3072: return ffdhe_share("ffdhe3072", 384, out, cap, len);
    case TD_GROUP_FFDHE4096: return ffdhe_share("ffdhe4096", 512, out, cap, len);
    case TD_GROUP_FFDHE6144: return ffdhe_share("ffdhe6144", 768, out, cap, len);
    case TD_GROUP_FFDHE8192: return ffdhe_share("ffdhe8192", 1024, out, cap, len);
    default: return -1;
    }
}

/* ---- extensions ---- */

static bool is_ip_literal(const char *s)
{
    unsigned char tmp[sizeof(struct in6_addr)];
    return strchr(s, ':') != NULL || inet_pton(AF_INET, s, tmp) == 1;
}

static void ext_server_name(td_wr *w, const char *sni)
{
    size_t n = strlen(sni);
    /* RFC 6066 section 3: HostName is "without a trailing dot". */
    if (n > 0 && sni[n - 1] == '.')
        n--;
    if (n == 0)
        return;
    td_wr_u16(w, TD_EXT_SERVER_NAME);
    td_wr_open(w, 2);
    td_wr_open(w, 2);        /* ServerNameList<1..2^16-1> */
    td_wr_u8(w, 0);          /* name_type host_name */
    td_wr_open(w, 2);        /* HostName<1..2^16-1> */
    td_wr_bytes(w, sni, n);
    td_wr_close(w);
    td_wr_close(w);
    td_wr_close(w);
}

static void ext_u16_list(td_wr *w, uint16_t type, const uint16_t *v, size_t n)
{
    td_wr_u16(w, type);
    td_wr_open(w, 2);
    td_wr_open(w, 2);
    for (size_t i = 0; i < n; i++)
        td_wr_u16(w, v[i]);
    td_wr_close(w);
    td_wr_close(w);
}

static void ext_empty(td_wr *w, uint16_t type)
{
    td_wr_u16(w, type);
    td_wr_u16(w, 0);
}

/* An empty name or one over 255 bytes makes the spec invalid rather than
 * being silently dropped. */
static int ext_alpn(td_wr *w, const char *list)
{
    td_wr_u16(w, TD_EXT_ALPN);
    td_wr_open(w, 2);
    td_wr_open(w, 2); /* ProtocolNameList, RFC 7301 section 3.1 */
    bool ok = td_alpn_write(w, list);
    td_wr_close(w);
    td_wr_close(w);
    return ok ? 0 : -1;
}

static int ext_key_share(td_wr *w, const uint16_t *groups, size_t n)
{
    uint8_t share[MAX_SHARE];
    td_wr_u16(w, TD_EXT_KEY_SHARE);
    td_wr_open(w, 2);
    td_wr_open(w, 2);        /* client_shares<0..2^16-1> */
    for (size_t i = 0; i < n; i++) {
        /* RFC 8446 section 4.2.8: no two KeyShareEntry values for one group. */
        if (contains(groups, i, groups[i]))
            return -1;
        size_t len = 0;
        if (make_share(groups[i], share, sizeof share, &len) != 0)
            return -1;
        td_wr_u16(w, groups[i]);
        td_wr_open(w, 2);    /* key_exchange<1..2^16-1> */
        td_wr_bytes(w, share, len);
        td_wr_close(w);
    }
    td_wr_close(w);
    td_wr_close(w);
    return 0;
}

static void ext_supported_versions(td_wr *w, const td_hello_spec *spec)
{
    td_wr_u16(w, TD_EXT_SUPPORTED_VERSIONS);
    td_wr_open(w, 2);
    td_wr_open(w, 1);        /* versions<2..254> */
    if (spec->versions && spec->n_versions > 0) {
        for (size_t i = 0; i < spec->n_versions; i++)
            td_wr_u16(w, spec->versions[i]);
    } else {
        td_wr_u16(w, spec->version);
    }
    td_wr_close(w);
    td_wr_close(w);
}

/* RFC 7685: pads the ClientHello body up to at least pad_to bytes.  body_len
 * counts what is already written, including the open extensions prefix.
 * When fewer than the 4 bytes of an extension header are missing, the empty
 * extension overshoots slightly, which still reaches the target. */
static void ext_padding(td_wr *w, size_t body_len, size_t pad_to)
{
    if (pad_to <= body_len)
        return;
    size_t need = pad_to - body_len;
    size_t fill = need >= 4 ? need - 4 : 0;
    if (fill > 0xffff) {
        w->err = true;
        return;
    }
    td_wr_u16(w, TD_EXT_PADDING);
    td_wr_open(w, 2);
    td_wr_zeros(w, fill);
    td_wr_close(w);
}

static int write_extensions(td_wr *w, const td_hello_spec *spec, size_t body_start, bool offers13)
{
    size_t ext_start = w->len;
    td_wr_open(w, 2);

    if (spec->sni && spec->sni[0] && !is_ip_literal(spec->sni))
        ext_server_name(w, spec->sni);
    if (spec->n_groups > 0) {
        if (!spec->groups)
            return -1;
        ext_u16_list(w, TD_EXT_SUPPORTED_GROUPS, spec->groups, spec->n_groups);
    }
    if (spec->flags & TD_HELLO_EC_POINT_FORMATS) {
        /* RFC 8422 section 5.1.2: ECPointFormatList<1..2^8-1>, uncompressed */
        td_wr_u16(w, TD_EXT_EC_POINT_FORMATS);
        td_wr_u16(w, 2);
        td_wr_u8(w, 1);
        td_wr_u8(w, 0);
    }
    /* RFC 5246 section 7.4.1.4.1: not meaningful before TLS 1.2. */
    if (spec->n_sigalgs > 0 && spec->version >= TD_TLS12) {
        if (!spec->sigalgs)
            return -1;
        ext_u16_list(w, TD_EXT_SIGNATURE_ALGS, spec->sigalgs, spec->n_sigalgs);
    }
    if (spec->alpn && spec->alpn[0] && ext_alpn(w, spec->alpn) != 0)
        return -1;
    if (spec->flags & TD_HELLO_STATUS_REQUEST) {
        /* RFC 6066 section 8: ocsp(1), empty responder_id_list and
         * request_extensions */
        td_wr_u16(w, TD_EXT_STATUS_REQUEST);
        td_wr_u16(w, 5);
        td_wr_u8(w, 1);
        td_wr_u16(w, 0);
        td_wr_u16(w, 0);
    }
    if (spec->flags & TD_HELLO_SCT)
        ext_empty(w, TD_EXT_SCT);               /* RFC 6962 section 3.3.1 */
    if (spec->flags & TD_HELLO_ETM)
        ext_empty(w, TD_EXT_ENCRYPT_THEN_MAC);  /* RFC 7366 section 2 */
    if (spec->flags & TD_HELLO_EMS)
        ext_empty(w, TD_EXT_EMS);               /* RFC 7627 section 5.1 */
    if (spec->flags & TD_HELLO_TICKET)
        ext_empty(w, TD_EXT_SESSION_TICKET);    /* RFC 5077 section 3.2 */
    if (offers13 || (spec->versions && spec->n_versions > 0))
        ext_supported_versions(w, spec);
    if (spec->flags & TD_HELLO_PSK_MODES) {
        /* RFC 8446 section 4.2.9: ke_modes<1..255> = { psk_dhe_ke } */
        td_wr_u16(w, TD_EXT_PSK_MODES);
        td_wr_u16(w, 2);
        td_wr_u8(w, 1);
        td_wr_u8(w, 1);
    }
    if (offers13) {
        if (spec->n_key_shares > 0 && !spec->key_shares)
            return -1;
        if (ext_key_share(w, spec->key_shares, spec->n_key_shares) != 0)
            return -1;
    }
    if (spec->flags & TD_HELLO_RENEG_EXT) {
        /* RFC 5746 section 3.4: an initial handshake carries an empty
         * renegotiated_connection */
        td_wr_u16(w, TD_EXT_RENEGOTIATION_INFO);
        td_wr_u16(w, 1);
        td_wr_u8(w, 0);
    }
    if (spec->pad_to > 0 && !w->err)
        ext_padding(w, w->len - body_start, spec->pad_to);

    td_wr_close(w);
    /* RFC 5246 section 7.4.1.2: a hello without extensions simply ends after
     * compression_methods; an empty block would needlessly trip old servers. */
    if (!w->err && w->len == ext_start + 2)
        w->len = ext_start;
    return 0;
}

/* Splits one handshake message, already written after a single record
 * header's worth of space, into records of at most 2^14 bytes each (RFC 8446
 * section 5.1).  Chunks are moved back to front so none is overwritten
 * before it has moved. */
static int frame_records(uint8_t *out, size_t cap, size_t msg_len, uint16_t rec_version, size_t *out_len)
{
    size_t n_rec = (msg_len + MAX_FRAGMENT - 1) / MAX_FRAGMENT;
    if (n_rec == 0)
        return -1;
    if (msg_len > cap || n_rec * RECORD_HEADER > cap - msg_len)
        return -1;
    for (size_t i = n_rec; i-- > 0;) {
        size_t off = i * MAX_FRAGMENT;
        size_t chunk = msg_len - off < MAX_FRAGMENT ? msg_len - off : MAX_FRAGMENT;
        size_t dst = off + (i + 1) * RECORD_HEADER;
        memmove(out + dst, out + RECORD_HEADER + off, chunk);
        uint8_t *h = out + dst - RECORD_HEADER;
        h[0] = TD_CT_HANDSHAKE;
        h[1] = (uint8_t)(rec_version >> 8);
        h[2] = (uint8_t)rec_version;
        h[3] = (uint8_t)(chunk >> 8);
        h[4] = (uint8_t)chunk;
    }
    *out_len = msg_len + n_rec * RECORD_HEADER;
    return 0;
}

int td_hello_build(const td_hello_spec *spec, uint8_t *out, size_t cap, size_t *out_len)
{
    if (!spec || !out || !out_len || cap < RECORD_HEADER)
        return -1;
    /* SSLv2 has its own format: td_hello_build_sslv2. */
    if (spec->version < TD_SSL3)
        return -1;
    if (spec->n_suites > 0 && !spec->suites)
        return -1;
    bool offers13 = spec->version >= TD_TLS13;
    bool no_ext = (spec->flags & TD_HELLO_NO_EXTENSIONS) != 0;
    /* RFC 8446 section 4.2.1: TLS 1.3 can only be offered in
     * supported_versions, which needs extensions. */
    if (offers13 && no_ext)
        return -1;

    uint16_t rec_version = spec->record_version;
    if (rec_version == 0)
        rec_version = spec->version == TD_SSL3 ? TD_SSL3 : TD_TLS10;

    td_wr w;
    td_wr_init(&w, out + RECORD_HEADER, cap - RECORD_HEADER);
    td_wr_u8(&w, TD_HS_CLIENT_HELLO);
    td_wr_open(&w, 3);
    size_t body_start = w.len;

    /* RFC 8446 section 4.1.2: legacy_version is capped at TLS 1.2. */
    td_wr_u16(&w, spec->version < TD_TLS12 ? spec->version : TD_TLS12);

    uint8_t random[32];
    if (spec->random)
        memcpy(random, spec->random, sizeof random);
    else if (RAND_bytes(random, sizeof random) != 1)
        return -1;
    td_wr_bytes(&w, random, sizeof random);

    /* RFC 8446 appendix D.4: a non-empty legacy_session_id makes a TLS 1.3
     * hello look like a resumption attempt to middleboxes. */
    if (offers13) {
        uint8_t sid[32];
        if (RAND_bytes(sid, sizeof sid) != 1)
            return -1;
        td_wr_u8(&w, sizeof sid);
        td_wr_bytes(&w, sid, sizeof sid);
    } else {
        td_wr_u8(&w, 0);
    }

    /* RFC 5246 section 7.4.1.2: cipher_suites<2..2^16-2> */
    size_t n_suites = spec->n_suites;
    td_wr_open(&w, 2);
    for (size_t i = 0; i < spec->n_suites; i++)
        td_wr_u16(&w, spec->suites[i]);
    if ((spec->flags & TD_HELLO_SCSV_RENEG) && !contains(spec->suites, spec->n_suites, TD_SCSV_RENEGOTIATION)) {
        td_wr_u16(&w, TD_SCSV_RENEGOTIATION);
        n_suites++;
    }
    if ((spec->flags & TD_HELLO_SCSV_FALLBACK) && !contains(spec->suites, spec->n_suites, TD_SCSV_FALLBACK)) {
        td_wr_u16(&w, TD_SCSV_FALLBACK);
        n_suites++;
    }
    td_wr_close(&w);
    if (n_suites == 0)
        return -1;

    /* compression_methods<1..2^8-1> = { null } */
    td_wr_u8(&w, 1);
    td_wr_u8(&w, 0);

    if (!no_ext && write_extensions(&w, spec, body_start, offers13) != 0)
        return -1;

    td_wr_close(&w);
    if (!td_wr_ok(&w))
        return -1;
    return frame_records(out, cap, w.len, rec_version, out_len);
}

int td_hello_build_sslv2(const uint32_t *specs, size_t n_specs, uint8_t *out, size_t cap, size_t *out_len)
{
    /* draft-hickman: CIPHER-SPECS-LENGTH must be non-zero. */
    if (!specs || n_specs == 0 || !out || !out_len)
        return -1;
    uint8_t challenge[16];
    if (RAND_bytes(challenge, sizeof challenge) != 1)
        return -1;

    size_t body_len = 9 + 3 * n_specs + sizeof challenge;
    /* A two-byte SSLv2 record header carries at most 15 bits of length. */
    if (n_specs > 0x7fff || body_len > 0x7fff)
        return -1;

    td_wr w;
    td_wr_init(&w, out, cap);
    td_wr_u16(&w, (uint16_t)(0x8000u | body_len));
    td_wr_u8(&w, 1);                    /* MSG-CLIENT-HELLO */
    td_wr_u16(&w, TD_SSL2);
    td_wr_u16(&w, (uint16_t)(3 * n_specs));
    td_wr_u16(&w, 0);                   /* SESSION-ID-LENGTH */
    td_wr_u16(&w, sizeof challenge);    /* CHALLENGE-LENGTH, 16..32 */
    for (size_t i = 0; i < n_specs; i++) {
        if (specs[i] > 0xffffffu)
            return -1;
        td_wr_u24(&w, specs[i]);
    }
    td_wr_bytes(&w, challenge, sizeof challenge);
    if (!td_wr_ok(&w))
        return -1;
    *out_len = w.len;
    return 0;
}

bool td_hello_unframe(const uint8_t *rec, size_t len, uint8_t *msg, size_t cap, size_t *msg_len)
{
    td_rd r, frag;
    uint8_t type;
    td_rd_init(&r, rec, len);
    *msg_len = 0;
    while (!td_rd_empty(&r)) {
        if (!td_rd_u8(&r, &type) || type != TD_CT_HANDSHAKE || !td_rd_skip(&r, 2) ||
            !td_rd_prefixed16(&r, &frag) || td_rd_left(&frag) > cap - *msg_len)
            return false;
        size_t n = td_rd_left(&frag);
        td_rd_copy(&frag, msg + *msg_len, n);
        *msg_len += n;
    }
    return true;
}

/* ---- a captured hello, rebuilt ---- */

/* The captured key_share entries with fresh public values (RFC 8446
 * section 4.2.8), written as the extension's body into w. */
static void rebuilt_key_share(td_wr *w, const td_chello_ext *e, uint16_t drop_group)
{
    uint8_t share[MAX_SHARE];
    td_rd body = e->body, list, kx;
    td_rd_prefixed16(&body, &list); /* checked by td_chello_parse */
    td_wr_open(w, 2);
    uint16_t group;
    while (td_rd_u16(&list, &group) && td_rd_prefixed16(&list, &kx)) {
        if (group == drop_group)
            continue;
        size_t len = 0;
        td_wr_u16(w, group);
        td_wr_open(w, 2);
        if (make_share(group, share, sizeof share, &len) == 0 && len == td_rd_left(&kx))
            td_wr_bytes(w, share, len);
        else
            td_wr_bytes(w, td_rd_ptr(&kx), td_rd_left(&kx));
        td_wr_close(w);
    }
    td_wr_close(w);
}

/* A captured u16 list (supported_groups, signature_algorithms) without
 * the entries dropped by position (drop, may be NULL) or by value;
 * false, writing nothing, when none would be left. */
static bool rebuilt_list(td_wr *w, uint16_t type, const uint16_t *v, size_t n, const bool *drop, uint16_t drop_value)
{
    uint16_t kept[TD_CHELLO_MAX_LIST];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!(drop && drop[i]) && !(drop_value && v[i] == drop_value))
            kept[k++] = v[i];
    if (k == 0)
        return false;
    ext_u16_list(w, type, kept, k);
    return true;
}

static void ext_verbatim(td_wr *w, const td_chello_ext *e)
{
    td_wr_u16(w, e->type);
    td_wr_open(w, 2);
    td_wr_bytes(w, td_rd_ptr(&e->body), td_rd_left(&e->body));
    td_wr_close(w);
}

/* One captured extension as the replay sends it; shares is the key_share
 * body made once for both passes of td_hello_rebuild. */
static void rebuilt_ext(td_wr *w, const td_chello *h, const td_chello_ext *e, const td_hello_edit *ed,
                        const td_wr *shares, size_t pad_len)
{
    switch (e->type) {
    case TD_EXT_PRE_SHARED_KEY:
    case TD_EXT_EARLY_DATA:
        return;
    case TD_EXT_SESSION_TICKET:
        ext_empty(w, e->type);
        return;
    case TD_EXT_SERVER_NAME:
        if (ed->sni)
            ext_server_name(w, ed->sni);
        else
            ext_verbatim(w, e);
        return;
    case TD_EXT_SUPPORTED_GROUPS:
        if (ed->drop_group)
            rebuilt_list(w, e->type, h->groups, h->n_groups, NULL, ed->drop_group);
        else
            ext_verbatim(w, e);
        return;
    case TD_EXT_SIGNATURE_ALGS:
        if (memchr(ed->drop_sigalgs, true, sizeof ed->drop_sigalgs))
            rebuilt_list(w, e->type, h->sigalgs, h->n_sigalgs, ed->drop_sigalgs, 0);
        else
            ext_verbatim(w, e);
        return;
    case TD_EXT_KEY_SHARE:
        td_wr_u16(w, e->type);
        td_wr_open(w, 2);
        td_wr_bytes(w, shares->buf, shares->len);
        td_wr_close(w);
        return;
    case TD_EXT_PADDING:
        if (!ed->no_padding) {
            td_wr_u16(w, e->type);
            td_wr_open(w, 2);
            td_wr_zeros(w, pad_len);
            td_wr_close(w);
        }
        return;
    default:
        ext_verbatim(w, e);
    }
}

/* The ClientHello message, header included; returns the body's length. */
static size_t rebuilt_message(td_wr *w, const td_chello *h, const td_hello_edit *ed, const uint8_t *random,
                              const uint8_t *sid, const td_wr *shares, size_t pad_len)
{
    td_wr_u8(w, TD_HS_CLIENT_HELLO);
    td_wr_open(w, 3);
    size_t body_start = w->len;
    td_wr_u16(w, h->legacy_version);
    td_wr_bytes(w, random, 32);
    td_wr_open(w, 1);
    td_wr_bytes(w, sid, h->session_id_len);
    td_wr_close(w);
    td_wr_open(w, 2);
    for (size_t i = 0; i < h->n_suites; i++)
        if (!ed->drop_suites[i])
            td_wr_u16(w, h->suites[i]);
    td_wr_close(w);
    td_wr_open(w, 1);
    td_wr_bytes(w, h->compressions, h->n_compressions);
    td_wr_close(w);
    if (h->has_extensions) {
        td_wr_open(w, 2);
        for (size_t i = 0; i < h->n_exts; i++)
            if (!(ed->drop_exts & ((uint64_t)1 << i)))
                rebuilt_ext(w, h, &h->exts[i], ed, shares, pad_len);
        td_wr_close(w);
    }
    size_t body_len = w->len - body_start;
    td_wr_close(w);
    return body_len;
}

static bool rebuildable(const td_chello *h, const td_hello_edit *ed)
{
    size_t kept = 0;
    for (size_t i = 0; i < h->n_suites; i++)
        kept += !ed->drop_suites[i];
    return !h->sslv2 && kept > 0 && !h->suites_truncated && !h->exts_truncated && !h->compressions_truncated &&
           !h->groups_truncated && !h->sigalgs_truncated && !h->shares_truncated;
}

int td_hello_rebuild(const td_chello *h, const td_hello_edit *ed, uint8_t *out, size_t cap, size_t *out_len)
{
    if (!h || !ed || !out || !out_len || cap < RECORD_HEADER || !rebuildable(h, ed))
        return -1;
    uint8_t random[32], sid[32];
    if (ed->random)
        memcpy(random, ed->random, sizeof random);
    else if (RAND_bytes(random, sizeof random) != 1)
        return -1;
    if (ed->session_id)
        memcpy(sid, ed->session_id, h->session_id_len);
    else if (h->session_id_len > 0 && RAND_bytes(sid, (int)h->session_id_len) != 1)
        return -1;

    static const size_t shares_cap = 0xffff;
    uint8_t *shares_buf = malloc(shares_cap);
    if (!shares_buf)
        return -1;
    td_wr shares;
    td_wr_init(&shares, shares_buf, shares_cap);
    const td_chello_ext *ks = td_chello_ext_find(h, TD_EXT_KEY_SHARE);
    if (ks)
        rebuilt_key_share(&shares, ks, ed->drop_group);

    /* Two passes: the first measures, the second pads to the captured
     * size (RFC 7685: the padding is whatever the client wanted it). */
    td_wr w;
    td_wr_init(&w, out + RECORD_HEADER, cap - RECORD_HEADER);
    size_t want = h->size - 4, pad = h->padding_len;
    size_t got = rebuilt_message(&w, h, ed, random, sid, &shares, pad);
    pad = got < want ? pad + (want - got) : (got - want < pad ? pad - (got - want) : 0);
    td_wr_init(&w, out + RECORD_HEADER, cap - RECORD_HEADER);
    rebuilt_message(&w, h, ed, random, sid, &shares, pad);
    bool ok = td_wr_ok(&shares) && td_wr_ok(&w);
    free(shares_buf);
    if (!ok)
        return -1;
    return frame_records(out, cap, w.len, TD_TLS10, out_len);
}
