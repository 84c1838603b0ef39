/* Unit tests for the bounded reader and writer (lib/wire/bytes.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/bytes.h"
#include "wire/tls.h"

static void test_rd_integers(void **state)
{
    (void)state;
    /* u8 0x01, u16 0x0203, u24 0x040506, u32 0x0708090a */
    static const uint8_t v[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
    td_rd r;
    td_rd_init(&r, v, sizeof v);
    uint8_t a;
    uint16_t b;
    uint32_t c, d;
    assert_true(td_rd_u8(&r, &a));
    assert_true(td_rd_u16(&r, &b));
    assert_true(td_rd_u24(&r, &c));
    assert_true(td_rd_u32(&r, &d));
    assert_int_equal(a, 0x01);
    assert_int_equal(b, 0x0203);
    assert_int_equal(c, 0x040506);
    assert_int_equal(d, 0x0708090a);
    assert_true(td_rd_empty(&r));
    assert_false(td_rd_u8(&r, &a));
}

static void test_rd_short(void **state)
{
    (void)state;
    /* three bytes: too short for a u32, and a failed read consumes nothing */
    static const uint8_t v[] = {0xaa, 0xbb, 0xcc};
    td_rd r;
    td_rd_init(&r, v, sizeof v);
    uint32_t x;
    uint8_t buf[4];
    assert_false(td_rd_u32(&r, &x));
    assert_int_equal(td_rd_left(&r), 3);
    assert_false(td_rd_copy(&r, buf, 4));
    assert_false(td_rd_skip(&r, 4));
    assert_int_equal(td_rd_left(&r), 3);
    assert_true(td_rd_u24(&r, &x));
    assert_int_equal(x, 0xaabbcc);
}

static void test_rd_prefixed(void **state)
{
    (void)state;
    /* 8-bit prefix 2 {aa bb}, 16-bit prefix 1 {cc}, 24-bit prefix 0 {} */
    static const uint8_t v[] = {0x02, 0xaa, 0xbb, 0x00, 0x01, 0xcc, 0x00, 0x00, 0x00};
    td_rd r, s;
    uint8_t x;
    td_rd_init(&r, v, sizeof v);
    assert_true(td_rd_prefixed8(&r, &s));
    assert_int_equal(td_rd_left(&s), 2);
    assert_true(td_rd_peek(&s, 1, &x));
    assert_int_equal(x, 0xbb);
    assert_false(td_rd_peek(&s, 2, &x));
    assert_true(td_rd_prefixed16(&r, &s));
    assert_int_equal(td_rd_left(&s), 1);
    assert_true(td_rd_u8(&s, &x));
    assert_int_equal(x, 0xcc);
    assert_true(td_rd_empty(&s));
    assert_true(td_rd_prefixed24(&r, &s));
    assert_true(td_rd_empty(&s));
    assert_true(td_rd_empty(&r));
}

static void test_rd_prefix_overrun(void **state)
{
    (void)state;
    /* a 16-bit prefix of 5 with only 2 body bytes: refused, reader untouched */
    static const uint8_t v[] = {0x00, 0x05, 0x11, 0x22};
    td_rd r, s;
    td_rd_init(&r, v, sizeof v);
    assert_false(td_rd_prefixed16(&r, &s));
    assert_int_equal(td_rd_left(&r), 4);
    assert_false(td_rd_prefixed24(&r, &s));
    assert_int_equal(td_rd_left(&r), 4);
    /* 8-bit prefix 0 is a valid empty field */
    assert_true(td_rd_prefixed8(&r, &s));
    assert_true(td_rd_empty(&s));
}

static void test_rd_sub_bounds(void **state)
{
    (void)state;
    /* a sub-reader cannot see past its field even though the parent has more */
    static const uint8_t v[] = {0x01, 0x02, 0x03, 0x04};
    td_rd r, s;
    uint16_t x;
    td_rd_init(&r, v, sizeof v);
    assert_true(td_rd_sub(&r, 1, &s));
    assert_false(td_rd_u16(&s, &x));
    assert_int_equal(td_rd_left(&r), 3);
    assert_false(td_rd_sub(&r, 4, &s));
}

static void test_rd_null(void **state)
{
    (void)state;
    td_rd r;
    uint8_t x;
    td_rd_init(&r, NULL, 10);
    assert_true(td_rd_empty(&r));
    assert_false(td_rd_u8(&r, &x));
    assert_true(td_rd_skip(&r, 0));
}

static void test_wr_prefixes(void **state)
{
    (void)state;
    uint8_t buf[32];
    td_wr w;
    td_wr_init(&w, buf, sizeof buf);
    td_wr_open(&w, 2);
    td_wr_u8(&w, 0x01);
    td_wr_open(&w, 1);
    td_wr_u16(&w, 0x0203);
    td_wr_close(&w);
    td_wr_open(&w, 3);
    td_wr_close(&w);
    td_wr_close(&w);
    td_wr_u24(&w, 0x0a0b0c);
    td_wr_u32(&w, 0xdeadbeef);
    assert_true(td_wr_ok(&w));
    /* 00 07 | 01 | 02 02 03 | 00 00 00 ; 0a 0b 0c ; de ad be ef */
    static const uint8_t want[] = {0x00, 0x07, 0x01, 0x02, 0x02, 0x03, 0x00, 0x00, 0x00,
                                   0x0a, 0x0b, 0x0c, 0xde, 0xad, 0xbe, 0xef};
    assert_int_equal(w.len, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
}

static void test_wr_overflow(void **state)
{
    (void)state;
    uint8_t buf[4];
    td_wr w;
    td_wr_init(&w, buf, sizeof buf);
    td_wr_u16(&w, 1);
    td_wr_u16(&w, 2);
    assert_true(td_wr_ok(&w));
    td_wr_u8(&w, 3);
    assert_false(td_wr_ok(&w));
    /* sticky: nothing later repairs it */
    assert_int_equal(w.len, 4);
    td_wr_init(&w, buf, sizeof buf);
    td_wr_bytes(&w, "abcde", 5);
    assert_false(td_wr_ok(&w));
    td_wr_init(&w, buf, sizeof buf);
    td_wr_zeros(&w, 5);
    assert_false(td_wr_ok(&w));
}

static void test_wr_unbalanced(void **state)
{
    (void)state;
    uint8_t buf[16];
    td_wr w;
    /* close with nothing open */
    td_wr_init(&w, buf, sizeof buf);
    td_wr_close(&w);
    assert_false(td_wr_ok(&w));
    /* open never closed */
    td_wr_init(&w, buf, sizeof buf);
    td_wr_open(&w, 2);
    assert_false(td_wr_ok(&w));
    /* bad width */
    td_wr_init(&w, buf, sizeof buf);
    td_wr_open(&w, 4);
    assert_false(td_wr_ok(&w));
}

static void test_wr_depth(void **state)
{
    (void)state;
    uint8_t buf[64];
    td_wr w;
    td_wr_init(&w, buf, sizeof buf);
    for (int i = 0; i < TD_WR_MAX_DEPTH; i++)
        td_wr_open(&w, 1);
    for (int i = 0; i < TD_WR_MAX_DEPTH; i++)
        td_wr_close(&w);
    assert_true(td_wr_ok(&w));
    td_wr_init(&w, buf, sizeof buf);
    for (int i = 0; i < TD_WR_MAX_DEPTH + 1; i++)
        td_wr_open(&w, 1);
    assert_false(td_wr_ok(&w));
}

static void test_wr_body_too_big(void **state)
{
    (void)state;
    static uint8_t buf[70000];
    td_wr w;
    /* 256 bytes under a 1-byte prefix */
    td_wr_init(&w, buf, sizeof buf);
    td_wr_open(&w, 1);
    td_wr_zeros(&w, 256);
    td_wr_close(&w);
    assert_false(td_wr_ok(&w));
    /* 255 fits */
    td_wr_init(&w, buf, sizeof buf);
    td_wr_open(&w, 1);
    td_wr_zeros(&w, 255);
    td_wr_close(&w);
    assert_true(td_wr_ok(&w));
    assert_int_equal(buf[0], 0xff);
    /* 65536 under a 2-byte prefix */
    td_wr_init(&w, buf, sizeof buf);
    td_wr_open(&w, 2);
    td_wr_zeros(&w, 65536);
    td_wr_close(&w);
    assert_false(td_wr_ok(&w));
    /* u24 out of range */
    td_wr_init(&w, buf, sizeof buf);
    td_wr_u24(&w, 0x1000000);
    assert_false(td_wr_ok(&w));
}

static void test_rd_der(void **state)
{
    (void)state;
    td_rd r, c, at;
    uint8_t tag = 0;
    const char *why = NULL;
    /* short form, then long form with the shortest encoding */
    static const uint8_t ok[] = {0x30, 0x01, 0x05, 0x04, 0x81, 0x80};
    uint8_t buf[sizeof ok + 128];
    memcpy(buf, ok, sizeof ok);
    memset(buf + sizeof ok, 0xee, 128);
    td_rd_init(&r, buf, sizeof buf);
    assert_true(td_rd_der(&r, &tag, &c, &why));
    assert_int_equal(tag, 0x30);
    assert_int_equal(td_rd_left(&c), 1);
    at = r;
    assert_true(td_rd_der(&r, &tag, &c, &why));
    assert_int_equal(tag, 0x04);
    assert_int_equal(td_rd_left(&c), 128);
    assert_true(td_rd_empty(&r));
    assert_int_equal(td_rd_pos(&(td_rd){buf, sizeof buf}, &at), 3);
    assert_int_equal(td_rd_pos(&(td_rd){buf, sizeof buf}, &c), 6);

    /* each rule, and the reader left where it was */
    static const struct {
        uint8_t b[8];
        size_t n;
        const char *want;
    } bad[] = {
        {{0x30}, 1, "no length octets"},
        {{0x30, 0x80, 0x00, 0x00}, 4, "indefinite"},
        {{0x30, 0x81, 0x05, 0, 0, 0, 0, 0}, 8, "below 128"},
        {{0x30, 0x82, 0x00, 0x90}, 4, "leading zero"},
        {{0x30, 0x85, 1, 0, 0, 0, 0}, 7, "more than 4 octets"},
        {{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00}, 7, "past the end"},
        {{0x30, 0x83, 0x01}, 3, "cut short"},
        {{0x1f, 0x01, 0x00}, 3, "multi-octet tag"},
        {{0x00}, 0, "no tag"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        td_rd_init(&r, bad[i].b, bad[i].n);
        why = NULL;
        assert_false(td_rd_der(&r, &tag, &c, &why));
        assert_non_null(why);
        if (!strstr(why, bad[i].want))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, why, bad[i].want);
        assert_int_equal(td_rd_left(&r), bad[i].n);
    }
    /* a view from elsewhere has no position in this one */
    td_rd_init(&r, ok, sizeof ok);
    td_rd_init(&at, buf, sizeof buf);
    assert_int_equal(td_rd_pos(&r, &at), sizeof ok);
}

static void test_rd_until(void **state)
{
    (void)state;
    static const char text[] = "LABEL a b\nlast";
    td_rd r, line, field;
    td_rd_init(&r, (const uint8_t *)text, strlen(text));
    td_rd_until(&r, '\n', &line);
    assert_int_equal(td_rd_left(&line), 9);
    td_rd_until(&line, ' ', &field);
    assert_int_equal(td_rd_left(&field), 5);
    assert_memory_equal(td_rd_ptr(&field), "LABEL", 5);
    td_rd_until(&line, ' ', &field);
    td_rd_until(&line, ' ', &field);
    assert_int_equal(td_rd_left(&field), 1);
    assert_true(td_rd_empty(&line));
    /* no delimiter: the rest */
    td_rd_until(&r, '\n', &line);
    assert_int_equal(td_rd_left(&line), 4);
    assert_true(td_rd_empty(&r));
    td_rd_until(&r, '\n', &line);
    assert_true(td_rd_empty(&line));
}

static void test_version_name(void **state)
{
    (void)state;
    assert_string_equal(td_version_name(TD_SSL2), "SSLv2");
    assert_string_equal(td_version_name(TD_SSL3), "SSLv3");
    assert_string_equal(td_version_name(TD_TLS10), "TLS 1.0");
    assert_string_equal(td_version_name(TD_TLS11), "TLS 1.1");
    assert_string_equal(td_version_name(TD_TLS12), "TLS 1.2");
    assert_string_equal(td_version_name(TD_TLS13), "TLS 1.3");
    assert_string_equal(td_version_name(0x7f1c), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rd_integers),
        cmocka_unit_test(test_rd_short),
        cmocka_unit_test(test_rd_prefixed),
        cmocka_unit_test(test_rd_prefix_overrun),
        cmocka_unit_test(test_rd_sub_bounds),
        cmocka_unit_test(test_rd_null),
        cmocka_unit_test(test_wr_prefixes),
        cmocka_unit_test(test_wr_overflow),
        cmocka_unit_test(test_wr_unbalanced),
        cmocka_unit_test(test_wr_depth),
        cmocka_unit_test(test_wr_body_too_big),
        cmocka_unit_test(test_rd_der),
        cmocka_unit_test(test_rd_until),
        cmocka_unit_test(test_version_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
