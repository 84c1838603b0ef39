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

bool td_aia_parse_url(const char *url, char *host, size_t hcap, uint16_t *port, char *path, size_t pcap)
{
    if (!url || !host || hcap == 0 || !port || !path || pcap == 0)
        return false;
    host[0] = '\0';
    path[0] = '\0';
    /* Only plain HTTP: RFC 5280 section 4.2.2.1 names http and ldap, and
     * an https URL would need the very chain being built. */
    if (strncmp(url, "http://", 7) != 0)
        return false;
    const char *auth = url + 7;
    size_t alen = strcspn(auth, "/?#");
    const char *rest = auth + alen;
    if (alen == 0 || memchr(auth, '@', alen))
        return false; /* no host, or user info: not what a CA publishes */
    const char *hend = auth + alen; /* where the host ends */
    const char *hstart = auth;
    if (auth[0] == '[') {
        /* RFC 3986 section 3.2.2: an IPv6 literal in brackets. */
        const char *close = memchr(auth, ']', alen);
        if (!close || close == auth + 1)
            return false;
        hstart = auth + 1;
        hend = close;
        if (close + 1 != auth + alen && close[1] != ':')
            return false;
    } else {
        const char *colon = memchr(auth, ':', alen);
        if (colon)
            hend = colon;
    }
    size_t hl = (size_t)(hend - hstart);
    if (hl == 0 || hl >= hcap)
        return false;
    *port = 80;
    const char *pstart = hend + (auth[0] == '[' ? 1 : 0);
    if (pstart < auth + alen) { /* ":PORT" */
        char digits[8];
        size_t dl = (size_t)(auth + alen - pstart - 1);
        if (dl == 0 || dl >= sizeof digits)
            return false;
        memcpy(digits, pstart + 1, dl);
        digits[dl] = '\0';
        unsigned long v;
        if (td_parse_uint(digits, 1, 65535, &v) != 0)
            return false;
        *port = (uint16_t)v;
    }
    for (size_t i = 0; i < hl; i++)
        if ((unsigned char)hstart[i] <= 0x20 || (unsigned char)hstart[i] >= 0x7f)
            return false;
    memcpy(host, hstart, hl);
    host[hl] = '\0';
    /* The request line carries the path as given ("/" when the URL has
     * none); a fragment is not sent. */
    size_t rl = strcspn(rest, "#");
    for (size_t i = 0; i < rl; i++)
        if ((unsigned char)rest[i] <= 0x20 || (unsigned char)rest[i] >= 0x7f)
            return false; /* would break the request line */
    bool slash = rl > 0 && rest[0] == '/';
    if (rl + (slash ? 1 : 2) > pcap)
        return false;
    size_t k = 0;
    if (!slash)
        path[k++] = '/';
    memcpy(path + k, rest, rl);
    path[k + rl] = '\0';
    return true;
}

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
    td_rd r;
    td_rd_init(&r, buf, len);
    uint8_t status[12];
    if (!td_rd_copy(&r, status, sizeof status) || memcmp(status, "HTTP/1.", 7) != 0 || status[8] != ' ') {
        snprintf(err, errlen, "not an HTTP response");
        return -1;
    }
    if (memcmp(status + 9, "200", 3) != 0) {
        char code[4];
        for (size_t k = 0; k < 3; k++)
            code[k] = status[9 + k] >= 0x20 && status[9 + k] < 0x7f ? (char)status[9 + k] : '?';
        code[3] = '\0';
        snprintf(err, errlen, "HTTP status %s", code);
        return -1;
    }
    bool found = false;
    while (td_rd_left(&r) >= 4) {
        uint8_t c[4];
        for (size_t k = 0; k < 4; k++)
            td_rd_peek(&r, k, &c[k]);
        if (memcmp(c, "\r\n\r\n", 4) == 0) {
            td_rd_skip(&r, 4);
            found = true;
            break;
        }
        td_rd_skip(&r, 1);
    }
    if (!found || td_rd_empty(&r)) {
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
