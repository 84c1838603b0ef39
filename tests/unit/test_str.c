/* Unit tests for the string helpers (lib/util/str.c): td_str growth, its
 * cap, hex output, and td_parse_uint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/str.h"

/* ---- td_str and td_parse_uint ----------------------------------------- */

static void test_str_growth(void **state)
{
    (void)state;
    td_str b;
    td_str_init(&b);
    assert_null(b.s);
    for (int i = 0; i < 5000; i++)
        td_str_printf(&b, "%02d", i % 100);
    assert_int_equal(b.err, 0);
    assert_int_equal(b.len, 10000);
    assert_int_equal(strlen(b.s), 10000);
    assert_memory_equal(b.s, "00010203", 8);
    assert_memory_equal(b.s + 9990, "9596979899", 10);
    td_str_add(&b, NULL);
    assert_int_equal(b.len, 10000);
    char *s = td_str_take(&b);
    assert_null(b.s);
    assert_int_equal(b.len, 0);
    assert_int_equal(strlen(s), 10000);
    free(s);

    /* never NULL, even when nothing was added */
    s = td_str_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

static void test_str_cap(void **state)
{
    (void)state;
    td_str b;
    td_str_init(&b);
    char *chunk = malloc(64 * 1024 + 1);
    memset(chunk, 'x', 64 * 1024);
    chunk[64 * 1024] = '\0';
    for (int i = 0; i < 15; i++)
        td_str_add(&b, chunk);
    assert_int_equal(b.err, 0);
    assert_int_equal(b.len, 15u * 64 * 1024);
    td_str_add(&b, chunk); /* 16 * 64 KiB = 1 MiB: no room for the terminator */
    assert_int_equal(b.err, 1);
    assert_int_equal(b.len, 15u * 64 * 1024);
    td_str_add(&b, "y"); /* sticky: nothing more goes in */
    td_str_printf(&b, "%d", 7);
    td_str_hex(&b, (const unsigned char *)"\x01", 1);
    assert_int_equal(b.len, 15u * 64 * 1024);
    assert_int_equal(b.s[b.len], '\0');
    td_str_free(&b);
    assert_null(b.s);
    assert_int_equal(b.err, 0);

    /* one huge format is refused whole, not cut */
    td_str_printf(&b, "%*s", (int)TD_STR_MAX, "z");
    assert_int_equal(b.err, 1);
    assert_int_equal(b.len, 0);
    td_str_free(&b);
    free(chunk);
}

static void test_str_hex(void **state)
{
    (void)state;
    td_str b;
    td_str_init(&b);
    td_str_hex(&b, (const unsigned char *)"\x16\x03\x01\x00\xff", 5);
    assert_string_equal(b.s, "16 03 01 00 ff");
    td_str_add(&b, " | ");
    td_str_hex(&b, (const unsigned char *)"\xab", 1);
    assert_string_equal(b.s, "16 03 01 00 ff | ab");
    td_str_hex(&b, NULL, 0);
    assert_string_equal(b.s, "16 03 01 00 ff | ab");
    td_str_free(&b);

    char *d = td_strdup("abc");
    assert_string_equal(d, "abc");
    free(d);
    assert_null(td_strdup(NULL));
}

static void test_hex_digit(void **state)
{
    (void)state;
    assert_int_equal(td_hex_digit('0'), 0);
    assert_int_equal(td_hex_digit('9'), 9);
    assert_int_equal(td_hex_digit('a'), 10);
    assert_int_equal(td_hex_digit('F'), 15);
    assert_int_equal(td_hex_digit('g'), -1);
    assert_int_equal(td_hex_digit('/'), -1);
    assert_int_equal(td_hex_digit(0), -1);
}

static void test_parse_uint(void **state)
{
    (void)state;
    unsigned long v = 12345;
    assert_int_equal(td_parse_uint("0", 0, 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(td_parse_uint("65535", 1, 65535, &v), 0);
    assert_int_equal(v, 65535);
    assert_int_equal(td_parse_uint("00012", 1, 65535, &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(td_parse_uint("18446744073709551615", 0, (unsigned long)-1, &v), sizeof(long) == 8 ? 0 : -1);

    v = 777;
    static const char *const bad[] = {
        "", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0", "65536", "99999999999999999999999999", "0",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (td_parse_uint(bad[i], 1, 65535, &v) != -1)
            fail_msg("'%s' accepted", bad[i]);
    assert_int_equal(td_parse_uint(NULL, 0, 1, &v), -1);
    assert_int_equal(td_parse_uint("18446744073709551616", 0, (unsigned long)-1, &v), -1);
    assert_int_equal(td_parse_uint("5", 6, 9, &v), -1);
    assert_int_equal(td_parse_uint("10", 6, 9, &v), -1);
    assert_int_equal(v, 777); /* untouched on failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_str_growth),
        cmocka_unit_test(test_str_cap),
        cmocka_unit_test(test_str_hex),
        cmocka_unit_test(test_hex_digit),
        cmocka_unit_test(test_parse_uint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
