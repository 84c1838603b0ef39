/* Trust stores, and the certification path a strict client builds from what
 * the server sent (RFC 5280 section 6), with OpenSSL's verifier: the same
 * code curl, Python and most Linux clients run, so its verdict is theirs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "cert/cert_int.h"

struct td_store {
    X509_STORE *st;
    char name[1024];
};

static void openssl_reason(char *dst, size_t cap)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    td_cert_copy(dst, cap, r ? r : "no certificate found");
    ERR_clear_error();
}

/* The default CA file and hashed directory, as X509_LOOKUP_file() and
 * X509_LOOKUP_hash_dir() read them with X509_FILETYPE_DEFAULT: each honours
 * its environment variable.  A missing file or directory is no error (the
 * store is then empty, as OpenSSL's own defaults leave it). */
static int default_paths(X509_STORE *st)
{
    X509_LOOKUP *file = X509_STORE_add_lookup(st, X509_LOOKUP_file());
    X509_LOOKUP *dir = X509_STORE_add_lookup(st, X509_LOOKUP_hash_dir());
    if (!file || !dir)
        return 0;
    (void)X509_LOOKUP_load_file(file, NULL, X509_FILETYPE_DEFAULT);
    (void)X509_LOOKUP_add_dir(dir, NULL, X509_FILETYPE_DEFAULT);
    ERR_clear_error();
    return 1;
}

td_store *td_store_new(const char *ca_file, const char *ca_path, char *err, size_t errlen)
{
    char why[160];
    td_store *s = calloc(1, sizeof *s);
    if (!s || !(s->st = X509_STORE_new())) {
        free(s);
        td_cert_fmt(err, errlen, "out of memory");
        return NULL;
    }
    if (!ca_file && !ca_path) {
        /* The same places libssl's SSL_CTX_set_default_verify_paths() uses,
         * environment overrides included (SSL_CERT_FILE, SSL_CERT_DIR), so the
         * answer is the one a local curl or Python would get.  Not
         * X509_STORE_set_default_paths() itself: OpenSSL 3 adds there a
         * lookup through OSSL_STORE that reads the whole certificate
         * directory at every issuer lookup, about 0.2 ms a chain, which a
         * capture of thousands of handshakes or a configuration naming a
         * thousand certificates pays each time; the hashed-directory lookup
         * finds the same anchors by name. */
        if (!default_paths(s->st)) {
            openssl_reason(why, sizeof why);
            td_cert_fmt(err, errlen, "system trust store: %s", why);
            td_store_free(s);
            return NULL;
        }
        const char *f = getenv(X509_get_default_cert_file_env());
        const char *d = getenv(X509_get_default_cert_dir_env());
        td_cert_fmt(s->name, sizeof s->name, "system (%s, %s)",
                    f && f[0] ? f : X509_get_default_cert_file(),
                    d && d[0] ? d : X509_get_default_cert_dir());
        ERR_clear_error();
        return s;
    }
    if (ca_file) {
        if (access(ca_file, R_OK) != 0) {
            td_cert_fmt(err, errlen, "ca-file %s: %s", ca_file, strerror(errno));
            td_store_free(s);
            return NULL;
        }
        if (!X509_STORE_load_file(s->st, ca_file)) {
            openssl_reason(why, sizeof why);
            td_cert_fmt(err, errlen, "ca-file %s: no PEM certificate could be loaded (%s)",
                        ca_file, why);
            td_store_free(s);
            return NULL;
        }
    }
    if (ca_path) {
        struct stat sb;
        /* The hashed directory is read lazily, one subject at a time: an
         * unusable one would otherwise look like an empty store. */
        if (stat(ca_path, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
            td_cert_fmt(err, errlen, "ca-path %s: not a directory", ca_path);
            td_store_free(s);
            return NULL;
        }
        if (stat(ca_path, &sb) != 0 || access(ca_path, R_OK | X_OK) != 0) {
            td_cert_fmt(err, errlen, "ca-path %s: %s", ca_path, strerror(errno));
            td_store_free(s);
            return NULL;
        }
        if (!X509_STORE_load_path(s->st, ca_path)) {
            openssl_reason(why, sizeof why);
            td_cert_fmt(err, errlen, "ca-path %s: %s", ca_path, why);
            td_store_free(s);
            return NULL;
        }
    }
    if (ca_file && ca_path)
        td_cert_fmt(s->name, sizeof s->name, "ca-file %s, ca-path %s", ca_file, ca_path);
    else if (ca_file)
        td_cert_fmt(s->name, sizeof s->name, "ca-file %s", ca_file);
    else
        td_cert_fmt(s->name, sizeof s->name, "ca-path %s", ca_path);
    ERR_clear_error();
    return s;
}

const char *td_store_name(const td_store *s)
{
    return s ? s->name : "";
}

void td_store_free(td_store *s)
{
    if (!s)
        return;
    X509_STORE_free(s->st);
    free(s);
}

const char *td_path_verdict_name(td_path_verdict v)
{
    switch (v) {
    case TD_PATH_OK: return "ok";
    case TD_PATH_INCOMPLETE: return "incomplete chain";
    case TD_PATH_UNTRUSTED_ROOT: return "untrusted root";
    case TD_PATH_SELF_SIGNED_LEAF: return "self-signed leaf";
    case TD_PATH_EXPIRED: return "expired";
    case TD_PATH_NOT_YET_VALID: return "not yet valid";
    case TD_PATH_BAD_SIGNATURE: return "bad signature";
    case TD_PATH_PURPOSE: return "wrong purpose";
    case TD_PATH_OTHER: return "other";
    }
    return "other";
}

static td_path_verdict verdict_of(int err)
{
    switch (err) {
    case X509_V_OK:
        return TD_PATH_OK;
    /* The top of what could be built names an issuer found nowhere; for a
     * store certificate that is no root, OpenSSL says "unable to get issuer
     * certificate" (2) rather than "... locally" (20). */
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return TD_PATH_INCOMPLETE;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return TD_PATH_UNTRUSTED_ROOT;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return TD_PATH_SELF_SIGNED_LEAF;
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return TD_PATH_EXPIRED;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return TD_PATH_NOT_YET_VALID;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
        return TD_PATH_BAD_SIGNATURE;
    case X509_V_ERR_INVALID_PURPOSE:
        return TD_PATH_PURPOSE;
    default:
        return TD_PATH_OTHER;
    }
}

static int start(X509_STORE_CTX *ctx, X509_STORE *st, X509 *leaf, STACK_OF(X509) *pool,
                 int64_t at, unsigned long flags)
{
    if (!X509_STORE_CTX_init(ctx, st, leaf, pool))
        return -1;
    /* What libssl sets when a client checks a server's certificate: the
     * sslserver purpose (RFC 5280 4.2.1.3 / 4.2.1.12 for the leaf,
     * basicConstraints for the CAs) and the SSL server trust setting. */
    if (!X509_STORE_CTX_set_default(ctx, "ssl_server"))
        return -1;
    X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(ctx);
    /* OpenSSL 3.0 lets a set check time win over X509_V_FLAG_NO_CHECK_TIME,
     * so the pass without dates must not set one. */
    if (flags & X509_V_FLAG_NO_CHECK_TIME)
        X509_VERIFY_PARAM_clear_flags(p, X509_V_FLAG_USE_CHECK_TIME);
    else
        X509_VERIFY_PARAM_set_time(p, (time_t)at);
    /* A path must end at a self-signed anchor from the store, as for every
     * client that does not opt into partial chains. */
    X509_VERIFY_PARAM_clear_flags(p, X509_V_FLAG_PARTIAL_CHAIN);
    if (flags)
        X509_VERIFY_PARAM_set_flags(p, flags);
    return 0;
}

static bool same_in(STACK_OF(X509) *sk, X509 *x)
{
    for (int i = 0; i < sk_X509_num(sk); i++)
        if (X509_cmp(sk_X509_value(sk, i), x) == 0)
            return true;
    return false;
}

/* The store holds a certificate with this subject name and, when x is
 * given, x itself. */
static bool in_store(X509_STORE_CTX *ctx, const X509_NAME *name, X509 *x)
{
    bool found = false;
    STACK_OF(X509) *cands = X509_STORE_CTX_get1_certs(ctx, name);
    for (int i = 0; cands && i < sk_X509_num(cands) && !found; i++)
        found = !x || X509_cmp(sk_X509_value(cands, i), x) == 0;
    sk_X509_pop_free(cands, X509_free);
    ERR_clear_error();
    return found;
}

/* Dates, digests and key sizes along the path, from the facts of each
 * certificate; these do not depend on how OpenSSL orders its checks. */
static void scan_path(STACK_OF(X509) *path, int64_t at, td_path *out)
{
    td_cert_info *ci = malloc(sizeof *ci);
    if (!ci)
        return;
    int np = sk_X509_num(path);
    for (int d = 0; d < np; d++) {
        X509 *x = sk_X509_value(path, d);
        unsigned char *der = NULL;
        char err[128];
        int len = i2d_X509(x, &der);
        if (len <= 0 || td_cert_info_from_x509(x, der, (size_t)len, ci, err, sizeof err) != 0) {
            OPENSSL_free(der);
            continue;
        }
        OPENSSL_free(der);
        td_cert_time t = td_cert_check_time(ci, at, 0);
        if (t == TD_TIME_EXPIRED && out->expired_depth < 0)
            out->expired_depth = d;
        if (t == TD_TIME_NOT_YET_VALID && out->not_yet_valid_depth < 0)
            out->not_yet_valid_depth = d;
        /* RFC 5280 6.1: a trust anchor's own signature plays no part in the
         * path; a SHA-1 self-signature on a root is harmless. */
        bool anchor_sig = d == np - 1 && d > 0 && ci->self_signed;
        if (ci->sig_weak && !anchor_sig && out->weak_sig_depth < 0) {
            out->weak_sig_depth = d;
            td_cert_copy(out->weak_sig_alg, sizeof out->weak_sig_alg, ci->sig_alg);
        }
        if (td_cert_key_small(ci->key_type, ci->key_bits) && out->small_key_depth < 0)
            out->small_key_depth = d;
        if (d == np - 1) {
            td_cert_copy(out->missing_issuer_aia, sizeof out->missing_issuer_aia,
                         ci->aia_ca_issuers);
            out->top_is_ca = ci->is_ca;
        }
    }
    free(ci);
}

static void push_decoded(STACK_OF(X509) *sk, const td_der *d, size_t n)
{
    for (size_t i = 0; d && i < n; i++) {
        X509 *x = td_cert_d2i(d[i], NULL, 0);
        if (x && !sk_X509_push(sk, x))
            X509_free(x);
    }
}

int td_verify_path(td_store *st, const td_der *chain, size_t n, const td_der *extra,
                   size_t n_extra, int64_t at, td_path *out)
{
    memset(out, 0, sizeof *out);
    out->verdict = out->trust = TD_PATH_OTHER;
    out->x509_err = out->strict_err = X509_V_ERR_UNSPECIFIED;
    out->depth = out->expired_depth = out->not_yet_valid_depth = -1;
    out->weak_sig_depth = out->small_key_depth = -1;
    if (!st || !chain || n == 0) {
        td_cert_copy(out->x509_err_text, sizeof out->x509_err_text, "no certificate to verify");
        return -1;
    }
    char err[128];
    X509 *leaf = td_cert_d2i(chain[0], err, sizeof err);
    if (!leaf) {
        td_cert_fmt(out->x509_err_text, sizeof out->x509_err_text, "the leaf: %s", err);
        return -1;
    }

    int rc = -1;
    STACK_OF(X509) *sent = sk_X509_new_null(), *extras = sk_X509_new_null();
    STACK_OF(X509) *pool = sk_X509_new_null(); /* borrows from sent and extras */
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (!sent || !extras || !pool || !ctx)
        goto oom;
    push_decoded(sent, chain + 1, n - 1);
    push_decoded(extras, extra, n_extra);
    for (int i = 0; i < sk_X509_num(sent); i++)
        if (!sk_X509_push(pool, sk_X509_value(sent, i)))
            goto oom;
    for (int i = 0; i < sk_X509_num(extras); i++)
        if (!sk_X509_push(pool, sk_X509_value(extras, i)))
            goto oom;

    /* Pass 1, what a client sees at `at`. */
    if (start(ctx, st->st, leaf, pool, at, 0) != 0)
        goto oom;
    int ok = X509_verify_cert(ctx);
    int e = X509_STORE_CTX_get_error(ctx);
    if (ok == 1)
        e = X509_V_OK;
    out->x509_err = e;
    td_cert_copy(out->x509_err_text, sizeof out->x509_err_text, X509_verify_cert_error_string(e));
    out->verdict = verdict_of(e);
    out->depth = e == X509_V_OK ? -1 : X509_STORE_CTX_get_error_depth(ctx);

    /* The path as built, even when verification stopped: on a missing
     * issuer it ends at the last certificate that could be placed. */
    STACK_OF(X509) *path = X509_STORE_CTX_get1_chain(ctx);
    if (!path || sk_X509_num(path) == 0) {
        sk_X509_pop_free(path, X509_free);
        path = sk_X509_new_null();
        if (!path || !X509_up_ref(leaf) || !sk_X509_push(path, leaf)) {
            sk_X509_pop_free(path, X509_free);
            goto oom;
        }
    }
    int np = sk_X509_num(path);
    for (int d = 0; d < np; d++) {
        X509 *x = sk_X509_value(path, d);
        td_path_src src = d == 0 || same_in(sent, x) ? TD_SRC_SENT
                          : same_in(extras, x)       ? TD_SRC_EXTRA
                                                     : TD_SRC_STORE;
        if (src == TD_SRC_EXTRA)
            out->used_extra = true;
        if ((size_t)d < TD_PATH_MAX) {
            td_cert_dn(X509_get_subject_name(x), out->subjects[d], sizeof out->subjects[0]);
            out->src[d] = src;
            out->n = (size_t)d + 1;
        }
    }
    X509 *top = sk_X509_value(path, np - 1);
    td_cert_dn(X509_get_subject_name(top), out->top_subject, sizeof out->top_subject);
    out->top_in_store = in_store(ctx, X509_get_subject_name(top), top);
    bool issuer_named = in_store(ctx, X509_get_issuer_name(top), NULL);
    scan_path(path, at, out);
    X509_STORE_CTX_cleanup(ctx);

    /* Pass 2, dates aside: is the path sound otherwise?  An expired leaf on
     * an incomplete chain is two problems, and pass 1 names only one. */
    if (start(ctx, st->st, leaf, pool, at, X509_V_FLAG_NO_CHECK_TIME) != 0) {
        sk_X509_pop_free(path, X509_free);
        goto oom;
    }
    out->trust = X509_verify_cert(ctx) == 1 ? TD_PATH_OK
                                            : verdict_of(X509_STORE_CTX_get_error(ctx));
    X509_STORE_CTX_cleanup(ctx);
    if (td_path_is(out, TD_PATH_INCOMPLETE)) {
        td_cert_dn(X509_get_issuer_name(top), out->missing_issuer, sizeof out->missing_issuer);
        out->missing_issuer_in_store = issuer_named;
    } else {
        out->missing_issuer_aia[0] = '\0';
    }
    sk_X509_pop_free(path, X509_free);

    /* Pass 3, only for a good path: the RFC 5280 profile checks of
     * X509_V_FLAG_X509_STRICT (key identifiers, critical basicConstraints,
     * ...), which some clients (Python 3.13) turn on. */
    if (out->verdict == TD_PATH_OK) {
        if (start(ctx, st->st, leaf, pool, at, X509_V_FLAG_X509_STRICT) != 0)
            goto oom;
        int se = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
        out->strict_err = se;
        td_cert_copy(out->strict_err_text, sizeof out->strict_err_text,
                     X509_verify_cert_error_string(se));
        X509_STORE_CTX_cleanup(ctx);
    } else {
        out->strict_err = X509_V_OK;
    }
    rc = 0;
    goto done;

oom:
    out->verdict = out->trust = TD_PATH_OTHER;
    td_cert_copy(out->x509_err_text, sizeof out->x509_err_text, "out of memory");
done:
    X509_STORE_CTX_free(ctx);
    sk_X509_free(pool);
    sk_X509_pop_free(sent, X509_free);
    sk_X509_pop_free(extras, X509_free);
    X509_free(leaf);
    ERR_clear_error();
    return rc;
}

td_missing_kind td_path_missing_kind(const td_path *p)
{
    if (!td_path_is(p, TD_PATH_INCOMPLETE) || p->n == 0)
        return TD_MISSING_NONE;
    if (p->n == 1)
        return TD_MISSING_LEAF_ISSUER;
    if (p->missing_issuer_aia[0])
        return TD_MISSING_AIA_NAMED;
    /* A path longer than td_path keeps has no recorded source for its top. */
    if (!p->top_is_ca || p->n >= TD_PATH_MAX || p->src[p->n - 1] != TD_SRC_SENT)
        return TD_MISSING_NOT_SENT_CA;
    if (p->missing_issuer_in_store)
        return TD_MISSING_NAME_IN_STORE;
    return TD_MISSING_ROOT;
}
