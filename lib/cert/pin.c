/* Public key pins as curl's --pinnedpubkey takes them: "sha256//" and the
 * base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo. */
#include "cert/cert.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#define PIN_PREFIX "sha256//"
#define PIN_B64_LEN 44 /* 32 bytes in base64, with its one '=' */

bool td_pin_parse(const char *s, size_t len, uint8_t out[32])
{
    size_t pl = sizeof PIN_PREFIX - 1;
    if (len != pl + PIN_B64_LEN || memcmp(s, PIN_PREFIX, pl) != 0 || s[len - 1] != '=' || s[len - 2] == '=')
        return false;
    unsigned char buf[36];
    /* EVP_DecodeBlock counts the padding as bytes: 33 for one '='. */
    if (EVP_DecodeBlock(buf, (const unsigned char *)s + pl, PIN_B64_LEN) != 33)
        return false;
    memcpy(out, buf, 32);
    return true;
}

bool td_cert_spki_sha256(td_der cert, uint8_t out[32])
{
    const unsigned char *p = cert.p;
    X509 *x = d2i_X509(NULL, &p, (long)cert.len);
    unsigned char *spki = NULL;
    int n = x ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki) : -1;
    bool ok = n > 0 && SHA256(spki, (size_t)n, out) != NULL;
    OPENSSL_free(spki);
    X509_free(x);
    return ok;
}

void td_pin_text(const uint8_t sha[32], char *buf, size_t cap)
{
    unsigned char b64[48];
    EVP_EncodeBlock(b64, sha, 32);
    snprintf(buf, cap, PIN_PREFIX "%s", (const char *)b64);
}
