/* The issuer certificate a leaf's authorityInfoAccess caIssuers URL points
 * at (RFC 5280 section 4.2.2.1): the URL as the certificate gives it, and
 * the HTTP response a CA's server sends back.  Both are untrusted bytes:
 * the URL comes from the server's certificate, the response from whoever
 * answers.  No I/O here; lib/probe/handshake.c fetches. */
#include "cert/cert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "util/str.h"
#include "wire/bytes.h"

/* ---- reading ASCII through td_rd ------------------------------------------ */

/* Whether r starts with the bytes of lit. */
static bool starts_with(const td_rd *r, const char *lit)
{
    uint8_t c;
    for (size_t i = 0; lit[i]; i++)
        if (!td_rd_peek(r, i, &c) || c != (uint8_t)lit[i])
            return false;
    return true;
}

/* Consumes lit when r starts with it. */
static bool skip_literal(td_rd *r, const char *lit)
{
    return starts_with(r, lit) && td_rd_skip(r, strlen(lit));
}

/* Splits off the bytes before the first one listed in stop (all of r when
 * there is none); the stop byte stays in r. */
static td_rd take_until(td_rd *r, const char *stop)
{
    size_t n = 0;
    uint8_t c;
    while (td_rd_peek(r, n, &c) && !memchr(stop, c, strlen(stop)))
        n++;
    td_rd out;
    td_rd_sub(r, n, &out);
    return out;
}

/* Consumes r up to and including the first occurrence of mark. */
static bool skip_past(td_rd *r, const char *mark)
{
    while (td_rd_left(r) >= strlen(mark)) {
        if (skip_literal(r, mark))
            return true;
        td_rd_skip(r, 1);
    }
    return false;
}

static bool contains(td_rd r, uint8_t b)
{
    uint8_t c;
    while (td_rd_u8(&r, &c))
        if (c == b)
            return true;
    return false;
}

/* Bytes that may stand in an HTTP request line or Host header: printable
 * ASCII, no space. */
static bool request_safe(td_rd r)
{
    uint8_t c;
    while (td_rd_u8(&r, &c))
        if (c <= 0x20 || c >= 0x7f)
            return false;
    return true;
}

/* ":PORT" after the host, the colon already read: 1 to 65535. */
static bool read_port(td_rd *r, uint16_t *port)
{
    char digits[8];
    size_t n = td_rd_left(r);
    if (n == 0 || n >= sizeof digits || !td_rd_copy(r, (uint8_t *)digits, n))
        return false;
    digits[n] = '\0';
    unsigned long v;
    if (td_parse_uint(digits, 1, 65535, &v) != 0)
        return false;
    *port = (uint16_t)v;
    return true;
}

/* ---- the caIssuers URL ------------------------------------------------------ */

bool td_aia_parse_url(const char *url, char *host, size_t hcap, uint16_t *port, char *path, size_t pcap)
{
    if (!url || !host || hcap == 0 || !port || !path || pcap == 0)
        return false;
    host[0] = '\0';
    path[0] = '\0';
    td_rd r;
    td_rd_init(&r, (const uint8_t *)url, strlen(url));
    /* Only plain HTTP: RFC 5280 section 4.2.2.1 names http and ldap, and
     * an https URL would need the very chain being built. */
    if (!skip_literal(&r, "http://"))
        return false;
    td_rd auth = take_until(&r, "/?#"), h;
    if (td_rd_empty(&auth) || contains(auth, '@'))
        return false; /* no host, or user info: not what a CA publishes */
    if (skip_literal(&auth, "[")) {
        /* RFC 3986 section 3.2.2: an IPv6 literal in brackets. */
        h = take_until(&auth, "]");
        if (!skip_literal(&auth, "]") || td_rd_empty(&h))
            return false;
        if (!td_rd_empty(&auth) && !starts_with(&auth, ":"))
            return false;
    } else {
        h = take_until(&auth, ":");
    }
    size_t hl = td_rd_left(&h);
    if (hl == 0 || hl >= hcap)
        return false;
    *port = 80;
    if (skip_literal(&auth, ":") && !read_port(&auth, port))
        return false;
    if (!request_safe(h))
        return false;
    td_rd_copy(&h, (uint8_t *)host, hl);
    host[hl] = '\0';
    /* The request line carries the path as given ("/" when the URL has
     * none); a fragment is not sent. */
    td_rd rest = take_until(&r, "#");
    if (!request_safe(rest))
        return false; /* would break the request line */
    bool slash = starts_with(&rest, "/");
    size_t rl = td_rd_left(&rest);
    if (rl + (slash ? 1 : 2) > pcap)
        return false;
    size_t k = 0;
    if (!slash)
        path[k++] = '/';
    td_rd_copy(&rest, (uint8_t *)path + k, rl);
    path[k + rl] = '\0';
    return true;
}

/* ---- the HTTP response ------------------------------------------------------ */

static int der_of(X509 *x, uint8_t **der, size_t *der_len)
{
    unsigned char *d = NULL;
    int n = i2d_X509(x, &d);
    if (n <= 0)
        return -1;
    *der = malloc((size_t)n);
    if (!*der) {
        OPENSSL_free(d);
        return -1;
    }
    memcpy(*der, d, (size_t)n);
    *der_len = (size_t)n;
    OPENSSL_free(d);
    return 0;
}

int td_aia_cert_from_http(const uint8_t *buf, size_t len, uint8_t **der, size_t *der_len, char *err, size_t errlen)
{
    *der = NULL;
    *der_len = 0;
    /* RFC 9112 section 4: "HTTP/1.x 200 ..." then headers up to an empty
     * line; only a 200 carries the certificate. */
    td_rd r, status;
    td_rd_init(&r, buf, len);
    if (!td_rd_sub(&r, 12, &status) || !skip_literal(&status, "HTTP/1.") || !td_rd_skip(&status, 1) ||
        !skip_literal(&status, " ")) {
        snprintf(err, errlen, "not an HTTP response");
        return -1;
    }
    if (!starts_with(&status, "200")) {
        char code[4];
        size_t k = 0;
        uint8_t c;
        while (k < 3 && td_rd_u8(&status, &c))
            code[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        code[k] = '\0';
        snprintf(err, errlen, "HTTP status %s", code);
        return -1;
    }
    if (!skip_past(&r, "\r\n\r\n") || td_rd_empty(&r)) {
        snprintf(err, errlen, "no body in the HTTP response");
        return -1;
    }
    const uint8_t *body = td_rd_ptr(&r);
    size_t body_len = td_rd_left(&r);
    if (body_len > (size_t)INT32_MAX) {
        snprintf(err, errlen, "the body is too large");
        return -1;
    }
    /* RFC 5280 section 4.2.2.1: a DER certificate or a certs-only CMS
     * (PKCS#7) bundle; some servers send PEM. */
    const unsigned char *p = body;
    X509 *x = d2i_X509(NULL, &p, (long)body_len);
    if (!x) {
        BIO *b = BIO_new_mem_buf(body, (int)body_len);
        x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
        BIO_free(b);
    }
    if (!x) {
        p = body;
        PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)body_len);
        if (p7 && PKCS7_type_is_signed(p7) && p7->d.sign && p7->d.sign->cert && sk_X509_num(p7->d.sign->cert) > 0)
            x = X509_dup(sk_X509_value(p7->d.sign->cert, 0));
        PKCS7_free(p7);
    }
    if (!x) {
        ERR_clear_error();
        snprintf(err, errlen, "the body is not a certificate (DER, PEM or PKCS#7)");
        return -1;
    }
    int rc = der_of(x, der, der_len);
    X509_free(x);
    /* The formats tried and failed left errors on this thread's queue,
     * where a later SSL_get_error() would take them for its own. */
    ERR_clear_error();
    if (rc != 0)
        snprintf(err, errlen, "out of memory");
    return rc;
}
