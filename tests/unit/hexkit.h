/* Hex text to bytes for test vectors; include after cmocka.h. */
#ifndef TD_TESTS_HEXKIT_H
#define TD_TESTS_HEXKIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Decodes the whole string (an even number of hex digits) into out. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2;
    assert_int_equal(strlen(hex) % 2, 0);
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

#endif
