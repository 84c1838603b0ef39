/* TLS 1.3 record protection undone with logged secrets (RFC 8446 sections
 * 5.2 to 5.4, 7.1 to 7.3), through OpenSSL's EVP KDF and cipher
 * interfaces. */
#include "decrypt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "tls.h"

/* RFC 8446 section 5.2: "The length MUST NOT exceed 2^14 + 256 bytes." */
#define MAX_CIPHERTEXT (16384u + 256u)
#define RECORD_HEADER  5u

typedef struct aead {
    uint16_t suite;
    const char *cipher, *md;
    size_t key_len, tag_len;
    bool ccm;
} aead;

/* RFC 8446 appendix B.4 */
static const aead aeads[] = {
    {0x1301, "AES-128-GCM", "SHA256", 16, 16, false},
    {0x1302, "AES-256-GCM", "SHA384", 32, 16, false},
    {0x1303, "ChaCha20-Poly1305", "SHA256", 32, 16, false},
    {0x1304, "AES-128-CCM", "SHA256", 16, 16, true},
    {0x1305, "AES-128-CCM", "SHA256", 16, 8, true},
};

static const aead *aead_of(uint16_t suite)
{
    for (size_t i = 0; i < sizeof aeads / sizeof aeads[0]; i++)
        if (aeads[i].suite == suite)
            return &aeads[i];
    return NULL;
}

__attribute__((format(printf, 3, 4)))
static td_dec_status dec_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return TD_DEC_MALFORMED;
}

/* ---- key schedule ---- */

/* RFC 8446 section 7.1: HKDF-Expand-Label(Secret, Label, "", Length) with
 * HkdfLabel { uint16 length; opaque label<7..255> = "tls13 " + Label;
 * opaque context<0..255>; }. */
static int expand_label(const char *md, const uint8_t *secret, size_t secret_len, const char *label,
                        uint8_t *out, size_t out_len)
{
    uint8_t info[2 + 1 + 255 + 1];
    td_wr w;
    td_wr_init(&w, info, sizeof info);
    td_wr_u16(&w, (uint16_t)out_len);
    td_wr_open(&w, 1);
    td_wr_bytes(&w, "tls13 ", 6);
    td_wr_bytes(&w, label, strlen(label));
    td_wr_close(&w);
    td_wr_u8(&w, 0);
    if (!td_wr_ok(&w))
        return -1;

    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, w.len),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    int rc = ctx && EVP_KDF_derive(ctx, out, out_len, params) == 1 ? 0 : -1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return rc;
}

static size_t md_len(const char *md)
{
    return strcmp(md, "SHA384") == 0 ? 48 : 32;
}

int td_tls13_keys_init(td_tls13_keys *k, uint16_t suite, const uint8_t *secret, size_t secret_len)
{
    memset(k, 0, sizeof *k);
    const aead *a = aead_of(suite);
    if (!a || secret_len != md_len(a->md))
        return -1;
    k->suite = suite;
    k->key_len = a->key_len;
    k->tag_len = a->tag_len;
    /* RFC 8446 section 7.3: [sender]_write_key and _iv. */
    if (expand_label(a->md, secret, secret_len, "key", k->key, k->key_len) != 0 ||
        expand_label(a->md, secret, secret_len, "iv", k->iv, sizeof k->iv) != 0)
        return -1;
    return 0;
}

/* ---- one record ---- */

/* RFC 8446 section 5.3: the 64-bit sequence number, big-endian, left-padded
 * with zeros to the IV's length and XORed with it. */
static void record_nonce(const td_tls13_keys *k, uint8_t nonce[TD_DEC_IV_LEN])
{
    memcpy(nonce, k->iv, TD_DEC_IV_LEN);
    for (int i = 0; i < 8; i++)
        nonce[TD_DEC_IV_LEN - 1 - i] ^= (uint8_t)(k->seq >> (8 * i));
}

/* AEAD-Decrypt (RFC 8446 section 5.2) with the record header as the
 * additional data.  CCM takes its tag and the text length before the data
 * (EVP_EncryptInit(3), "CCM mode"). */
static bool aead_open(const td_tls13_keys *k, const td_rd *aad, const td_rd *ct, const td_rd *tag, uint8_t *out)
{
    const aead *a = aead_of(k->suite);
    uint8_t nonce[TD_DEC_IV_LEN];
    record_nonce(k, nonce);
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, a->cipher, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    void *tagp = (void *)td_rd_ptr(tag);
    int n = 0, fin = 0, ct_len = (int)td_rd_left(ct);
    bool ok = c && ctx && EVP_DecryptInit_ex2(ctx, c, NULL, NULL, NULL) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, TD_DEC_IV_LEN, NULL) == 1 &&
              (!a->ccm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)a->tag_len, tagp) == 1) &&
              EVP_DecryptInit_ex2(ctx, NULL, k->key, nonce, NULL) == 1 &&
              (!a->ccm || EVP_DecryptUpdate(ctx, NULL, &n, NULL, ct_len) == 1) &&
              EVP_DecryptUpdate(ctx, NULL, &n, td_rd_ptr(aad), (int)td_rd_left(aad)) == 1 &&
              EVP_DecryptUpdate(ctx, out, &n, td_rd_ptr(ct), ct_len) == 1;
    if (ok && !a->ccm)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)a->tag_len, tagp) == 1 &&
             EVP_DecryptFinal_ex(ctx, out + n, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return ok;
}

/* RFC 8446 section 5.4: TLSInnerPlaintext is content || ContentType ||
 * zeros; the type is the last non-zero byte. */
static bool inner_type(const uint8_t *plain, size_t n, uint8_t *type, size_t *content_len)
{
    td_rd r;
    td_rd_init(&r, plain, n);
    uint8_t b = 0;
    while (n > 0 && td_rd_peek(&r, n - 1, &b) && b == 0)
        n--;
    if (n == 0)
        return false;
    *type = b;
    *content_len = n - 1;
    return true;
}

td_dec_status td_tls13_open(td_tls13_keys *k, const uint8_t *record, size_t len, uint8_t *out, size_t cap,
                            uint8_t *type, size_t *out_len, char *err, size_t errlen)
{
    td_rd r, head, aad, frag, ct, tag;
    uint8_t ctype;
    uint16_t version;
    td_rd_init(&r, record, len);
    head = r;
    if (!td_rd_sub(&head, RECORD_HEADER, &aad) || !td_rd_u8(&r, &ctype) || !td_rd_u16(&r, &version) ||
        !td_rd_prefixed16(&r, &frag) || !td_rd_empty(&r))
        return dec_fail(err, errlen, "not one whole record (RFC 8446 section 5.1)");
    /* RFC 8446 section 5.2: opaque_type is always application_data. */
    if (ctype != TD_CT_APPDATA)
        return dec_fail(err, errlen, "content type %u is not application_data(23) (RFC 8446 section 5.2)", ctype);
    if (td_rd_left(&frag) > MAX_CIPHERTEXT)
        return dec_fail(err, errlen, "%zu bytes, more than 2^14 + 256 (RFC 8446 section 5.2)", td_rd_left(&frag));
    if (td_rd_left(&frag) <= k->tag_len)
        return dec_fail(err, errlen, "%zu bytes: no room for a tag and a content type (RFC 8446 section 5.2)",
                        td_rd_left(&frag));
    if (td_rd_left(&frag) > cap)
        return dec_fail(err, errlen, "%zu bytes, more than the %zu the caller has room for", td_rd_left(&frag), cap);
    td_rd_sub(&frag, td_rd_left(&frag) - k->tag_len, &ct);
    tag = frag;
    if (!aead_open(k, &aad, &ct, &tag, out)) {
        if (err && errlen)
            snprintf(err, errlen, "record %llu does not authenticate: wrong secret or not this connection's "
                     "(RFC 8446 section 5.2)", (unsigned long long)k->seq);
        return TD_DEC_AUTH_FAILED;
    }
    k->seq++;
    if (!inner_type(out, td_rd_left(&ct), type, out_len))
        return dec_fail(err, errlen, "record %llu has no content type, only padding (RFC 8446 section 5.4)",
                        (unsigned long long)(k->seq - 1));
    return TD_DEC_OK;
}

/* ---- one direction ---- */

int td_tls13_dir_init(td_tls13_dir *d, const td_keylog *kl, const uint8_t client_random[32], uint16_t suite,
                      bool from_server)
{
    memset(d, 0, sizeof *d);
    d->from_server = from_server;
    td_kl_label hs = from_server ? TD_KL_SERVER_HANDSHAKE : TD_KL_CLIENT_HANDSHAKE;
    td_kl_label ap = from_server ? TD_KL_SERVER_TRAFFIC_0 : TD_KL_CLIENT_TRAFFIC_0;
    size_t n = 0;
    const uint8_t *secret = td_keylog_find(kl, client_random, hs, &n);
    if (!secret) {
        snprintf(d->error, sizeof d->error, "the key log has no %s for this client random", td_kl_label_name(hs));
        return -1;
    }
    if (td_tls13_keys_init(&d->keys, suite, secret, n) != 0) {
        snprintf(d->error, sizeof d->error, "suite 0x%04x is not a TLS 1.3 suite, or %s is %zu bytes", suite,
                 td_kl_label_name(hs), n);
        return -1;
    }
    const uint8_t *app = td_keylog_find(kl, client_random, ap, &n);
    if (app) {
        memcpy(d->app_secret, app, n);
        d->app_secret_len = n;
        d->have_application = true;
    }
    d->plain = malloc(MAX_CIPHERTEXT);
    if (!d->plain) {
        snprintf(d->error, sizeof d->error, "out of memory");
        return -1;
    }
    return 0;
}

/* Keys for the next epoch: traffic secret 0 after Finished, or (RFC 8446
 * section 7.2) the next generation after a KeyUpdate. */
static bool next_epoch(td_tls13_dir *d, bool key_update)
{
    const aead *a = aead_of(d->keys.suite);
    if (key_update) {
        uint8_t next[TD_KEYLOG_MAX_SECRET];
        if (expand_label(a->md, d->app_secret, d->app_secret_len, "traffic upd", next, d->app_secret_len) != 0)
            return false;
        memcpy(d->app_secret, next, d->app_secret_len);
    } else if (!d->have_application) {
        snprintf(d->error, sizeof d->error, "the key log has no %s: nothing after Finished can be read",
                 td_kl_label_name(d->from_server ? TD_KL_SERVER_TRAFFIC_0 : TD_KL_CLIENT_TRAFFIC_0));
        return false;
    }
    d->application = true;
    return td_tls13_keys_init(&d->keys, d->keys.suite, d->app_secret, d->app_secret_len) == 0;
}

/* Walks the handshake messages that became complete; a Finished or a
 * KeyUpdate ends the epoch (RFC 8446 section 5.1: neither may share a
 * record with what follows it). */
static bool walk_messages(td_tls13_dir *d)
{
    td_rd r, body;
    td_rd_init(&r, d->hs, d->hs_len);
    td_rd_skip(&r, d->hs_walked);
    uint8_t type;
    bool ok = true;
    for (td_rd at = r; td_rd_u8(&r, &type) && td_rd_prefixed24(&r, &body); at = r) {
        d->hs_walked += td_rd_left(&at) - td_rd_left(&r);
        if (type == 20 && !d->application)
            ok = next_epoch(d, false);
        else if (type == 24 && d->application)
            ok = next_epoch(d, true);
    }
    return ok;
}

static td_dec_status queue_handshake(td_tls13_dir *d, size_t n)
{
    if (n > TD_DEC_MAX_HS - d->hs_len) {
        snprintf(d->error, sizeof d->error, "more than %u bytes of handshake messages", TD_DEC_MAX_HS);
        return TD_DEC_MALFORMED;
    }
    uint8_t *p = realloc(d->hs, d->hs_len + n);
    if (!p) {
        snprintf(d->error, sizeof d->error, "out of memory");
        return TD_DEC_MALFORMED;
    }
    d->hs = p;
    memcpy(d->hs + d->hs_len, d->plain, n);
    d->hs_len += n;
    return walk_messages(d) ? TD_DEC_OK : TD_DEC_MALFORMED;
}

td_dec_status td_tls13_dir_record(td_tls13_dir *d, const uint8_t *record, size_t len)
{
    d->error[0] = '\0';
    d->plain_len = 0;
    if (!d->plain)
        return dec_fail(d->error, sizeof d->error, "direction not set up");
    td_dec_status st = td_tls13_open(&d->keys, record, len, d->plain, MAX_CIPHERTEXT, &d->plain_type,
                                     &d->plain_len, d->error, sizeof d->error);
    if (st != TD_DEC_OK)
        return st;
    if (d->plain_type == TD_CT_HANDSHAKE)
        return queue_handshake(d, d->plain_len);
    return TD_DEC_OK;
}

bool td_tls13_dir_next(td_tls13_dir *d, uint8_t *type, td_rd *msg)
{
    td_rd r, body;
    td_rd_init(&r, d->hs, d->hs_len);
    td_rd_skip(&r, d->hs_taken);
    td_rd start = r;
    if (!td_rd_u8(&r, type) || !td_rd_prefixed24(&r, &body))
        return false;
    size_t n = td_rd_left(&start) - td_rd_left(&r);
    td_rd_sub(&start, n, msg);
    d->hs_taken += n;
    /* All taken: the space is used again by the next record (msg stays
     * valid until then). */
    if (d->hs_taken == d->hs_len && d->hs_walked == d->hs_len)
        d->hs_len = d->hs_taken = d->hs_walked = 0;
    return true;
}

void td_tls13_dir_free(td_tls13_dir *d)
{
    free(d->plain);
    free(d->hs);
    memset(d, 0, sizeof *d);
}
