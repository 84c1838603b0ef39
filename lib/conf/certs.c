/* The certificate and key files a configuration names: each read, its
 * state recorded (missing, unreadable, empty, not PEM), the chain kept as
 * DER, the key matched against the certificate, the chain verified against
 * the trust store as `check` verifies what a server sends.  A source: it
 * judges nothing. */
#include "conf/conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "util/str.h"

/* A configured file read whole: its state, and its bytes when OK. */
typedef struct bytes {
    char *p;
    size_t len;
} bytes;

#define MAX_PEM_FILE (4u << 20)

static td_cfile_state load(const char *dir, const char *name, bytes *out, char *why, size_t cap)
{
    *out = (bytes){ 0 };
    if (strchr(name, '$')) {
        td_errbuf(why, cap, "%s names variables: nginx reads it at each handshake", name);
        return TD_CFILE_PER_HANDSHAKE;
    }
    if (strncmp(name, "data:", 5) == 0 || strncmp(name, "engine:", 7) == 0) {
        td_errbuf(why, cap, "%.*s is not a file", (int)strcspn(name, ":") + 1, name);
        return TD_CFILE_PER_HANDSHAKE;
    }
    char *path = td_conf_path_join(dir, name);
    if (!path) {
        td_errbuf(why, cap, "out of memory");
        return TD_CFILE_UNREADABLE;
    }
    td_cfile_state st = TD_CFILE_OK;
    struct stat sb;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        st = errno == ENOENT ? TD_CFILE_MISSING : TD_CFILE_UNREADABLE;
        td_errbuf(why, cap, "%s: %s", path, strerror(errno));
    } else if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode) || (unsigned long long)sb.st_size > MAX_PEM_FILE) {
        st = TD_CFILE_UNREADABLE;
        td_errbuf(why, cap, "%s is not a regular file of at most %u MiB", path, MAX_PEM_FILE >> 20);
    } else if (sb.st_size == 0) {
        st = TD_CFILE_EMPTY;
        td_errbuf(why, cap, "%s is empty", path);
    } else if (!(out->p = malloc((size_t)sb.st_size)) ||
               (out->len = fread(out->p, 1, (size_t)sb.st_size, fp)) != (size_t)sb.st_size) {
        st = TD_CFILE_UNREADABLE;
        td_errbuf(why, cap, "cannot read %s", path);
        free(out->p);
        *out = (bytes){ 0 };
    }
    if (fp)
        fclose(fp);
    free(path);
    return st;
}

static bool keep_der(td_ccert *c, X509 *x)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    td_cert *v = len > 0 ? realloc(c->chain, (c->n_chain + 1) * sizeof *v) : NULL;
    if (!v) {
        OPENSSL_free(der);
        return false;
    }
    c->chain = v;
    /* OpenSSL's allocation handed over to plain free() below: copy it */
    uint8_t *copy = malloc((size_t)len);
    if (copy)
        memcpy(copy, der, (size_t)len);
    OPENSSL_free(der);
    if (!copy)
        return false;
    c->chain[c->n_chain++] = (td_cert){ copy, (size_t)len };
    return true;
}

static X509 *read_chain(td_ccert *c, const bytes *b)
{
    BIO *bio = BIO_new_mem_buf(b->p, (int)b->len);
    X509 *leaf = NULL, *x;
    while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
        keep_der(c, x);
        if (!leaf)
            leaf = x;
        else
            X509_free(x);
    }
    BIO_free(bio);
    ERR_clear_error();
    return leaf;
}

/* The private key in b.  Told the certificate's key type, OpenSSL 3's
 * decoder tries only that type's decoders: a third of the time of the
 * untyped search, which is what a thousand keys take most of their time
 * in.  Anything else (another type, a passphrase) goes the general way. */
static EVP_PKEY *read_key(const bytes *b, const X509 *leaf)
{
    EVP_PKEY *k = NULL;
    const EVP_PKEY *pub = leaf ? X509_get0_pubkey(leaf) : NULL;
    const char *type = pub ? EVP_PKEY_get0_type_name(pub) : NULL;
    OSSL_DECODER_CTX *d = type ? OSSL_DECODER_CTX_new_for_pkey(&k, "PEM", NULL, type, OSSL_KEYMGMT_SELECT_KEYPAIR,
                                                                NULL, NULL)
                               : NULL;
    const unsigned char *p = (const unsigned char *)b->p;
    size_t len = b->len;
    /* an empty passphrase: a protected key fails here instead of prompting */
    if (d && (!OSSL_DECODER_CTX_set_passphrase(d, (const unsigned char *)"", 0) ||
              !OSSL_DECODER_from_data(d, &p, &len))) {
        EVP_PKEY_free(k);
        k = NULL;
    }
    OSSL_DECODER_CTX_free(d);
    if (!k) {
        BIO *bio = BIO_new_mem_buf(b->p, (int)b->len);
        k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"") : NULL;
        BIO_free(bio);
    }
    ERR_clear_error();
    return k;
}

/* Apache httpd's SSLCertificateChainFile: its certificates are sent after
 * the certificate file's. */
static void append_chain(td_ccert *c, const char *dir, bytes *cert)
{
    bytes more;
    c->chain_state = load(dir, c->chain_file.value, &more, c->chain_why, sizeof c->chain_why);
    if (c->chain_state != TD_CFILE_OK)
        return;
    char *p = realloc(cert->p, cert->len + 1 + more.len);
    if (p) {
        p[cert->len] = '\n';
        memcpy(p + cert->len + 1, more.p, more.len);
        cert->p = p;
        cert->len += 1 + more.len;
    }
    free(more.p);
}

/* A pair read before: its bytes and the certificate it gave. */
struct td_certseen {
    bytes cert, key;
    const td_ccert *c;
};

static bool same_bytes(const bytes *a, const bytes *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

/* What was read of an identical pair, for another server. */
static bool copy_read(td_ccert *dst, const td_ccert *src)
{
    dst->chain = calloc(src->n_chain ? src->n_chain : 1, sizeof *dst->chain);
    dst->leaf = src->leaf ? malloc(sizeof *dst->leaf) : NULL;
    if (!dst->chain || (src->leaf && !dst->leaf))
        return false;
    if (src->leaf)
        *dst->leaf = *src->leaf;
    for (size_t i = 0; i < src->n_chain; i++) {
        if (!(dst->chain[i].der = malloc(src->chain[i].len)))
            return false;
        memcpy(dst->chain[i].der, src->chain[i].der, src->chain[i].len);
        dst->chain[i].len = src->chain[i].len;
        dst->n_chain++;
    }
    dst->key_match = src->key_match;
    dst->path = src->path;
    dst->path_done = src->path_done;
    return true;
}

static void parse(td_ccert *c, const bytes *cert, const bytes *key, const char *key_name, td_store *st, int64_t now)
{
    X509 *leaf = NULL;
    EVP_PKEY *pkey = NULL;
    if (c->cert_state == TD_CFILE_OK && !(leaf = read_chain(c, cert))) {
        c->cert_state = TD_CFILE_NOT_PEM;
        td_errbuf(c->cert_why, sizeof c->cert_why, "%s holds no PEM certificate", c->cert.value);
    }
    if (c->key_state == TD_CFILE_OK && !(pkey = read_key(key, leaf))) {
        c->key_state = TD_CFILE_NOT_PEM;
        td_errbuf(c->key_why, sizeof c->key_why, "%s holds no PEM private key (or one with a passphrase)", key_name);
    }
    if (leaf && pkey)
        c->key_match = X509_check_private_key(leaf, pkey) == 1 ? TD_YES : TD_NO;
    ERR_clear_error();
    if (leaf && (c->leaf = malloc(sizeof *c->leaf))) {
        char err[64];
        if (td_cert_info_from_der(td_cert_der(&c->chain[0]), c->leaf, err, sizeof err) != 0) {
            free(c->leaf);
            c->leaf = NULL;
        }
    }
    td_der *ders = leaf && st ? calloc(c->n_chain, sizeof *ders) : NULL;
    if (ders) {
        for (size_t i = 0; i < c->n_chain; i++)
            ders[i] = td_cert_der(&c->chain[i]);
        c->path_done = td_verify_path(st, ders, c->n_chain, NULL, 0, now, &c->path) == 0;
        free(ders);
    }
    X509_free(leaf);
    EVP_PKEY_free(pkey);
}

void td_conf_read_cert(td_ccert *c, const char *dir, td_store *st, int64_t now, td_certcache *cache)
{
    bytes cert, key;
    c->key_match = TD_UNKNOWN;
    c->cert_state = load(dir, c->cert.value, &cert, c->cert_why, sizeof c->cert_why);
    if (c->cert_state == TD_CFILE_OK && td_cset_written(&c->chain_file) && c->chain_file.value)
        append_chain(c, dir, &cert);
    const char *key_name = c->key.value ? c->key.value : c->cert.value;
    c->key_state = load(dir, key_name, &key, c->key_why, sizeof c->key_why);
    char *beside = NULL;
    if (c->key_beside && c->key_state == TD_CFILE_OK && !memmem(key.p, key.len, "PRIVATE KEY", 11)) {
        /* HAProxy looks for the key of a PEM without one in FILE.key */
        td_str s;
        td_str_init(&s);
        td_str_printf(&s, "%s.key", key_name);
        beside = td_str_take(&s);
        free(key.p);
        c->key_state = load(dir, beside, &key, c->key_why, sizeof c->key_why);
        key_name = beside;
    }
    bool cacheable = c->cert_state == TD_CFILE_OK && c->key_state == TD_CFILE_OK;
    for (size_t i = 0; cacheable && i < cache->n; i++) {
        if (!same_bytes(&cache->v[i].cert, &cert) || !same_bytes(&cache->v[i].key, &key))
            continue;
        const td_ccert *src = cache->v[i].c;
        c->cert_state = src->cert_state;
        c->key_state = src->key_state;
        c->chain_state = src->chain_state;
        memcpy(c->cert_why, src->cert_why, sizeof c->cert_why);
        memcpy(c->key_why, src->key_why, sizeof c->key_why);
        if (copy_read(c, src)) {
            free(cert.p);
            free(key.p);
            free(beside);
            return;
        }
        break;
    }
    parse(c, &cert, &key, key_name, st, now);
    free(beside);
    struct td_certseen *v = NULL;
    if (cacheable && cache->n == cache->cap) {
        size_t cap = cache->cap ? cache->cap * 2 : 16;
        if ((v = realloc(cache->v, cap * sizeof *v))) {
            cache->v = v;
            cache->cap = cap;
        }
    }
    if (cacheable && cache->n < cache->cap) {
        cache->v[cache->n++] = (struct td_certseen){ cert, key, c };
        return;
    }
    free(cert.p);
    free(key.p);
}

void td_certcache_free(td_certcache *cache)
{
    for (size_t i = 0; i < cache->n; i++) {
        free(cache->v[i].cert.p);
        free(cache->v[i].key.p);
    }
    free(cache->v);
    *cache = (td_certcache){ 0 };
}
