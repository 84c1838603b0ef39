/* The TLS transform (tlspipe.h): OpenSSL with a memory BIO each way.  What
 * OpenSSL writes is moved at once into our own buffer, so the caller can
 * send it in whatever pieces the socket takes. */
#include "net/tlspipe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

struct td_tlspipe {
    SSL *ssl;
    BIO *rbio, *wbio;   /* owned by ssl */
    uint8_t *out;       /* ciphertext not yet sent: out[out_off..out_len) */
    size_t out_off, out_len, out_cap;
    bool starved;       /* the last read needs ciphertext that has not come */
    int first_byte;     /* the peer's first byte, -1 none yet */
    char host[256];
    td_pipe_fault fault;
    char why[200];
};

SSL_CTX *td_tlspipe_ctx(const char *cacert, bool insecure, char *err, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (insecure) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
        return ctx;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    int ok = cacert && cacert[0] ? SSL_CTX_load_verify_locations(ctx, cacert, NULL)
                                 : SSL_CTX_set_default_verify_paths(ctx);
    ERR_clear_error();
    if (!ok) {
        snprintf(err, errlen, "%s: no CA certificate could be read from it", cacert ? cacert : "the system store");
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static bool is_ip(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

td_tlspipe *td_tlspipe_new(SSL_CTX *ctx, const char *host)
{
    td_tlspipe *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->first_byte = -1;
    snprintf(p->host, sizeof p->host, "%s", host);
    p->ssl = SSL_new(ctx);
    p->rbio = BIO_new(BIO_s_mem());
    p->wbio = BIO_new(BIO_s_mem());
    if (!p->ssl || !p->rbio || !p->wbio) {
        BIO_free(p->rbio);
        BIO_free(p->wbio);
        SSL_free(p->ssl);
        free(p);
        return NULL;
    }
    /* An empty input BIO means "not yet", not the end of the stream. */
    BIO_set_mem_eof_return(p->rbio, -1);
    SSL_set_bio(p->ssl, p->rbio, p->wbio);
    X509_VERIFY_PARAM *vp = SSL_get0_param(p->ssl);
    bool ok;
    if (is_ip(host)) {
        /* RFC 6066 section 3: no IP literal in server_name. */
        ok = X509_VERIFY_PARAM_set1_ip_asc(vp, host) == 1;
    } else {
        ok = SSL_set_tlsext_host_name(p->ssl, host) == 1 && SSL_set1_host(p->ssl, host) == 1;
    }
    SSL_set_connect_state(p->ssl);
    if (!ok) {
        td_tlspipe_free(p);
        return NULL;
    }
    return p;
}

void td_tlspipe_free(td_tlspipe *p)
{
    if (!p)
        return;
    SSL_free(p->ssl);
    free(p->out);
    free(p);
}

/* Moves what OpenSSL wrote into out.  False when out of memory. */
static bool drain(td_tlspipe *p)
{
    size_t n;
    while ((n = BIO_ctrl_pending(p->wbio)) > 0) {
        if (p->out_off == p->out_len)
            p->out_off = p->out_len = 0;
        if (n > p->out_cap - p->out_len) {
            size_t cap = p->out_len + n + 4096;
            uint8_t *o = realloc(p->out, cap);
            if (!o)
                return false;
            p->out = o;
            p->out_cap = cap;
        }
        int got = BIO_read(p->wbio, p->out + p->out_len, (int)n);
        if (got <= 0)
            return false;
        p->out_len += (size_t)got;
    }
    return true;
}

static void set_fault(td_tlspipe *p, td_pipe_fault f, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_fault(td_tlspipe *p, td_pipe_fault f, const char *fmt, ...)
{
    if (p->fault)
        return;
    p->fault = f;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why, sizeof p->why, fmt, ap);
    va_end(ap);
}

static void judge_cert(td_tlspipe *p, long v)
{
    const char *s = X509_verify_cert_error_string(v);
    switch (v) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
        set_fault(p, TD_PIPE_EXPIRED, "the proxy's certificate is out of its validity period (%s)", s);
        return;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        set_fault(p, TD_PIPE_NAME, "the proxy's certificate does not name %s", p->host);
        return;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
        set_fault(p, TD_PIPE_UNTRUSTED, "the proxy's certificate is not trusted (%s)", s);
        return;
    default:
        set_fault(p, TD_PIPE_CERT, "the proxy's certificate was refused (%s)", s);
        return;
    }
}

/* A TLS error: whose fault, in words. */
static void judge(td_tlspipe *p, bool handshake)
{
    unsigned long e = ERR_peek_error();
    long v = SSL_get_verify_result(p->ssl);
    /* RFC 8446 section 5.1: a record starts with its content type, 20 to
     * 24; anything else is another protocol answering. */
    if (p->first_byte >= 0 && (p->first_byte < 20 || p->first_byte > 24)) {
        set_fault(p, TD_PIPE_NOT_TLS, "the proxy does not answer in TLS%s",
                  p->first_byte == 'H' ? " (it answered in HTTP: an http:// proxy?)" : "");
    } else if (ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED && v != X509_V_OK) {
        judge_cert(p, v);
    } else {
        const char *r = e ? ERR_reason_error_string(e) : NULL;
        set_fault(p, handshake ? TD_PIPE_HANDSHAKE : TD_PIPE_BROKEN, "the TLS %s with the proxy %s (%s)",
                  handshake ? "handshake" : "session", handshake ? "failed" : "broke", r ? r : "TLS error");
    }
    ERR_clear_error();
}

int td_tlspipe_handshake(td_tlspipe *p)
{
    if (p->fault)
        return -1;
    ERR_clear_error();
    int rc = SSL_do_handshake(p->ssl);
    int e = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(p->ssl, rc);
    if (!drain(p))
        return -1;
    if (rc == 1)
        return 1;
    if (e == SSL_ERROR_WANT_READ)
        return 0;
    judge(p, true);
    return -1;
}

bool td_tlspipe_put(td_tlspipe *p, const uint8_t *in, size_t len)
{
    if (!len)
        return true;
    if (p->first_byte < 0)
        p->first_byte = in[0];
    p->starved = false;
    return BIO_write(p->rbio, in, (int)len) == (int)len;
}

int td_tlspipe_write(td_tlspipe *p, const uint8_t *buf, size_t len)
{
    if (p->fault) {
        errno = EPROTO;
        return -1;
    }
    if (!len)
        return 0;
    ERR_clear_error();
    /* A memory BIO takes everything: the write is whole or fails. */
    int n = SSL_write(p->ssl, buf, (int)len);
    if (n <= 0 || !drain(p)) {
        judge(p, false);
        errno = EPROTO;
        return -1;
    }
    return n;
}

int td_tlspipe_read(td_tlspipe *p, uint8_t *buf, size_t len)
{
    if (p->fault) {
        errno = EPROTO;
        return -1;
    }
    ERR_clear_error();
    int n = SSL_read(p->ssl, buf, (int)len);
    int e = n > 0 ? SSL_ERROR_NONE : SSL_get_error(p->ssl, n);
    /* Reading may write: a KeyUpdate's answer (RFC 8446 section 4.6.3). */
    drain(p);
    if (n > 0)
        return n;
    if (e == SSL_ERROR_ZERO_RETURN)
        return 0;
    if (e == SSL_ERROR_WANT_READ) {
        p->starved = true;
        errno = EAGAIN;
        return -1;
    }
    judge(p, false);
    errno = EPROTO;
    return -1;
}

bool td_tlspipe_readable(const td_tlspipe *p)
{
    return SSL_pending(p->ssl) > 0 || (!p->starved && BIO_ctrl_pending(p->rbio) > 0);
}

size_t td_tlspipe_out(td_tlspipe *p, const uint8_t **data)
{
    *data = p->out + p->out_off;
    return p->out_len - p->out_off;
}

void td_tlspipe_sent(td_tlspipe *p, size_t n)
{
    size_t left = p->out_len - p->out_off;
    p->out_off += n < left ? n : left;
}

td_pipe_fault td_tlspipe_fault(const td_tlspipe *p, char *why, size_t len)
{
    if (len)
        snprintf(why, len, "%s", p->why);
    return p->fault;
}

const char *td_tlspipe_version(const td_tlspipe *p)
{
    return SSL_is_init_finished(p->ssl) ? SSL_get_version(p->ssl) : "";
}

const char *td_pipe_fault_name(td_pipe_fault f)
{
    switch (f) {
    case TD_PIPE_OK: return "none";
    case TD_PIPE_UNTRUSTED: return "untrusted";
    case TD_PIPE_EXPIRED: return "expired";
    case TD_PIPE_NAME: return "name";
    case TD_PIPE_CERT: return "certificate";
    case TD_PIPE_NOT_TLS: return "not-tls";
    case TD_PIPE_HANDSHAKE: return "handshake";
    case TD_PIPE_BROKEN: return "broken";
    }
    return "?";
}
