/* libFuzzer target: the AIA issuer fetch's two parsers of untrusted input
 * (lib/cert/aia.c).  The first byte picks one: even, the input is an HTTP
 * response as a CA's server (or anyone on the path) may send it; odd, the
 * rest is a caIssuers URL as a server's certificate may carry it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "cert/cert.h"

static void url(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return;
    memcpy(s, data, size);
    s[size] = '\0';
    char host[256], path[1024];
    uint16_t port = 0;
    if (td_aia_parse_url(s, host, sizeof host, &port, path, sizeof path)) {
        /* what goes on the wire: a host and a request path, no control
         * bytes, no spaces, a port that exists */
        if (!host[0] || port == 0 || path[0] != '/')
            abort();
        for (const char *p = path; *p; p++)
            if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
                abort();
        for (const char *p = host; *p; p++)
            if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
                abort();
        if (strncmp(s, "http://", 7) != 0)
            abort();
    }
    free(s);
}

static void response(const uint8_t *data, size_t size)
{
    uint8_t *der = NULL;
    size_t len = 0;
    char err[128];
    err[0] = '\0';
    int rc = td_aia_cert_from_http(data, size, &der, &len, err, sizeof err);
    if (rc == 0) {
        /* one whole DER certificate, nothing after it */
        const unsigned char *p = der;
        X509 *x = der && len ? d2i_X509(NULL, &p, (long)len) : NULL;
        if (!x || p != der + len)
            abort();
        X509_free(x);
    } else if (rc != -1 || der || len || !err[0] || !memchr(err, '\0', sizeof err)) {
        abort();
    }
    free(der);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1)
        url(data + 1, size - 1);
    else
        response(data + 1, size - 1);
    return 0;
}
