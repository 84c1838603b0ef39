/* What the linked OpenSSL makes of a server's TLS settings: the cipher
 * string expanded into IANA suites (the TLS 1.2 list and the TLS 1.3 list
 * apart), and the versions that can really be negotiated once the
 * security level (OpenSSL's default, or @SECLEVEL in the cipher string)
 * has had its say.  This is a source: it asks OpenSSL, it judges nothing. */
#include "conf/conf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "registry/registry.h"
#include "util/str.h"
#include "wire/tls.h"

static const struct {
    unsigned bit;
    int version;
    uint64_t no_opt;
    const char *words[3];
} versions[] = {
    { TD_CV_SSL3, SSL3_VERSION, SSL_OP_NO_SSLv3, { "SSLv3", NULL, NULL } },
    { TD_CV_TLS10, TLS1_VERSION, SSL_OP_NO_TLSv1, { "TLSv1", "TLSv1.0", NULL } },
    { TD_CV_TLS11, TLS1_1_VERSION, SSL_OP_NO_TLSv1_1, { "TLSv1.1", NULL, NULL } },
    { TD_CV_TLS12, TLS1_2_VERSION, SSL_OP_NO_TLSv1_2, { "TLSv1.2", NULL, NULL } },
    { TD_CV_TLS13, TLS1_3_VERSION, SSL_OP_NO_TLSv1_3, { "TLSv1.3", NULL, NULL } },
};
#define NV (sizeof versions / sizeof *versions)

unsigned td_conf_versions_parse(const char *words, char *unknown, size_t cap)
{
    unsigned mask = 0;
    if (unknown && cap)
        unknown[0] = '\0';
    char *copy = td_strdup(words ? words : "");
    char *save = NULL;
    for (char *w = copy ? strtok_r(copy, " \t", &save) : NULL; w; w = strtok_r(NULL, " \t", &save)) {
        bool known = false;
        for (size_t i = 0; i < NV; i++)
            for (size_t k = 0; k < 3 && versions[i].words[k]; k++)
                if (strcasecmp(w, versions[i].words[k]) == 0) {
                    mask |= versions[i].bit;
                    known = true;
                }
        if (!known && unknown && !unknown[0])
            td_errbuf(unknown, cap, "%s", w);
    }
    free(copy);
    return mask;
}

static bool push_suite(uint16_t **v, size_t *n, uint16_t id)
{
    uint16_t *nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv)
        return false;
    *v = nv;
    nv[(*n)++] = id;
    return true;
}

/* Names of TLS 1.3 suites written in the TLS 1.2 cipher string: OpenSSL
 * ignores them there (SSL_CTX_set_cipher_list configures TLS 1.2 and
 * below; TLS 1.3 suites come from SSL_CTX_set_ciphersuites). */
static void tls13_names(td_cvhost *v)
{
    char *copy = td_strdup(v->ciphers.value ? v->ciphers.value : "");
    char *save = NULL;
    for (char *w = copy ? strtok_r(copy, ": ,", &save) : NULL; w; w = strtok_r(NULL, ": ,", &save)) {
        const char *name = w + strspn(w, "+-!");
        const td_suite *s = td_suite_by_name(name);
        bool tls13 = (s && s->min_version == TD_TLS13) || strncmp(name, "TLS13", 5) == 0;
        if (!tls13)
            continue;
        char **nv = realloc(v->tls13_in_ciphers, (v->n_tls13_in_ciphers + 1) * sizeof *nv);
        if (!nv)
            break;
        v->tls13_in_ciphers = nv;
        if ((nv[v->n_tls13_in_ciphers] = td_strdup(name)))
            v->n_tls13_in_ciphers++;
    }
    free(copy);
}

/* Whether OpenSSL will negotiate version ver with ctx's settings: the
 * security level may forbid it whatever the configuration says.  From
 * OpenSSL 3.0 on, security level 1 and above refuse SHA-1 and MD5 (under
 * 80 bits), which every TLS 1.0 and 1.1 handshake needs (the handshake
 * ends in an internal_error alert), though SSL_get1_supported_ciphers still
 * lists suites for them. */
static bool version_usable(SSL_CTX *ctx, int ver)
{
    if (ver < TLS1_2_VERSION && OpenSSL_version_num() >= 0x30000000L && SSL_CTX_get_security_level(ctx) >= 1)
        return false;
    SSL *s = SSL_new(ctx);
    if (!s)
        return false;
    bool ok = false;
    if (SSL_set_min_proto_version(s, ver) && SSL_set_max_proto_version(s, ver)) {
        STACK_OF(SSL_CIPHER) *sk = SSL_get1_supported_ciphers(s);
        ok = sk && sk_SSL_CIPHER_num(sk) > 0;
        sk_SSL_CIPHER_free(sk);
    }
    SSL_free(s);
    return ok;
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool td_conf_tls_same(const td_cvhost *a, const td_cvhost *b)
{
    return a->versions_written == b->versions_written && same_str(a->ciphers.value, b->ciphers.value) &&
           same_str(a->tls13_suites.value, b->tls13_suites.value);
}

static uint16_t *dup_ids(const uint16_t *v, size_t n)
{
    uint16_t *d = malloc((n ? n : 1) * sizeof *d);
    if (d && n)
        memcpy(d, v, n * sizeof *d);
    return d;
}

bool td_conf_tls_copy(td_cvhost *dst, const td_cvhost *src)
{
    dst->suites12 = dup_ids(src->suites12, src->n12);
    dst->suites13 = dup_ids(src->suites13, src->n13);
    dst->tls13_in_ciphers = calloc(src->n_tls13_in_ciphers ? src->n_tls13_in_ciphers : 1, sizeof *dst->tls13_in_ciphers);
    if (!dst->suites12 || !dst->suites13 || !dst->tls13_in_ciphers)
        return false;
    dst->n12 = src->n12;
    dst->n13 = src->n13;
    for (size_t i = 0; i < src->n_tls13_in_ciphers; i++)
        if ((dst->tls13_in_ciphers[i] = td_strdup(src->tls13_in_ciphers[i])))
            dst->n_tls13_in_ciphers++;
    dst->versions = src->versions;
    dst->seclevel = src->seclevel;
    memcpy(dst->cipher_err, src->cipher_err, sizeof dst->cipher_err);
    return dst->n_tls13_in_ciphers == src->n_tls13_in_ciphers;
}

void td_conf_tls_expand(td_cvhost *v)
{
    tls13_names(v);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        td_errbuf(v->cipher_err, sizeof v->cipher_err, "OpenSSL could not make a context");
        return;
    }
    SSL_CTX_set_min_proto_version(ctx, 0);
    SSL_CTX_set_max_proto_version(ctx, 0);
    uint64_t no = 0;
    for (size_t i = 0; i < NV; i++)
        if (!(v->versions_written & versions[i].bit))
            no |= versions[i].no_opt;
    SSL_CTX_set_options(ctx, no);
    if (v->ciphers.value && SSL_CTX_set_cipher_list(ctx, v->ciphers.value) != 1)
        td_errbuf(v->cipher_err, sizeof v->cipher_err, "the linked OpenSSL matches no TLS 1.2 cipher suite in \"%s\"",
                  v->ciphers.value);
    if (v->tls13_suites.value && SSL_CTX_set_ciphersuites(ctx, v->tls13_suites.value) != 1)
        td_errbuf(v->cipher_err, sizeof v->cipher_err, "the linked OpenSSL matches no TLS 1.3 cipher suite in \"%s\"",
                  v->tls13_suites.value);
    v->seclevel = SSL_CTX_get_security_level(ctx);
    v->versions = 0;
    for (size_t i = 0; i < NV; i++)
        if ((v->versions_written & versions[i].bit) && version_usable(ctx, versions[i].version))
            v->versions |= versions[i].bit;
    /* The configured list in its order, less what the versions and the
     * security level leave out (SSL_get1_supported_ciphers). */
    SSL *ssl = SSL_new(ctx);
    STACK_OF(SSL_CIPHER) *usable = ssl ? SSL_get1_supported_ciphers(ssl) : NULL;
    STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
    for (int i = 0; usable && sk && i < sk_SSL_CIPHER_num(sk); i++) {
        const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
        if (sk_SSL_CIPHER_find(usable, (SSL_CIPHER *)c) < 0)
            continue;
        uint16_t id = SSL_CIPHER_get_protocol_id(c);
        const td_suite *reg = td_suite_by_id(id);
        bool tls13 = reg && reg->min_version == TD_TLS13;
        if (v->cipher_err[0] && !tls13)
            continue; /* a refused string leaves OpenSSL's default list in place */
        if (!push_suite(tls13 ? &v->suites13 : &v->suites12, tls13 ? &v->n13 : &v->n12, id))
            break;
    }
    sk_SSL_CIPHER_free(usable);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}
