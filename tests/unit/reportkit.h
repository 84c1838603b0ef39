/* What the reporter tests (test_report, test_report_chain) share: DER
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

#endif
