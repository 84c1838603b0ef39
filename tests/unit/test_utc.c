/* Unit tests for the UTC calendar arithmetic and its text form
 * (lib/util/utc.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "util/utc.h"

static void test_known_dates(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        const char *iso;
    } v[] = {
        {0, "1970-01-01T00:00:00Z"},
        {-1, "1969-12-31T23:59:59Z"},
        {951782400, "2000-02-29T00:00:00Z"},
        {1798109396, "2026-12-24T10:49:56Z"},
        {253402300799, "9999-12-31T23:59:59Z"},
        {253402300800, "10000-01-01T00:00:00Z"},
        {-62135596800, "0001-01-01T00:00:00Z"},
        {-62162121600, "0000-02-29T00:00:00Z"},
    };
    char buf[32];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_true(td_utc_iso(v[i].t, buf, sizeof buf));
        assert_string_equal(buf, v[i].iso);
    }
    assert_int_equal(td_utc_seconds(2000, 2, 29, 0, 0, 0), 951782400);
    assert_int_equal(td_utc_seconds(1969, 12, 31, 23, 59, 59), -1);
    assert_int_equal(td_utc_seconds(1, 1, 1, 0, 0, 0), -62135596800);
    assert_int_equal(td_utc_seconds(9999, 12, 31, 23, 59, 59), 253402300799);
}

/* The same text as gmtime_r() and strftime() wherever those print four
 * digits, and the arithmetic agrees with timegm() both ways. */
static void test_against_libc(void **state)
{
    (void)state;
    srand(7);
    for (int i = 0; i < 200000; i++) {
        int64_t t = (int64_t)(((uint64_t)rand() << 31 | (uint64_t)rand()) % 284012524800u) - 30610224000;
        time_t tt = (time_t)t;
        struct tm tm;
        char want[32], got[32];
        assert_non_null(gmtime_r(&tt, &tm));
        strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
        assert_true(td_utc_iso(t, got, sizeof got));
        assert_string_equal(got, want);
        assert_int_equal(td_utc_seconds(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                                        tm.tm_sec),
                         (int64_t)timegm(&tm));
    }
}

static void test_does_not_fit(void **state)
{
    (void)state;
    char buf[21];
    assert_true(td_utc_iso(0, buf, sizeof buf));
    assert_false(td_utc_iso(0, buf, 20));
    assert_string_equal(buf, "");
    assert_false(td_utc_iso(253402300800, buf, sizeof buf));
    assert_false(td_utc_iso(0, buf, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_dates),
        cmocka_unit_test(test_against_libc),
        cmocka_unit_test(test_does_not_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
