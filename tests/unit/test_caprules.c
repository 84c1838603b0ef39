/* Unit tests for the rules on a captured connection (lib/diag/capture.c):
 * observations written by hand, the findings they must and must not give. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag/finding.h"
#include "obs/capobs.h"
#include "wire/tls.h"

/* A client at 10.0.0.1 sent a 512-byte ClientHello in one segment to
 * 10.0.0.2:443 over a path with a 20 ms round trip; the server's packets
 * came with TTL 57. */
static void base(td_capobs *o)
{
    td_capobs_init(o);
    snprintf(o->client, sizeof o->client, "10.0.0.1");
    snprintf(o->server, sizeof o->server, "10.0.0.2");
    o->family = 4;
    o->client_port = 40000;
    o->server_port = 443;
    o->syn = o->synack = true;
    o->rtt = 0.020;
    o->hello = true;
    o->hello_t = 0.021;
    o->hello_len = 512;
    o->hello_segments = 1;
    o->server_ip.packets = 1;
    o->server_ip.ttl_min = o->server_ip.ttl_max = 57;
    o->end = 0.1;
}

/* The server answered with its first flight, TLS 1.2, to ServerHelloDone. */
static void answered(td_capobs *o)
{
    base(o);
    o->answer.out = TD_OUT_HELLO;
    o->answer_t = 0.05;
    o->hello_done = true;
}

static bool has(const td_findings *fs, td_id id)
{
    for (size_t k = 0; k < fs->n; k++)
        if (fs->v[k].id == id)
            return true;
    return false;
}

static void reset_by(td_capobs *o, uint8_t ttl, double after_client)
{
    o->answer.out = TD_OUT_RESET;
    o->rst[1] = true;
    o->rst_from_server = true;
    o->rst_ttl = ttl;
    o->rst_t = o->hello_t + after_client;
    o->rst_after_client = after_client;
    o->end_t[1] = o->rst_t;
}

static void test_resets(void **state)
{
    (void)state;
    td_capobs o;
    td_findings fs = { 0 };

    /* the server's own TTL, a round trip after the hello: the server */
    base(&o);
    reset_by(&o, 57, 0.021);
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_RESET_AFTER_CLIENTHELLO));
    assert_false(has(&fs, TD_ID_MIDDLEBOX_RESET));
    td_findings_free(&fs);

    /* another TTL: another hop */
    base(&o);
    reset_by(&o, 63, 0.021);
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_MIDDLEBOX_RESET));
    assert_false(has(&fs, TD_ID_RESET_AFTER_CLIENTHELLO));
    assert_non_null(strstr(fs.v[0].summary, "TTL is 63"));
    td_findings_free(&fs);

    /* the right TTL, but 1 ms after the hello on a 20 ms path: too soon
     * for the server */
    base(&o);
    reset_by(&o, 57, 0.001);
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_MIDDLEBOX_RESET));
    assert_non_null(strstr(fs.v[0].summary, "sooner than the server could answer"));
    td_findings_free(&fs);

    /* on loopback the round trip is below the clock's noise: no timing verdict */
    base(&o);
    o.rtt = 0.00002;
    reset_by(&o, 57, 0.00001);
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_RESET_AFTER_CLIENTHELLO));
    td_findings_free(&fs);

    /* no other packet of the server to compare with: taken as the server's */
    base(&o);
    o.server_ip.packets = 0;
    reset_by(&o, 63, 0.021);
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_RESET_AFTER_CLIENTHELLO));
    td_findings_free(&fs);
}

static void test_silence(void **state)
{
    (void)state;
    td_capobs o;
    td_findings fs = { 0 };

    /* a hello of three segments, sent again, nothing back */
    base(&o);
    o.answer.out = TD_OUT_TIMEOUT;
    o.hello_len = 3000;
    o.hello_segments = 3;
    o.hello_retrans = 2;
    o.end = 5;
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_LARGE_HELLO_DROPPED));
    assert_false(has(&fs, TD_ID_HANDSHAKE_TIMEOUT));
    td_findings_free(&fs);

    /* one segment: plain silence, once the client waited */
    base(&o);
    o.answer.out = TD_OUT_TIMEOUT;
    o.hello_retrans = 2;
    o.end_t[0] = 3.0;
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_HANDSHAKE_TIMEOUT));
    assert_false(has(&fs, TD_ID_LARGE_HELLO_DROPPED));
    td_findings_free(&fs);

    /* a client that gave up at once did not wait for anything */
    base(&o);
    o.answer.out = TD_OUT_TIMEOUT;
    o.end_t[0] = 0.05;
    td_diagnose_capture(&o, &fs);
    assert_int_equal(fs.n, 0);
    td_findings_free(&fs);
}

static void test_client_side(void **state)
{
    (void)state;
    td_capobs o;
    td_findings fs = { 0 };

    /* TLS 1.2: the client's certificate alert after ServerHelloDone */
    answered(&o);
    o.client_alert = true;
    o.client_alert_level = TD_ALERT_LEVEL_FATAL;
    o.client_alert_desc = TD_ALERT_CERTIFICATE_EXPIRED;
    o.rst[0] = true;
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_CLIENT_REJECTED_CERT));
    assert_non_null(strstr(fs.v[0].summary, "certificate_expired(45)"));
    td_findings_free(&fs);

    /* another fatal alert: CLIENT_ALERT */
    o.client_alert_desc = TD_ALERT_DECODE_ERROR;
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_CLIENT_ALERT));
    assert_false(has(&fs, TD_ID_CLIENT_REJECTED_CERT));
    td_findings_free(&fs);

    /* close_notify is no refusal */
    o.client_alert_desc = TD_ALERT_CLOSE_NOTIFY;
    o.client_alert_level = TD_ALERT_LEVEL_WARNING;
    td_diagnose_capture(&o, &fs);
    assert_int_equal(fs.n, 0);
    td_findings_free(&fs);

    /* a client that went on is fine whatever it did later */
    answered(&o);
    o.client_ccs = o.client_went_on = true;
    o.fin[0] = true;
    td_diagnose_capture(&o, &fs);
    assert_int_equal(fs.n, 0);
    td_findings_free(&fs);

    /* the server asked for a certificate, got an empty one, and refused */
    answered(&o);
    o.cert_request = true;
    o.client_empty_cert = true;
    o.late_server_alert = true;
    o.late_alert_level = TD_ALERT_LEVEL_FATAL;
    o.late_alert_desc = TD_ALERT_HANDSHAKE_FAILURE;
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_CLIENT_CERT_REJECTED));
    assert_non_null(strstr(fs.v[0].summary, "sent none"));
    td_findings_free(&fs);
}

static void test_server_alert_and_offer(void **state)
{
    (void)state;
    td_capobs o;
    td_findings fs = { 0 };

    base(&o);
    o.answer.out = TD_OUT_ALERT;
    o.answer_t = 0.05;
    o.answer.alert_level = TD_ALERT_LEVEL_FATAL;
    o.answer.alert_desc = TD_ALERT_HANDSHAKE_FAILURE;
    /* without the offer read, the alert is all there is */
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_SERVER_ALERT));
    td_findings_free(&fs);
    /* with it, the refusal of every suite offered */
    o.offer_read = true;
    o.offer_version = TD_TLS13;
    o.offer_min_version = TD_TLS12;
    o.offer_suites = 17;
    o.offer_sni = true;
    snprintf(o.sni, sizeof o.sni, "app.test");
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_NO_SHARED_CIPHER));
    assert_false(has(&fs, TD_ID_SERVER_ALERT));
    assert_non_null(strstr(fs.v[0].summary, "none of the 17 cipher suites"));
    assert_non_null(strstr(fs.v[0].verify, "-servername app.test"));
    td_findings_free(&fs);

    /* protocol_version to an offer of TLS 1.2 and up: the server is older */
    o.answer.alert_desc = TD_ALERT_PROTOCOL_VERSION;
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_PROTOCOL_TOO_OLD));
    td_findings_free(&fs);
    /* ... to an offer reaching down to TLS 1.0: it says so, nothing more */
    o.offer_min_version = TD_TLS10;
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_SERVER_ALERT));
    assert_non_null(strstr(fs.v[0].summary, "TLS 1.0 to TLS 1.3"));
    td_findings_free(&fs);

    /* unrecognized_name to a hello without SNI */
    o.answer.alert_desc = TD_ALERT_UNRECOGNIZED_NAME;
    o.offer_sni = false;
    o.sni[0] = '\0';
    td_diagnose_capture(&o, &fs);
    assert_true(has(&fs, TD_ID_SNI_REQUIRED));
    assert_non_null(strstr(fs.v[0].verify, "-noservername"));
    td_findings_free(&fs);

    /* a name no shell should see bare stays out of the command */
    o.answer.alert_desc = TD_ALERT_HANDSHAKE_FAILURE;
    o.offer_sni = true;
    snprintf(o.sni, sizeof o.sni, "a;rm -rf x");
    td_diagnose_capture(&o, &fs);
    assert_null(strstr(fs.v[0].verify, "rm"));
    td_findings_free(&fs);

    /* no hello, nothing to judge */
    base(&o);
    o.hello = false;
    td_diagnose_capture(&o, &fs);
    assert_int_equal(fs.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resets),
        cmocka_unit_test(test_silence),
        cmocka_unit_test(test_client_side),
        cmocka_unit_test(test_server_alert_and_offer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
