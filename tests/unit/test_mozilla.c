/* Unit tests for lib/registry/mozilla.c: the compiled-in guidelines load,
 * carry their source and version, and a bad file is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "registry/mozilla.h"
#include "registry/registry.h"
#include "wire/tls.h"

static void test_embedded(void **state)
{
    (void)state;
    const td_moz *m = td_mozilla();
    assert_non_null(m);
    assert_string_equal(m->version, "5.7");
    assert_string_equal(m->source, "https://ssl-config.mozilla.org/guidelines/5.7.json");
    char err[256];
    const td_moz_profile *p = td_moz_profile_by_name("intermediate", err, sizeof err);
    assert_non_null(p);
    assert_int_equal(p->n_versions, 2);
    assert_int_equal(p->versions[0], TD_TLS12);
    assert_int_equal(p->versions[1], TD_TLS13);
    assert_int_equal(p->n12, 9);
    assert_int_equal(p->suites12[0], 0xc02b); /* TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
    assert_true(strncmp(p->openssl12, "ECDHE-ECDSA-AES128-GCM-SHA256:", 30) == 0);
    assert_int_equal(p->n13, 3);
    assert_int_equal(p->rsa_key_size, 2048);
    assert_true(p->cert_rsa && p->cert_ecdsa);
    assert_false(p->server_preferred_order);
    p = td_moz_profile_by_name("modern", err, sizeof err);
    assert_non_null(p);
    assert_int_equal(p->n_versions, 1);
    assert_int_equal(p->n12, 0);
    assert_string_equal(p->openssl12, "");
    assert_true(p->cert_ecdsa && !p->cert_rsa);
    p = td_moz_profile_by_name("OLD", err, sizeof err);
    assert_non_null(p);
    assert_int_equal(p->n_versions, 4);
    assert_int_equal(p->n12, 26);
    assert_true(p->server_preferred_order);
    assert_null(td_moz_profile_by_name("paranoid", err, sizeof err));
    assert_non_null(strstr(err, "modern, intermediate or old"));
}

static void test_refused(void **state)
{
    (void)state;
    td_moz m;
    char err[256];
    const char *bad_suite = "{\"source\":\"x\",\"version\":\"1\",\"configurations\":{\"modern\":{\"tls_versions\":"
                            "[\"TLSv1.3\"],\"ciphers_iana\":[\"TLS_NO_SUCH_SUITE\"],\"ciphersuites\":[],"
                            "\"ciphers_openssl\":[],\"certificate_types\":[\"ecdsa\"]}}}";
    assert_int_equal(td_moz_parse(bad_suite, strlen(bad_suite), &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "modern: ciphers_iana[0]"));
    const char *bad_version = "{\"source\":\"x\",\"version\":\"1\",\"configurations\":{\"modern\":{\"tls_versions\":"
                              "[\"TLSv9\"]}}}";
    assert_int_equal(td_moz_parse(bad_version, strlen(bad_version), &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "tls_versions[0]"));
    assert_int_equal(td_moz_parse("{", 1, &m, err, sizeof err), -1);
    const char *missing = "{\"source\":\"x\",\"version\":\"1\",\"configurations\":{}}";
    assert_int_equal(td_moz_parse(missing, strlen(missing), &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "no profile modern"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
