/* Unit tests for the findings list (lib/diag/finding.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag/finding.h"

/* ---- findings --------------------------------------------------------- */

static void test_findings_sort_stable(void **state)
{
    (void)state;
    td_findings fs = { 0 };
    char summary[48];
    /* Eight distinct IDs: I1 F1 W1 F2 I2 W2 F3 I3, by the severity given. */
    static const struct {
        td_id id;
        td_severity sev;
    } in[] = {
        { TD_ID_TLS13_MISSING, TD_SEV_INFO },      { TD_ID_DNS_FAILURE, TD_SEV_FAIL },
        { TD_ID_NO_SAN, TD_SEV_WARN },             { TD_ID_CERT_EXPIRED, TD_SEV_FAIL },
        { TD_ID_OCSP_STAPLING_MISSING, TD_SEV_INFO }, { TD_ID_SNI_REQUIRED, TD_SEV_WARN },
        { TD_ID_NOT_TLS, TD_SEV_FAIL },            { TD_ID_CHAIN_ORDER, TD_SEV_INFO },
    };
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        snprintf(summary, sizeof summary, "s-%s", td_id_name(in[i].id));
        td_findings_add(&fs, in[i].id, in[i].sev, summary, i % 2 ? NULL : "ev", i % 2 ? "fix" : NULL, NULL);
    }
    memset(summary, 0, sizeof summary); /* the list keeps its own copies */
    td_findings_sort(&fs);
    static const char *const want[] = { "DNS_FAILURE", "CERT_EXPIRED", "NOT_TLS", "NO_SAN", "SNI_REQUIRED",
                                        "TLS13_MISSING", "OCSP_STAPLING_MISSING", "CHAIN_ORDER" };
    assert_int_equal(fs.n, 8);
    for (size_t i = 0; i < fs.n; i++) {
        assert_string_equal(td_id_name(fs.v[i].id), want[i]);
        char expect[48];
        snprintf(expect, sizeof expect, "s-%s", want[i]);
        assert_string_equal(fs.v[i].summary, expect);
        assert_non_null(fs.v[i].evidence); /* NULL evidence becomes "" */
        assert_null(fs.v[i].verify);
    }
    assert_false(fs.oom);
    assert_string_equal(td_severity_name(TD_SEV_FAIL), "fail");
    assert_string_equal(td_severity_name(TD_SEV_WARN), "warn");
    assert_string_equal(td_severity_name(TD_SEV_INFO), "info");
    td_findings_free(&fs);
    assert_null(fs.v);
    assert_int_equal(fs.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings_sort_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
