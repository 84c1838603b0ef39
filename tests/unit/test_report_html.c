/* The HTML report (lib/report/html.c) on a report assembled by hand whose
 * certificate names, evidence, client reasons and target hold markup: the
 * page must show them as text, never as tags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "tlsdiag.h"
#include "wire/tls.h"
#include "reportkit.h"

#define HOSTILE "<script>alert(1)</script>\"&'"

static const td_client hostile_client = { .id = "test-hostile", .name = "Browser <b>bold</b>" };
static const td_client plain_client = { .id = "test-plain", .name = "Plain client" };

/* A server that answers the ClientHello with handshake_failure: the root
 * cause NO_SHARED_CIPHER, a symptom, two clients. */
static td_report *hostile_report(void)
{
    td_report *r = calloc(1, sizeof *r);
    assert_non_null(r);
    td_obs_init(&r->obs);
    td_obs *o = &r->obs;
    snprintf(r->target, sizeof r->target, "<i>x</i>.example:443");
    snprintf(o->host, sizeof o->host, "<i>x</i>.example");
    o->port = 443;
    o->n_addrs = 1;
    snprintf(o->addrs[0].text, sizeof o->addrs[0].text, "192.0.2.7");
    o->addr_used = 0;
    o->baseline = (td_attempt){ .out = TD_OUT_ALERT, .alert_level = 2, .alert_desc = 40, .offered_version = TD_TLS13,
                                .hello_len = 517, .connect_ms = 3, .first_ms = 5, .total_ms = 5 };
    int i12 = td_vidx(TD_TLS12);
    o->version_ok[i12] = TD_YES;
    o->suites[i12][0] = 0xc02f;
    o->n_suites[i12] = 1;
    /* the subject CN and O are markup */
    o->certs[0].der = make_named_cert("\"&'", "<script>alert(1)</script>", 9, &o->certs[0].len);
    o->n_certs = 1;
    snprintf(o->store_name, sizeof o->store_name, "%s", HOSTILE);
    snprintf(o->path.x509_err_text, sizeof o->path.x509_err_text, "%s", HOSTILE);
    o->path.verdict = TD_PATH_INCOMPLETE;
    o->path.n = 1;
    o->path.depth = 0;
    snprintf(o->path.subjects[0], sizeof o->path.subjects[0], "CN=%s", HOSTILE);
    snprintf(o->path.missing_issuer, sizeof o->path.missing_issuer, "CN=%s issuer", HOSTILE);

    td_findings *fs = &r->findings;
    td_findings_add(fs, TD_ID_NO_SHARED_CIPHER, TD_SEV_FAIL, "No cipher suite is shared " HOSTILE ".",
                    "sent 517 bytes\nreceived alert " HOSTILE, "Enable ECDHE suites <now>.",
                    "openssl s_client -connect '<i>x</i>.example:443' </dev/null");
    td_finding *sym = td_findings_add(fs, TD_ID_CLIENT_INCOMPATIBLE, TD_SEV_WARN, "Browser cannot connect.",
                                      HOSTILE, "Same fix.", NULL);
    assert_non_null(sym);
    sym->symptom_of = 0;
    fs->root_cause = 0;

    td_client_table *t = &r->clients;
    t->v[0] = (td_client_verdict){ .client = &plain_client, .result = TD_CV_OK };
    t->v[1] = (td_client_verdict){ .client = &hostile_client, .result = TD_CV_FAIL, .step = "ServerHello",
                                   .reason = HOSTILE, .reason_code = TD_REASON_NONE };
    t->n = 2;
    return r;
}

static int write_html(const td_report *r, FILE *f, bool color)
{
    (void)color;
    return td_report_write_html(r, f);
}

/* The page for the report; the caller frees both. */
static char *render(td_report **r)
{
    *r = hostile_report();
    int rc;
    char *out = capture(write_html, *r, false, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(out);
    return out;
}

static void test_html_escapes(void **state)
{
    (void)state;
    td_report *r;
    char *out = render(&r);
    /* the page's own script, once, at the end; none from the data */
    assert_int_equal(occurrences(out, "<script"), 1);
    assert_non_null(strstr(out, "<script>document.querySelectorAll"));
    assert_null(strstr(out, "<script>alert"));
    assert_null(strstr(out, "<i>x</i>"));
    assert_null(strstr(out, "<b>bold"));
    assert_null(strstr(out, "<now>"));
    assert_non_null(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;"));
    assert_non_null(strstr(out, "Browser &lt;b&gt;bold&lt;/b&gt;"));
    /* the certificate's subject, decoded from the DER, escaped too */
    const char *subject = strstr(out, "<code class=\"subject\">");
    assert_non_null(subject);
    const char *end = strstr(subject, "</code>");
    assert_non_null(end);
    char shown[512];
    snprintf(shown, sizeof shown, "%.*s", (int)(end - subject), subject);
    assert_non_null(strstr(shown, "alert(1)"));
    assert_non_null(strstr(shown, "&lt;script"));
    assert_null(strstr(shown + 1, "<"));
    free(out);
    td_report_free(r);
}

static void test_html_content(void **state)
{
    (void)state;
    td_report *r;
    char *out = render(&r);
    assert_true(strncmp(out, "<!DOCTYPE html>", 15) == 0);
    assert_non_null(strstr(out, "</html>\n"));
    /* verdict, then the root cause with its fix and verify, first */
    const char *verdict = strstr(out, "id=\"verdict\"><strong>FAIL</strong>");
    const char *root = strstr(out, "id=\"root-cause\"");
    const char *ladder = strstr(out, "id=\"handshake\"");
    assert_non_null(verdict);
    assert_non_null(root);
    assert_non_null(ladder);
    assert_true(verdict < root && root < ladder);
    assert_non_null(strstr(root, "<code class=\"id\">NO_SHARED_CIPHER</code>"));
    assert_non_null(strstr(root, "Enable ECDHE suites &lt;now&gt;."));
    assert_non_null(strstr(root, "openssl s_client -connect &#39;&lt;i&gt;x&lt;/i&gt;.example:443&#39; &lt;/dev/null"));
    assert_non_null(strstr(root, "data-copy=\"verify-0\""));
    assert_true(strstr(root, "verify-0") < ladder);
    /* the ServerHello arrow is the broken one, and names the alert */
    const char *broken = strstr(out, "<g class=\"step broken\" data-label=\"ServerHello\"");
    assert_non_null(broken);
    assert_int_equal(occurrences(out, "class=\"step broken\""), 1);
    assert_non_null(strstr(broken, "handshake_failure"));
    assert_non_null(strstr(broken, "#b00020"));
    /* a row per client, the failure first, with a word as well as a colour */
    assert_int_equal(occurrences(out, "<tr class=\"client "), 2);
    const char *fail_row = strstr(out, "<tr class=\"client fail\">");
    const char *ok_row = strstr(out, "<tr class=\"client ok\">");
    assert_non_null(fail_row);
    assert_non_null(ok_row);
    assert_true(fail_row < ok_row);
    assert_non_null(strstr(fail_row, "fails</td>"));
    assert_non_null(strstr(ok_row, "works</td>"));
    /* the chain's missing link, and the symptom saying what it follows from */
    assert_non_null(strstr(out, "<li class=\"missing\">\u2717 missing: <code>CN=&lt;script&gt;"));
    assert_non_null(strstr(out, "Follows from <code>NO_SHARED_CIPHER</code>"));
    /* nothing the page would fetch */
    assert_null(strstr(out, "src="));
    assert_null(strstr(out, "href="));
    free(out);
    td_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escapes),
        cmocka_unit_test(test_html_content),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
