/* The HTML report of a capture (lib/report/pcaphtml.c) on connections
 * assembled by hand: the SNI and the findings hold markup and must show as
 * text; the rung where it broke is red; a reset MIDDLEBOX_RESET names comes
 * from the middle of the path; the chart counts the root causes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/capture_int.h"
#include "tlsdiag.h"
#include "wire/tls.h"
#include "reportkit.h"

#define HOSTILE "<script>alert(1)</script>"

static void rung(td_capobs *o, td_cap_step_kind kind, bool from_server, double t, uint8_t code)
{
    o->steps[o->n_steps++] = (td_cap_step){ .kind = kind, .from_server = from_server, .t = t, .code = code,
                                            .level = TD_ALERT_LEVEL_FATAL, .len = 200, .ttl = 64 };
}

/* Stream 0: the client rejects the certificate (alert); stream 1: a
 * middlebox resets the ClientHello; stream 2 works. */
static td_capture *capture_of_three(void)
{
    td_capture *c = td_capture_new();
    assert_non_null(c);
    snprintf(c->file, sizeof c->file, "%s.pcap", HOSTILE);
    c->results = calloc(3, sizeof *c->results);
    assert_non_null(c->results);
    c->n_results = c->cap_results = 3;
    c->connections = c->handshakes = 3;
    c->failed = 2;
    c->causes[TD_ID_SELF_SIGNED].n = 1;
    c->causes[TD_ID_MIDDLEBOX_RESET].n = 1;
    for (unsigned long k = 0; k < 3; k++) {
        td_cap_result *r = &c->results[k];
        td_capobs_init(&r->obs);
        td_capobs *o = &r->obs;
        o->stream = k;
        o->family = 4;
        snprintf(o->client, sizeof o->client, "192.0.2.1");
        snprintf(o->server, sizeof o->server, "192.0.2.9");
        o->client_port = (uint16_t)(50000 + k);
        o->server_port = 443;
        o->hello = true;
        snprintf(o->sni, sizeof o->sni, "%s.example", HOSTILE);
        rung(o, TD_CS_SYN, false, 0, 0);
        rung(o, TD_CS_SYNACK, true, 0.001, 0);
        rung(o, TD_CS_HANDSHAKE, false, 0.002, TD_HS_CLIENT_HELLO);
    }
    td_cap_result *r = &c->results[0];
    rung(&r->obs, TD_CS_HANDSHAKE, true, 0.004, TD_HS_SERVER_HELLO);
    rung(&r->obs, TD_CS_ALERT, false, 0.028, 48);
    rung(&r->obs, TD_CS_FIN, true, 0.029, 0);
    r->failed = true;
    td_findings_add(&r->fs, TD_ID_SELF_SIGNED, TD_SEV_FAIL, "Self-signed: CN=" HOSTILE, "issuer CN=" HOSTILE,
                    "Get a certificate from a CA.", "openssl s_client -servername '" HOSTILE "'");
    r->fs.root_cause = 0;
    r = &c->results[1];
    rung(&r->obs, TD_CS_RST, true, 0.003, 0);
    r->failed = true;
    td_findings_add(&r->fs, TD_ID_MIDDLEBOX_RESET, TD_SEV_FAIL, "A middlebox reset it.", "TTL 64, not 57",
                    "Ask the firewall's owner.", "curl -v https://192.0.2.9/");
    r->fs.root_cause = 0;
    r = &c->results[2];
    rung(&r->obs, TD_CS_HANDSHAKE, true, 0.004, TD_HS_SERVER_HELLO);
    r->obs.client_went_on = true;
    return c;
}

static char *page(const td_capture *c, unsigned flags)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_int_equal(td_capture_write_html(c, f, flags), 0);
    assert_int_equal(fclose(f), 0);
    assert_non_null(out);
    return out;
}

static void test_pcap_html_escapes(void **state)
{
    (void)state;
    td_capture *c = capture_of_three();
    char *out = page(c, 0);
    assert_null(strstr(out, "<script>alert"));
    assert_non_null(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;.example"));
    assert_non_null(strstr(out, "CN=&lt;script&gt;"));
    /* the page's own script is the only one */
    assert_int_equal(occurrences(out, "<script>"), 1);
    free(out);
    td_capture_free(c);
}

static void test_pcap_html_sections(void **state)
{
    (void)state;
    td_capture *c = capture_of_three();
    char *out = page(c, 0);
    assert_int_equal(strncmp(out, "<!DOCTYPE html>", 15), 0);
    assert_non_null(strstr(out, "id=\"verdict\"><strong>FAIL</strong>"));
    /* the failed connections only, as the text lists them */
    assert_int_equal(occurrences(out, "<section class=\"conn\""), 2);
    assert_non_null(strstr(out, "id=\"conn-0\""));
    assert_non_null(strstr(out, "id=\"conn-1\""));
    assert_null(strstr(out, "id=\"conn-2\""));
    /* the alert is where stream 0 broke, the reset where stream 1 did */
    assert_non_null(strstr(out, "<g class=\"step broken\" data-label=\"Alert\">"));
    assert_non_null(strstr(out, "<g class=\"step broken\" data-label=\"RST\">"));
    assert_int_equal(occurrences(out, "<g class=\"step broken\""), 2);
    assert_non_null(strstr(out, "Alert fatal unknown_ca(48)"));
    /* the middlebox's reset starts mid-path; stream 0 has none */
    assert_int_equal(occurrences(out, ">middlebox</text>"), 1);
    /* each section's ids are its own */
    assert_non_null(strstr(out, "data-copy=\"c0-verify-0\""));
    assert_non_null(strstr(out, "data-copy=\"c1-verify-0\""));
    assert_non_null(strstr(out, "marker id=\"c1-arrow-bad\""));
    /* the chart: a bar per root cause, linked to its first connection */
    assert_int_equal(occurrences(out, "<tr class=\"bar\">"), 2);
    assert_non_null(strstr(out, "<a href=\"#conn-1\">MIDDLEBOX_RESET</a>"));
    free(out);
    out = page(c, TD_TEXT_VERBOSE);
    assert_int_equal(occurrences(out, "<section class=\"conn\""), 3);
    assert_non_null(strstr(out, "data-verdict=\"ok\""));
    free(out);
    td_capture_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_html_escapes),
        cmocka_unit_test(test_pcap_html_sections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
