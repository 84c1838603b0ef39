/* The page of a scan (lib/report/scanhtml.c) from JSON lines written by
 * hand in the form docs/json.md gives them: the targets' table, the chart,
 * the expiry timeline and a section per line; names and error texts with
 * markup shown as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/scanhtml.h"
#include "util/utc.h"
#include "reportkit.h"

/* 2026-12-07T00:00:00Z */
#define NOW 1796601600

static const char *const lines[] = {
    "{\"target\": {\"host\": \"a.example\", \"port\": 443, \"address_used\": \"192.0.2.1\"}, \"verdict\": \"fail\","
    " \"root_cause\": {\"index\": 0, \"id\": \"CERT_EXPIRED\", \"summary\": \"expired <b>\"},"
    " \"findings\": [{\"id\": \"CERT_EXPIRED\", \"fix\": \"Renew it.\", \"verify\": \"openssl s_client -connect a.example:443\"}],"
    " \"clients\": [{\"name\": \"Firefox\", \"result\": \"fail\", \"below_level\": false},"
    " {\"name\": \"IE 6\", \"result\": \"fail\", \"below_level\": true}, {\"name\": \"curl\", \"result\": \"ok\"}],"
    " \"observations\": {\"certificates\": [{\"subject\": \"CN=<script>alert(3)</script>\","
    " \"not_after\": \"2026-12-01T00:00:00Z\"}]}}",
    "{\"target\": {\"host\": \"<script>alert(1)</script>\", \"port\": 8443, \"address_used\": \"192.0.2.2\"},"
    " \"verdict\": \"ok\", \"root_cause\": null, \"clients\": [],"
    " \"findings\": [{\"id\": \"CHAIN_INCLUDES_ROOT\", \"fix\": \"Leave the root out.\", \"verify\": \"true\"}],"
    " \"observations\": {\"certificates\": [{\"not_after\": \"2027-03-07T00:00:00Z\"}]}}",
    "{\"target\": {\"host\": \"c.example\", \"port\": 443, \"address_used\": \"192.0.2.3\"}, \"verdict\": \"fail\","
    " \"root_cause\": {\"index\": 0, \"id\": \"CERT_EXPIRED\", \"summary\": \"expired\"},"
    " \"findings\": [{\"id\": \"CERT_EXPIRED\", \"fix\": \"Renew.\", \"verify\": \"curl https://c.example/\"}],"
    " \"clients\": [], \"observations\": {\"certificates\": [{\"not_after\": \"2026-12-17T00:00:00Z\"}]}}",
    "{\"line\": 4, \"input\": \"<img src=x>:99999\", \"error\": \"bad port <99999>\"}",
};

static const char summary[] =
    "{\"summary\": {\"targets\": 3, \"ok\": 1, \"warn\": 0, \"fail\": 2, \"input_errors\": 1,"
    " \"root_causes\": {\"CERT_EXPIRED\": 2}, \"warn_days\": 21, \"interrupted\": false}}";

static char *render(void)
{
    td_scan_page *p = td_scan_page_new();
    assert_non_null(p);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        json_error_t e;
        json_t *j = json_loads(lines[i], 0, &e);
        assert_non_null(j);
        assert_true(td_scan_page_add(p, j));
        json_decref(j);
    }
    json_t *s = json_loads(summary, 0, NULL);
    assert_non_null(s);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_int_equal(td_scan_page_write(p, s, NOW, f), 0);
    fclose(f);
    json_decref(s);
    td_scan_page_free(p);
    assert_non_null(out);
    return out;
}

static void test_scan_page_escapes(void **state)
{
    (void)state;
    char *out = render();
    assert_null(strstr(out, "<script>alert"));
    assert_null(strstr(out, "<img"));
    assert_non_null(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;:8443"));
    assert_non_null(strstr(out, "bad port &lt;99999&gt;"));
    assert_non_null(strstr(out, "<code class=\"subject\">CN=&lt;script&gt;alert(3)&lt;/script&gt;</code>"));
    assert_int_equal(occurrences(out, "<script>"), 1);
    free(out);
}

static void test_scan_page_parts(void **state)
{
    (void)state;
    char *out = render();
    assert_non_null(strstr(out, "id=\"verdict\"><strong>FAIL</strong> 2 of 3 targets fail; 1 line of the list names no target"));
    /* a row and a section per line, each row linked to its section */
    assert_int_equal(occurrences(out, "<tr data-cause="), 4);
    assert_int_equal(occurrences(out, "<section class=\"conn\""), 4);
    assert_non_null(strstr(out, "<a href=\"#t-2\">c.example:443 (192.0.2.3)</a>"));
    assert_non_null(strstr(out, "id=\"t-2\""));
    /* days left: 6 days ago, in 10 days, in 90 days; sorted as numbers */
    assert_non_null(strstr(out, "<td data-v=\"-6\">-6</td>"));
    assert_non_null(strstr(out, "<td data-v=\"10\">10</td>"));
    assert_non_null(strstr(out, "<td data-v=\"90\">90</td>"));
    assert_non_null(strstr(out, "<th data-num><button type=\"button\">Days left</button>"));
    /* clients shut out: Firefox; IE 6 is below the level asked for */
    assert_non_null(strstr(out, "Clients shut out: Firefox."));
    assert_null(strstr(out, "IE 6"));
    /* the chart links to the first target of the cause; the filter offers it */
    assert_non_null(strstr(out, "<a href=\"#t-0\">CERT_EXPIRED</a>"));
    assert_non_null(strstr(out, "<option>CERT_EXPIRED</option>"));
    /* the timeline: soonest first, the expired one red, the window's amber */
    const char *tl = strstr(out, "id=\"expiry\"");
    assert_non_null(tl);
    assert_int_equal(occurrences(tl, "<g class=\"expiry"), 3);
    assert_non_null(strstr(tl, "fill=\"#b00020\"/><text x="));
    const char *first = strstr(tl, "a.example"), *third = strstr(tl, "&lt;script&gt;");
    assert_true(first && third && first < third);
    /* the root cause's fix and verify, with a copy button */
    assert_non_null(strstr(out, "data-copy=\"t0-verify\""));
    assert_non_null(strstr(out, "<pre class=\"fix\">Renew it.</pre>"));
    assert_null(strstr(out, "Leave the root out.")); /* a healthy target's note is no fix of a root cause */
    /* the sorting and filtering script, offline */
    assert_non_null(strstr(out, "getElementById('targets')"));
    assert_null(strstr(out, "src=\""));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_page_escapes),
        cmocka_unit_test(test_scan_page_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
