/* What the reporter tests (test_report, test_report_chain, the HTML ones) share: DER
 * moved into malloc'd memory, and a reporter's output captured as text.
 * Included after <cmocka.h>. */
#ifndef TD_TEST_REPORTKIT_H
#define TD_TEST_REPORTKIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "check.h"
#include "tlsdiag.h"

/* Moves DER that OpenSSL allocated into malloc'd memory, which is how the
 * observations hold it (td_obs_free uses free()). */
static inline uint8_t *own_der(unsigned char **der, int n, size_t *len)
{
    assert_true(n > 0);
    uint8_t *copy = malloc((size_t)n);
    assert_non_null(copy);
    memcpy(copy, *der, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(*der);
    *der = NULL;
    return copy;
}

/* A self-signed P-256 certificate for O=org, CN=cn, valid from 2023-11 to
 * 2027-01, DER in malloc'd memory as the probes keep it. */
static inline uint8_t *make_named_cert(const char *org, const char *cn, long serial, size_t *len)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    assert_non_null(key);
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)org, -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    ASN1_TIME_set(X509_getm_notBefore(x), 1700000000);
    ASN1_TIME_set(X509_getm_notAfter(x), 1800000000);
    X509_set_pubkey(x, key);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    uint8_t *copy = own_der(&der, i2d_X509(x, &der), len);
    X509_free(x);
    EVP_PKEY_free(key);
    return copy;
}

/* Not inlined: GCC then follows the pointer open_memstream fills back to
 * the local it was written through, and calls every pointer into the
 * returned text dangling. */
static char *capture(int (*write)(const td_report *, FILE *, bool), const td_report *r, bool color, int *rc)
    __attribute__((noinline, unused));
static char *capture(int (*write)(const td_report *, FILE *, bool), const td_report *r, bool color, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *rc = write(r, f, color);
    fclose(f);
    return buf;
}

static inline int write_json(const td_report *r, FILE *f, bool color)
{
    (void)color;
    return td_report_write_json(r, f);
}

/* The long text form (-v): every finding, the chain, the observations. */
static inline int write_text_long(const td_report *r, FILE *f, bool color)
{
    return td_report_write_text_ex(r, f, (color ? TD_TEXT_COLOR : 0) | TD_TEXT_VERBOSE, 0);
}

/* How many times what occurs in s (overlaps counted). */
static inline size_t occurrences(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

#endif
