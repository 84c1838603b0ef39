/* Certificates for the rule tests (test_certrules, test_clientverdicts,
 * test_advice, test_limits): a made certificate with its DER, the few
 * things every such test does with one, and the observations they start
 * from.  Included after <cmocka.h> and OpenSSL's x509v3
 * header; each test makes its own certificates, since each needs others. */
#ifndef TD_TEST_CERTKIT_H
#define TD_TEST_CERTKIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "obs/obs.h"

typedef struct blob {
    unsigned char *der;
    int len;
    X509 *x;
} blob;

/* Adds the extension nid with a value in openssl.cnf syntax. */
static inline void cert_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *val)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, val);
    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

static inline void blob_free(blob *b)
{
    X509_free(b->x);
    OPENSSL_free(b->der);
}

/* The subject as the library writes it (RFC 2253 one-liner). */
static inline void blob_subject(const blob *b, char *out, size_t cap)
{
    BIO *m = BIO_new(BIO_s_mem());
    assert_non_null(m);
    X509_NAME_print_ex(m, X509_get_subject_name(b->x), 0, XN_FLAG_RFC2253);
    int k = BIO_read(m, out, (int)cap - 1);
    out[k > 0 ? k : 0] = '\0';
    BIO_free(m);
}

/* A malloc'd copy of the DER, as a handshake keeps it (td_hs_free frees). */
static inline void blob_put(td_cert *dst, const blob *b)
{
    dst->der = malloc((size_t)b->len);
    assert_non_null(dst->der);
    memcpy(dst->der, b->der, (size_t)b->len);
    dst->len = (size_t)b->len;
}

/* Observations of www.example.com:443 with that SNI, resolved to addr
 * (NULL: no address recorded), nothing else seen yet; obs_free releases
 * them. */
static inline td_obs *obs_example(const char *addr)
{
    td_obs *o = malloc(sizeof *o);
    assert_non_null(o);
    td_obs_init(o);
    snprintf(o->host, sizeof o->host, "www.example.com");
    snprintf(o->sni, sizeof o->sni, "www.example.com");
    o->port = 443;
    if (addr) {
        o->n_addrs = 1;
        snprintf(o->addrs[0].text, sizeof o->addrs[0].text, "%s", addr);
        o->addr_used = 0;
    }
    return o;
}

static inline void obs_free(td_obs *o)
{
    td_obs_free(o);
    free(o);
}

/* The trust store of a check made with --ca-file FILE: as reports print it,
 * and as the options its verify commands repeat. */
static inline void store_file(td_obs *o, const char *file)
{
    snprintf(o->store_name, sizeof o->store_name, "ca-file %s", file);
    snprintf(o->store.ca_file, sizeof o->store.ca_file, "%s", file);
}

#endif
