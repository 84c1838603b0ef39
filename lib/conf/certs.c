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

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "util/str.h"

/* Opens a configured file: its state and, when OK, a BIO on it. */
static td_cfile_state open_file(const char *dir, const char *name, BIO **out, char *why, size_t cap)
{
    *out = NULL;
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
    } else if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = TD_CFILE_UNREADABLE;
        td_errbuf(why, cap, "%s is not a regular file", path);
    } else if (sb.st_size == 0) {
        st = TD_CFILE_EMPTY;
        td_errbuf(why, cap, "%s is empty", path);
    } else if (!(*out = BIO_new_fp(fp, BIO_CLOSE))) {
        st = TD_CFILE_UNREADABLE;
        td_errbuf(why, cap, "out of memory");
    } else {
        fp = NULL; /* the BIO owns it */
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

static X509 *read_chain(td_ccert *c, BIO *b)
{
    X509 *leaf = NULL, *x;
    while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
        keep_der(c, x);
        if (!leaf)
            leaf = x;
        else
            X509_free(x);
    }
    ERR_clear_error();
    return leaf;
}

void td_conf_read_cert(td_ccert *c, const char *dir, td_store *st, int64_t now)
{
    BIO *b = NULL;
    X509 *leaf = NULL;
    EVP_PKEY *key = NULL;
    c->key_match = TD_UNKNOWN;
    c->cert_state = open_file(dir, c->cert.value, &b, c->cert_why, sizeof c->cert_why);
    if (b) {
        if (!(leaf = read_chain(c, b))) {
            c->cert_state = TD_CFILE_NOT_PEM;
            td_errbuf(c->cert_why, sizeof c->cert_why, "%s holds no PEM certificate", c->cert.value);
        }
        BIO_free(b);
    }
    const char *key_name = c->key.value ? c->key.value : c->cert.value;
    c->key_state = open_file(dir, key_name, &b, c->key_why, sizeof c->key_why);
    if (b) {
        if (!(key = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)""))) {
            c->key_state = TD_CFILE_NOT_PEM;
            td_errbuf(c->key_why, sizeof c->key_why, "%s holds no PEM private key (or one with a passphrase)",
                      key_name);
        }
        ERR_clear_error();
        BIO_free(b);
    }
    if (leaf && key)
        c->key_match = X509_check_private_key(leaf, key) == 1 ? TD_YES : TD_NO;
    ERR_clear_error();
    if (leaf && st) {
        td_der *ders = calloc(c->n_chain, sizeof *ders);
        if (ders) {
            for (size_t i = 0; i < c->n_chain; i++)
                ders[i] = td_cert_der(&c->chain[i]);
            c->path_done = td_verify_path(st, ders, c->n_chain, NULL, 0, now, &c->path) == 0;
            free(ders);
        }
    }
    X509_free(leaf);
    EVP_PKEY_free(key);
}
