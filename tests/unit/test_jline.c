/* Unit tests for the JSON line writer (lib/report/jline.c): commas between
 * members, escapes (RFC 8259 section 7), fixed-point numbers, and that
 * jansson reads back what it wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "report/jline.h"

static void test_jline_members(void **state)
{
    (void)state;
    td_str b;
    td_str_init(&b);
    td_jl_open(&b, NULL, '{');
    td_jl_str(&b, "a", "x");
    td_jl_int(&b, "n", -7);
    td_jl_open(&b, "l", '[');
    td_jl_bool(&b, NULL, true);
    td_jl_null(&b, NULL);
    td_jl_open(&b, NULL, '{');
    td_jl_close(&b, '}');
    td_jl_close(&b, ']');
    td_jl_raw(&b, "r", "[1,2]");
    td_jl_str(&b, "z", NULL);
    td_jl_close(&b, '}');
    assert_int_equal(b.err, 0);
    assert_string_equal(b.s, "{\"a\":\"x\",\"n\":-7,\"l\":[true,null,{}],\"r\":[1,2],\"z\":null}");
    td_str_free(&b);
}

static void test_jline_escapes(void **state)
{
    (void)state;
    const char *in = "q\"b\\n\nt\tc\x01 caf\xc3\xa9";
    td_str b;
    td_str_init(&b);
    td_jl_open(&b, NULL, '{');
    td_jl_str(&b, "s", in);
    td_jl_close(&b, '}');
    assert_string_equal(b.s, "{\"s\":\"q\\\"b\\\\n\\nt\\tc\\u0001 caf\xc3\xa9\"}");
    json_error_t e;
    json_t *j = json_loads(b.s, 0, &e);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "s")), in);
    json_decref(j);
    td_str_free(&b);
}

static void fixed(double v, unsigned decimals, const char *want)
{
    td_str b;
    td_str_init(&b);
    td_jl_open(&b, NULL, '[');
    td_jl_fixed(&b, NULL, v, decimals);
    td_jl_close(&b, ']');
    char full[64];
    snprintf(full, sizeof full, "[%s]", want);
    assert_string_equal(b.s, full);
    td_str_free(&b);
}

static void test_jline_fixed(void **state)
{
    (void)state;
    fixed(0, 6, "0.0");
    fixed(0.5, 6, "0.5");
    fixed(0.0097020000000000001, 6, "0.009702");
    fixed(1796651649.521066, 6, "1796651649.521066");
    fixed(0.0000004, 6, "0.0");
    fixed(0.0000006, 6, "0.000001");
    fixed(-2.25, 3, "-2.25");
    fixed(-0.0000001, 6, "0.0");
    fixed(12.3456, 3, "12.346");
    fixed(3, 0, "3.0");
    fixed(1.0 / 0.0, 6, "null");
    fixed(0.0 / 0.0, 6, "null");
    fixed(1e30, 6, "null");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jline_members),
        cmocka_unit_test(test_jline_escapes),
        cmocka_unit_test(test_jline_fixed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
