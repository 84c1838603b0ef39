/* Unit tests for the first-flight parser (lib/wire/flight.c), driven by
 * hand-written server messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "registry/registry.h"
#include "wire/bytes.h"
#include "wire/flight.h"
#include "wire/offer.h"
#include "wire/tls.h"

/* ---- vectors: TLS 1.2 first flight, ECDHE_RSA_WITH_AES_128_GCM_SHA256 ---- */

/* ServerHello: TLS 1.2, no session id, suite c02f, extensions
 * renegotiation_info (empty), extended_master_secret, ec_point_formats */
static const uint8_t sh12[] = {
    0x02, 0x00, 0x00, 0x37,
    0x03, 0x03,
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
    0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
    0x00,
    0xc0, 0x2f,
    0x00,
    0x00, 0x0f,
    0xff, 0x01, 0x00, 0x01, 0x00,
    0x00, 0x17, 0x00, 0x00,
    0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,
};

/* Certificate: two stand-ins of 12 and 11 bytes with the outer shape of
 * an X.509 certificate (RFC 5280 section 4.1: SEQUENCE { SEQUENCE,
 * SEQUENCE, BIT STRING }), which is all the parser checks */
static const uint8_t cert12[] = {
    0x0b, 0x00, 0x00, 0x20,
    0x00, 0x00, 0x1d,
    0x00, 0x00, 0x0c, 0x30, 0x0a, 0x30, 0x02, 0x02, 0x01, 0x30, 0x01, 0x05, 0x03, 0x01, 0x00,
    0x00, 0x00, 0x0b, 0x30, 0x09, 0x30, 0x01, 0x00, 0x30, 0x01, 0x00, 0x03, 0x01, 0x00,
};

/* ServerKeyExchange: named_curve x25519, a 32-byte point, signed with
 * rsa_pkcs1_sha256 (8-byte stand-in signature) */
static const uint8_t ske12[] = {
    0x0c, 0x00, 0x00, 0x30,
    0x03, 0x00, 0x1d,
    0x20,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
    0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
    0x04, 0x01,
    0x00, 0x08, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
};

/* CertificateRequest (TLS 1.2): rsa_sign + ecdsa_sign, two signature
 * algorithms, two 3-byte stand-in DistinguishedNames */
static const uint8_t creq12[] = {
    0x0d, 0x00, 0x00, 0x19,
    0x02, 0x01, 0x40,
    0x00, 0x04, 0x04, 0x01, 0x04, 0x03,
    0x00, 0x0e,
    0x00, 0x05, 0x30, 0x03, 0x31, 0x01, 0x00,
    0x00, 0x05, 0x30, 0x03, 0x31, 0x01, 0x01,
};

/* ServerHelloDone */
static const uint8_t shd[] = {0x0e, 0x00, 0x00, 0x00};

/* The whole flight coalesced into one record: 151 bytes of handshake */
static const uint8_t flight12_one_record[] = {
    0x16, 0x03, 0x03, 0x00, 0x97,
    /* ServerHello */
    0x02, 0x00, 0x00, 0x37, 0x03, 0x03,
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
    0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
    0x00, 0xc0, 0x2f, 0x00, 0x00, 0x0f,
    0xff, 0x01, 0x00, 0x01, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,
    /* Certificate */
    0x0b, 0x00, 0x00, 0x20, 0x00, 0x00, 0x1d,
    0x00, 0x00, 0x0c, 0x30, 0x0a, 0x30, 0x02, 0x02, 0x01, 0x30, 0x01, 0x05, 0x03, 0x01, 0x00,
    0x00, 0x00, 0x0b, 0x30, 0x09, 0x30, 0x01, 0x00, 0x30, 0x01, 0x00, 0x03, 0x01, 0x00,
    /* ServerKeyExchange */
    0x0c, 0x00, 0x00, 0x30, 0x03, 0x00, 0x1d, 0x20,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
    0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
    0x04, 0x01, 0x00, 0x08, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
    /* ServerHelloDone */
    0x0e, 0x00, 0x00, 0x00,
};

/* TLS 1.3 ServerHello: 32-byte session id echo, TLS_AES_128_GCM_SHA256,
 * supported_versions 0x0304, key_share x25519; then the middlebox
 * change_cipher_spec and an encrypted record that must not be parsed */
static const uint8_t flight13[] = {
    0x16, 0x03, 0x03, 0x00, 0x7a,
    0x02, 0x00, 0x00, 0x76,
    0x03, 0x03,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
    0x20,
    0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff,
    0x13, 0x01,
    0x00,
    0x00, 0x2e,
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
    0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20,
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
    0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
    0x14, 0x03, 0x03, 0x00, 0x01, 0x01,
    0x17, 0x03, 0x03, 0x00, 0x03, 0xde, 0xad, 0x00,
};

/* HelloRetryRequest: the RFC 8446 4.1.3 random, supported_versions 0x0304,
 * key_share selected_group secp256r1 */
static const uint8_t hrr[] = {
    0x16, 0x03, 0x03, 0x00, 0x38,
    0x02, 0x00, 0x00, 0x34,
    0x03, 0x03,
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
    0x00,
    0x13, 0x01,
    0x00,
    0x00, 0x0c,
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
    0x00, 0x33, 0x00, 0x02, 0x00, 0x17,
};

/* fatal handshake_failure in a TLS 1.2 record */
static const uint8_t alert_hf[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};

/* SSLv2 SERVER-HELLO: no session hit, X.509, version 2, a 5-byte stand-in
 * certificate, RC4_128_WITH_MD5 and DES_192_EDE3_CBC_WITH_MD5, 16-byte
 * connection id */
static const uint8_t v2hello[] = {
    0x80, 0x26,
    0x04, 0x00, 0x01, 0x00, 0x02, 0x00, 0x05, 0x00, 0x06, 0x00, 0x10,
    0x30, 0x03, 0x02, 0x01, 0x01,
    0x01, 0x00, 0x80, 0x07, 0x00, 0xc0,
    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
};

/* ---- helpers ---- */

static uint8_t scratch[300000];

/* Appends src to dst at *n. */
static void cat(uint8_t *dst, size_t *n, const uint8_t *src, size_t len)
{
    memcpy(dst + *n, src, len);
    *n += len;
}

/* Frames a handshake stream into records of at most chunk bytes. */
static size_t frame(uint8_t *dst, const uint8_t *hs, size_t len, size_t chunk)
{
    size_t n = 0;
    for (size_t off = 0; off < len; off += chunk) {
        size_t c = len - off < chunk ? len - off : chunk;
        uint8_t h[5] = {0x16, 0x03, 0x03, (uint8_t)(c >> 8), (uint8_t)c};
        cat(dst, &n, h, 5);
        cat(dst, &n, hs + off, c);
    }
    return n;
}

static size_t flight12_stream(uint8_t *dst)
{
    size_t n = 0;
    cat(dst, &n, sh12, sizeof sh12);
    cat(dst, &n, cert12, sizeof cert12);
    cat(dst, &n, ske12, sizeof ske12);
    cat(dst, &n, shd, sizeof shd);
    return n;
}

/* Feeds bytes in pieces of step; returns the last result and how many
 * bytes had been fed when it stopped being MORE. */
static td_feed feed_steps(td_flight *f, const uint8_t *p, size_t len, size_t step, size_t *used)
{
    td_feed r = TD_FEED_MORE;
    size_t off = 0;
    while (off < len) {
        size_t c = len - off < step ? len - off : step;
        r = td_flight_feed(f, p + off, c);
        off += c;
        if (r != TD_FEED_MORE)
            break;
    }
    if (used)
        *used = off;
    return r;
}

static void check_flight12(const td_flight *f)
{
    assert_int_equal(f->kind, TD_FLIGHT_HELLO);
    assert_int_equal(f->version, TD_TLS12);
    assert_int_equal(f->legacy_version, TD_TLS12);
    assert_int_equal(f->record_version, TD_TLS12);
    assert_int_equal(f->suite, 0xc02f);
    assert_int_equal(f->session_id_len, 0);
    assert_int_equal(f->random[0], 0xa0);
    assert_int_equal(f->random[31], 0xbf);
    assert_true(f->reneg_info);
    assert_true(f->reneg_info_empty);
    assert_true(f->ems);
    assert_false(f->ticket_ext);
    assert_int_equal(f->n_exts, 3);
    assert_int_equal(f->exts[0], TD_EXT_RENEGOTIATION_INFO);
    assert_int_equal(f->exts[1], TD_EXT_EMS);
    assert_int_equal(f->exts[2], TD_EXT_EC_POINT_FORMATS);
    assert_int_equal(f->downgrade, 0);
    assert_int_equal(f->n_certs, 2);
    assert_int_equal(f->certs[0].len, 12);
    assert_int_equal(f->certs[1].len, 11);
    static const uint8_t c0[] = {0x30, 0x0a, 0x30, 0x02, 0x02, 0x01, 0x30, 0x01, 0x05, 0x03, 0x01, 0x00};
    assert_memory_equal(f->certs[0].p, c0, sizeof c0);
    assert_true(f->has_ske);
    assert_int_equal(f->ske_group, 29);
    assert_int_equal(f->ske_sigalg, 0x0401);
    assert_false(f->cert_request);
    assert_true(f->hello_done);
    assert_false(f->alert);
    assert_string_equal(f->alpn, "");
    assert_string_equal(f->error, "");
}

/* ---- TLS 1.2 flight, every way it can arrive ---- */

static void test_flight12_whole(void **state)
{
    (void)state;
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, flight12_one_record, sizeof flight12_one_record), TD_FEED_DONE);
    check_flight12(&f);
    assert_int_equal(f.total, sizeof flight12_one_record);
    assert_int_equal(f.n_first, TD_FLIGHT_FIRST_BYTES);
    assert_memory_equal(f.first, flight12_one_record, TD_FLIGHT_FIRST_BYTES);
    td_flight_free(&f);
}

static void test_flight12_byte_by_byte(void **state)
{
    (void)state;
    td_flight f;
    size_t used = 0;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(feed_steps(&f, flight12_one_record, sizeof flight12_one_record, 1, &used), TD_FEED_DONE);
    assert_int_equal(used, sizeof flight12_one_record);
    check_flight12(&f);
    td_flight_free(&f);
}

static void test_flight12_fragmented(void **state)
{
    (void)state;
    uint8_t hs[512];
    size_t hs_len = flight12_stream(hs);
    assert_int_equal(hs_len, 151);
    /* the same stream cut into records of 1, 3, 7, 50 and 200 bytes, each
     * fed whole and byte by byte */
    static const size_t chunks[] = {1, 3, 7, 50, 200};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        size_t n = frame(scratch, hs, hs_len, chunks[i]);
        static const size_t steps[] = {1, 13, 100000};
        for (size_t j = 0; j < 3; j++) {
            td_flight f;
            td_flight_init(&f, false, td_suite_kx);
            assert_int_equal(feed_steps(&f, scratch, n, steps[j], NULL), TD_FEED_DONE);
            check_flight12(&f);
            td_flight_free(&f);
        }
    }
}

static void test_flight12_one_record_per_message(void **state)
{
    (void)state;
    /* coalesced the other way round: every message in its own record */
    size_t n = 0;
    n += frame(scratch + n, sh12, sizeof sh12, 1000);
    n += frame(scratch + n, cert12, sizeof cert12, 1000);
    n += frame(scratch + n, ske12, sizeof ske12, 1000);
    n += frame(scratch + n, shd, sizeof shd, 1000);
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, scratch, n), TD_FEED_DONE);
    check_flight12(&f);
    td_flight_free(&f);
}

static void test_flight12_cert_request(void **state)
{
    (void)state;
    uint8_t hs[512];
    size_t hs_len = 0;
    cat(hs, &hs_len, sh12, sizeof sh12);
    cat(hs, &hs_len, cert12, sizeof cert12);
    cat(hs, &hs_len, ske12, sizeof ske12);
    cat(hs, &hs_len, creq12, sizeof creq12);
    cat(hs, &hs_len, shd, sizeof shd);
    size_t n = frame(scratch, hs, hs_len, 16384);
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, scratch, n), TD_FEED_DONE);
    assert_true(f.cert_request);
    assert_int_equal(f.n_ca_names, 2);
    static const uint8_t dn1[] = {0x30, 0x03, 0x31, 0x01, 0x01};
    assert_int_equal(f.ca_names[1].len, 5);
    assert_memory_equal(f.ca_names[1].p, dn1, 5);
    assert_true(f.hello_done);
    td_flight_free(&f);
}

static void test_flight12_out_of_order(void **state)
{
    (void)state;
    /* ServerKeyExchange before Certificate */
    uint8_t hs[512];
    size_t hs_len = 0;
    cat(hs, &hs_len, sh12, sizeof sh12);
    cat(hs, &hs_len, ske12, sizeof ske12);
    cat(hs, &hs_len, cert12, sizeof cert12);
    size_t n = frame(scratch, hs, hs_len, 16384);
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, scratch, n), TD_FEED_ERROR);
    assert_int_equal(f.kind, TD_FLIGHT_MALFORMED);
    assert_non_null(strstr(f.error, "out of order"));
    /* the ServerHello's facts survive the error */
    assert_int_equal(f.suite, 0xc02f);
    td_flight_free(&f);
}

static void test_flight12_eof_before_done(void **state)
{
    (void)state;
    /* ServerHello and Certificate, then the peer closes */
    uint8_t hs[512];
    size_t hs_len = 0;
    cat(hs, &hs_len, sh12, sizeof sh12);
    cat(hs, &hs_len, cert12, sizeof cert12);
    size_t n = frame(scratch, hs, hs_len, 16384);
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, scratch, n), TD_FEED_MORE);
    assert_int_equal(f.kind, TD_FLIGHT_HELLO);
    assert_int_equal(td_flight_eof(&f), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_HELLO);
    assert_false(f.hello_done);
    assert_int_equal(f.n_certs, 2);
    td_flight_free(&f);
}

/* ---- TLS 1.3 ---- */

static void test_tls13_server_hello(void **state)
{
    (void)state;
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, flight13, sizeof flight13), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_HELLO);
    assert_int_equal(f.version, TD_TLS13);
    assert_int_equal(f.legacy_version, TD_TLS12);
    assert_int_equal(f.suite, 0x1301);
    assert_int_equal(f.group, 29);
    assert_int_equal(f.session_id_len, 32);
    assert_int_equal(f.n_exts, 2);
    assert_int_equal(f.exts[0], TD_EXT_SUPPORTED_VERSIONS);
    assert_int_equal(f.exts[1], TD_EXT_KEY_SHARE);
    assert_false(f.hello_done);
    td_flight_free(&f);

    /* byte by byte, it is done exactly at the end of the first record */
    size_t used = 0;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(feed_steps(&f, flight13, sizeof flight13, 1, &used), TD_FEED_DONE);
    assert_int_equal(used, 5 + 0x7a);
    td_flight_free(&f);
}

static void test_hrr(void **state)
{
    (void)state;
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, hrr, sizeof hrr), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_HRR);
    assert_int_equal(f.version, TD_TLS13);
    assert_int_equal(f.group, 23);
    assert_int_equal(f.downgrade, 0);
    td_flight_free(&f);
}

static void test_hrr_with_key_exchange_is_malformed(void **state)
{
    (void)state;
    /* An HRR whose key_share carries a key: only selected_group is allowed */
    uint8_t v[sizeof hrr + 3];
    memcpy(v, hrr, sizeof hrr);
    static const uint8_t ks[] = {0x00, 0x33, 0x00, 0x05, 0x00, 0x17, 0x00, 0x01, 0x04};
    memcpy(v + sizeof hrr - 6, ks, sizeof ks);
    v[4] = 0x38 + 3;   /* record length */
    v[8] = 0x34 + 3;   /* handshake length */
    v[48] = 0x0c + 3;  /* extensions length */
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, v, sizeof v), TD_FEED_ERROR);
    assert_non_null(strstr(f.error, "key_share"));
    td_flight_free(&f);
}

/* ---- alerts ---- */

static void test_alert(void **state)
{
    (void)state;
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, alert_hf, sizeof alert_hf), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_ALERT);
    assert_true(f.alert);
    assert_int_equal(f.alert_level, 2);
    assert_int_equal(f.alert_desc, 40);
    assert_int_equal(f.record_version, TD_TLS12);
    td_flight_free(&f);

    /* protocol_version in a TLS 1.0 record, fed byte by byte */
    static const uint8_t pv[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46};
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(feed_steps(&f, pv, sizeof pv, 1, NULL), TD_FEED_DONE);
    assert_int_equal(f.alert_desc, 70);
    assert_int_equal(f.record_version, TD_TLS10);
    td_flight_free(&f);
}

static void test_warning_then_hello(void **state)
{
    (void)state;
    /* warning unrecognized_name, then a complete TLS 1.2 flight */
    static const uint8_t warn[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x70};
    size_t n = 0;
    cat(scratch, &n, warn, sizeof warn);
    cat(scratch, &n, flight12_one_record, sizeof flight12_one_record);
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, warn, sizeof warn), TD_FEED_MORE);
    assert_int_equal(f.kind, TD_FLIGHT_ALERT);
    assert_int_equal(td_flight_feed(&f, flight12_one_record, sizeof flight12_one_record), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_HELLO);
    assert_true(f.alert);
    assert_int_equal(f.alert_level, 1);
    assert_int_equal(f.alert_desc, 112);
    assert_true(f.hello_done);
    td_flight_free(&f);

    /* a warning alone, then close: the warning is the answer */
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, warn, sizeof warn), TD_FEED_MORE);
    assert_int_equal(td_flight_eof(&f), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_ALERT);
    td_flight_free(&f);
}

static void test_two_alerts_one_record(void **state)
{
    (void)state;
    /* a fatal alert first: it is the one reported */
    static const uint8_t a[] = {0x15, 0x03, 0x03, 0x00, 0x04, 0x02, 0x28, 0x01, 0x00};
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, a, sizeof a), TD_FEED_DONE);
    assert_int_equal(f.alert_desc, 40);
    td_flight_free(&f);
    /* a warning then a fatal alert in one record: the fatal one ends it */
    static const uint8_t b[] = {0x15, 0x03, 0x03, 0x00, 0x04, 0x01, 0x70, 0x02, 0x28};
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, b, sizeof b), TD_FEED_DONE);
    assert_int_equal(f.alert_level, 2);
    assert_int_equal(f.alert_desc, 40);
    td_flight_free(&f);
}

static void test_bad_alert_length(void **state)
{
    (void)state;
    /* 1-byte and 3-byte alert records */
    static const uint8_t one[] = {0x15, 0x03, 0x03, 0x00, 0x01, 0x02};
    static const uint8_t three[] = {0x15, 0x03, 0x03, 0x00, 0x03, 0x02, 0x28, 0x00};
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, one, sizeof one), TD_FEED_ERROR);
    assert_int_equal(f.kind, TD_FLIGHT_MALFORMED);
    assert_non_null(strstr(f.error, "alert"));
    td_flight_free(&f);
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, three, sizeof three), TD_FEED_ERROR);
    td_flight_free(&f);
    /* td_parse_alert on its own: exactly two bytes */
    td_rd r;
    td_flight_init(&f, false, td_suite_kx);
    td_rd_init(&r, three + 5, 3);
    assert_false(td_parse_alert(&r, &f));
    td_flight_free(&f);
}

/* ---- SSLv2 ---- */

static void test_sslv2_server_hello(void **state)
{
    (void)state;
    for (int offered = 0; offered < 2; offered++) {
        td_flight f;
        td_flight_init(&f, offered, td_suite_kx);
        assert_int_equal(feed_steps(&f, v2hello, sizeof v2hello, 1, NULL), TD_FEED_DONE);
        assert_int_equal(f.kind, TD_FLIGHT_SSLV2);
        assert_int_equal(f.record_version, TD_SSL2);
        assert_int_equal(f.v2_version, TD_SSL2);
        assert_int_equal(f.n_v2_specs, 2);
        assert_int_equal(f.v2_specs[0], 0x010080);
        assert_int_equal(f.v2_specs[1], 0x0700c0);
        assert_int_equal(f.v2_cert.len, 5);
        td_flight_free(&f);
    }
}

static void test_sslv2_error(void **state)
{
    (void)state;
    /* MSG-ERROR NO-CIPHER-ERROR */
    static const uint8_t err[] = {0x80, 0x03, 0x00, 0x00, 0x01};
    td_flight f;
    td_flight_init(&f, true, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, err, sizeof err), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_ALERT);
    assert_int_equal(f.alert_desc, 40);
    assert_int_equal(f.record_version, TD_SSL2);
    td_flight_free(&f);
    /* without an SSLv2 hello those bytes are just not TLS */
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, err, sizeof err), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_NOT_TLS);
    td_flight_free(&f);
}

static void test_sslv2_bad(void **state)
{
    (void)state;
    /* cipher specs length 5 (not a multiple of 3) */
    uint8_t v[sizeof v2hello];
    memcpy(v, v2hello, sizeof v);
    v[10] = 0x07; /* CIPHER-SPECS-LENGTH 7 */
    v[12] = 0x0f; /* CONNECTION-ID-LENGTH 15: keeps the total length right */
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, v, sizeof v), TD_FEED_ERROR);
    assert_non_null(strstr(f.error, "multiple of 3"));
    td_flight_free(&f);
    /* cut short, then closed */
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, v2hello, 20), TD_FEED_MORE);
    assert_int_equal(td_flight_eof(&f), TD_FEED_ERROR);
    assert_string_equal(f.error, "record at offset 0: cut short by the end of the connection (RFC 5246 section 6.2.1)");
    td_flight_free(&f);
}

/* ---- not TLS ---- */

static void sniff_case_n(const char *banner, size_t len, const char *want)
{
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, (const uint8_t *)banner, len), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_NOT_TLS);
    const char *got = td_sniff_protocol(f.first, f.n_first);
    if (want)
        assert_string_equal(got, want);
    else
        assert_null(got);
    td_flight_free(&f);
}

static void sniff_case(const char *banner, const char *want)
{
    sniff_case_n(banner, strlen(banner), want);
}

static void test_banners(void **state)
{
    (void)state;
    sniff_case("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n", "HTTP");
    sniff_case("<html><body>400 Bad Request</body></html>", "HTTP");
    sniff_case("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">", "HTTP");
    sniff_case("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "SSH");
    sniff_case("220 mx.example.com ESMTP Postfix (Debian/GNU)\r\n", "SMTP");
    sniff_case("220-mail.example.com Microsoft ESMTP MAIL Service ready\r\n", "SMTP");
    sniff_case("220 ProFTPD Server (Debian) [::ffff:192.0.2.1]\r\n", "FTP");
    /* MySQL's greeting: a packet header with sequence 0, protocol 10. */
    static const char mariadb[] = "\x5b\x00\x00\x00\x0a" "5.5.5-10.11.6-MariaDB-0+deb12u1";
    sniff_case_n(mariadb, sizeof mariadb - 1, "MySQL");
    static const char mysql[] = "\x4a\x00\x00\x00\x0a" "8.0.36";
    sniff_case_n(mysql, sizeof mysql - 1, "MySQL");
    static const char not_mysql[] = "\x4a\x00\x00\x01\x0a" "8.0.36";
    sniff_case_n(not_mysql, sizeof not_mysql - 1, NULL);
    sniff_case("220-Welcome to the archive\r\n", "FTP");
    sniff_case("220 welcome\r\n", "SMTP/FTP");
    sniff_case("* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n", "IMAP");
    sniff_case("+OK Dovecot ready.\r\n", "POP3");
    sniff_case("RFB 003.008\n", NULL);
}

static void test_short_banner_eof(void **state)
{
    (void)state;
    /* fewer than 5 bytes: wait, then decide at close */
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, (const uint8_t *)"+OK", 3), TD_FEED_MORE);
    assert_int_equal(td_flight_eof(&f), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_NOT_TLS);
    assert_string_equal(td_sniff_protocol(f.first, f.n_first), "POP3");
    td_flight_free(&f);

    /* nothing at all: the caller decides (closed) */
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_eof(&f), TD_FEED_MORE);
    assert_int_equal(f.kind, TD_FLIGHT_NONE);
    td_flight_free(&f);

    /* 0x16 followed by something that is not a TLS version */
    static const uint8_t odd[] = {0x16, 0x41, 0x42, 0x43, 0x44};
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, odd, sizeof odd), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_NOT_TLS);
    td_flight_free(&f);
}

/* ---- downgrade sentinels ---- */

static void hello_with_tail(uint8_t last, uint16_t version, td_flight *f)
{
    /* a ServerHello without extensions whose random ends in DOWNGRD + last,
     * followed by ServerHelloDone */
    uint8_t m[] = {
        0x02, 0x00, 0x00, 0x26,
        (uint8_t)(version >> 8), (uint8_t)version,
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, last,
        0x00,
        0x00, 0x2f,
        0x00,
        0x0e, 0x00, 0x00, 0x00,
    };
    size_t n = frame(scratch, m, sizeof m, 16384);
    td_flight_init(f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(f, scratch, n), TD_FEED_DONE);
    assert_true(f->hello_done);
    assert_int_equal(f->n_exts, 0);
}

static void test_downgrade(void **state)
{
    (void)state;
    td_flight f;
    hello_with_tail(0x01, TD_TLS12, &f);
    assert_int_equal(f.downgrade, 0x12);
    td_flight_free(&f);
    hello_with_tail(0x00, TD_TLS11, &f);
    assert_int_equal(f.downgrade, 0x11);
    assert_int_equal(f.version, TD_TLS11);
    td_flight_free(&f);
    hello_with_tail(0x02, TD_TLS12, &f);
    assert_int_equal(f.downgrade, 0);
    td_flight_free(&f);
}

/* ---- negative cases ---- */

static void test_truncated_record_eof(void **state)
{
    (void)state;
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, flight12_one_record, 20), TD_FEED_MORE);
    assert_int_equal(td_flight_eof(&f), TD_FEED_ERROR);
    assert_int_equal(f.kind, TD_FLIGHT_MALFORMED);
    assert_string_equal(f.error, "record at offset 0: cut short by the end of the connection (RFC 5246 section 6.2.1)");
    td_flight_free(&f);
    /* a lone record header byte */
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, flight12_one_record, 1), TD_FEED_MORE);
    assert_int_equal(td_flight_eof(&f), TD_FEED_ERROR);
    td_flight_free(&f);
}

static void test_truncated_message_eof(void **state)
{
    (void)state;
    /* whole records, but the ServerHello continues past them */
    size_t n = frame(scratch, sh12, 30, 16384);
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, scratch, n), TD_FEED_MORE);
    assert_int_equal(td_flight_eof(&f), TD_FEED_ERROR);
    assert_string_equal(f.error, "handshake message at offset 0: cut short by the end of the connection (RFC 5246 "
                                 "section 6.2.1)");
    td_flight_free(&f);
}

static void test_record_too_long(void **state)
{
    (void)state;
    /* handshake record claiming 2^14 + 2049 bytes */
    static const uint8_t v[] = {0x16, 0x03, 0x03, 0x48, 0x01, 0x02};
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, v, sizeof v), TD_FEED_ERROR);
    assert_non_null(strstr(f.error, "exceeds"));
    td_flight_free(&f);
}

static void test_handshake_length_beyond_record(void **state)
{
    (void)state;
    /* a 10-byte record whose ServerHello claims 16 MiB */
    static const uint8_t v[] = {0x16, 0x03, 0x03, 0x00, 0x0a,
                                0x02, 0xff, 0xff, 0xff, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00};
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, v, sizeof v), TD_FEED_ERROR);
    assert_non_null(strstr(f.error, "handshake message of"));
    td_flight_free(&f);

    /* a ServerHello longer than its record, then a change_cipher_spec
     * inside the message: RFC 8446 5.1 forbids the interleaving */
    size_t n = frame(scratch, sh12, 30, 16384);
    static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    cat(scratch, &n, ccs, sizeof ccs);
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, scratch, n), TD_FEED_ERROR);
    assert_non_null(strstr(f.error, "fragmented"));
    td_flight_free(&f);
}

static void feed_bad_sh(const uint8_t *m, size_t len, const char *want)
{
    size_t n = frame(scratch, m, len, 16384);
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, scratch, n), TD_FEED_ERROR);
    assert_int_equal(f.kind, TD_FLIGHT_MALFORMED);
    if (!strstr(f.error, want))
        fail_msg("error \"%s\" lacks \"%s\"", f.error, want);
    td_flight_free(&f);
}

static void test_server_hello_leftovers(void **state)
{
    (void)state;
    uint8_t m[sizeof sh12 + 1];

    /* one stray byte inside the extensions block (block length 16) */
    memcpy(m, sh12, sizeof sh12);
    m[3] = 0x38;
    m[43] = 0x10;
    m[sizeof sh12] = 0x00;
    feed_bad_sh(m, sizeof m, "overruns the extensions block");

    /* one stray byte after the extensions block */
    memcpy(m, sh12, sizeof sh12);
    m[3] = 0x38;
    m[sizeof sh12] = 0x00;
    feed_bad_sh(m, sizeof m, "ServerHello offset 55: 1 bytes after the extensions (RFC 8446 section 4.1.3)");

    /* extended_master_secret with a body byte: renegotiation_info stays,
     * EMS becomes 00 17 00 01 00, ec_point_formats is dropped */
    static const uint8_t ems[] = {
        0x02, 0x00, 0x00, 0x32, 0x03, 0x03,
        0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
        0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
        0x00, 0xc0, 0x2f, 0x00, 0x00, 0x0a,
        0xff, 0x01, 0x00, 0x01, 0x00,
        0x00, 0x17, 0x00, 0x01, 0x00,
    };
    feed_bad_sh(ems, sizeof ems, "extended_master_secret");

    /* renegotiation_info whose inner length leaves a byte over */
    static const uint8_t reneg[] = {
        0x02, 0x00, 0x00, 0x2d, 0x03, 0x03,
        0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
        0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
        0x00, 0xc0, 0x2f, 0x00, 0x00, 0x05,
        0xff, 0x01, 0x00, 0x02, 0x00, 0x00,
    };
    feed_bad_sh(reneg, sizeof reneg - 1, "");  /* also broken: ext overruns block */
    static const uint8_t reneg2[] = {
        0x02, 0x00, 0x00, 0x2e, 0x03, 0x03,
        0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
        0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
        0x00, 0xc0, 0x2f, 0x00, 0x00, 0x06,
        0xff, 0x01, 0x00, 0x02, 0x00, 0x00,
    };
    feed_bad_sh(reneg2, sizeof reneg2, "renegotiation_info");

    /* the same extension twice */
    static const uint8_t dup[] = {
        0x02, 0x00, 0x00, 0x30, 0x03, 0x03,
        0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
        0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
        0x00, 0xc0, 0x2f, 0x00, 0x00, 0x08,
        0x00, 0x17, 0x00, 0x00,
        0x00, 0x17, 0x00, 0x00,
    };
    feed_bad_sh(dup, sizeof dup, "duplicate");

    /* session id of 33 bytes */
    uint8_t big[4 + 2 + 32 + 1 + 33 + 3];
    memset(big, 0, sizeof big);
    big[0] = 0x02;
    big[3] = (uint8_t)(sizeof big - 4);
    big[4] = 0x03;
    big[5] = 0x03;
    big[38] = 33;
    feed_bad_sh(big, sizeof big, "session id");
}

static void test_alpn(void **state)
{
    (void)state;
    /* ServerHello selecting "h2" */
    static const uint8_t m[] = {
        0x02, 0x00, 0x00, 0x31, 0x03, 0x03,
        0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
        0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
        0x00, 0xc0, 0x2f, 0x00, 0x00, 0x09,
        0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, 'h', '2',
    };
    td_rd r;
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    td_rd_init(&r, m + 4, sizeof m - 4);
    assert_true(td_parse_server_hello(&r, &f));
    assert_string_equal(f.alpn, "h2");
    assert_int_equal(f.kind, TD_FLIGHT_HELLO);
    td_flight_free(&f);
    /* two names: the server must pick exactly one */
    static const uint8_t two[] = {
        0x03, 0x03,
        0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
        0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
        0x00, 0xc0, 0x2f, 0x00, 0x00, 0x0b,
        0x00, 0x10, 0x00, 0x07, 0x00, 0x05, 0x02, 'h', '2', 0x01, 'x',
    };
    td_flight_init(&f, false, td_suite_kx);
    td_rd_init(&r, two, sizeof two);
    assert_false(td_parse_server_hello(&r, &f));
    assert_non_null(strstr(f.error, "ALPN"));
    td_flight_free(&f);
}

static void test_oversize_flight(void **state)
{
    (void)state;
    /* ServerHello, then a Certificate announcing 262128 bytes that keeps
     * coming in full records until the flight passes the 256 KiB cap */
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    size_t n = frame(scratch, sh12, sizeof sh12, 16384);
    assert_int_equal(td_flight_feed(&f, scratch, n), TD_FEED_MORE);
    static uint8_t rec[5 + 16384];
    memset(rec, 0, sizeof rec);
    rec[0] = 0x16;
    rec[1] = 0x03;
    rec[2] = 0x03;
    rec[3] = 0x40;
    rec[4] = 0x00;
    rec[5] = 0x0b;
    rec[6] = 0x03;
    rec[7] = 0xff;
    rec[8] = 0xf0;
    td_feed r = td_flight_feed(&f, rec, sizeof rec);
    memset(rec + 5, 0, 4);
    int rounds = 0;
    while (r == TD_FEED_MORE && rounds++ < 100)
        r = td_flight_feed(&f, rec, sizeof rec);
    assert_int_equal(r, TD_FEED_ERROR);
    assert_int_equal(f.kind, TD_FLIGHT_MALFORMED);
    assert_non_null(strstr(f.error, "larger than"));
    assert_true(f.total > TD_FLIGHT_MAX_BYTES);
    td_flight_free(&f);
}

static void test_many_records_are_fine(void **state)
{
    (void)state;
    /* 2000 warning alerts (no_renegotiation), each in its own record: odd,
     * but the record count alone is no fault */
    static const uint8_t warn[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x64};
    size_t n = 0;
    for (int i = 0; i < 2000; i++)
        cat(scratch, &n, warn, sizeof warn);
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, scratch, n), TD_FEED_MORE);
    assert_int_equal(f.kind, TD_FLIGHT_ALERT);
    assert_string_equal(f.error, "");
    td_flight_free(&f);
}

static void test_trickled_flood_is_bounded(void **state)
{
    (void)state;
    /* warning alerts up to the byte cap, fed one record a read: every read
     * would re-parse everything so far, so the re-parse budget ends it long
     * before the last record */
    static const uint8_t warn[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x64};
    size_t n = 0;
    while (n + sizeof warn <= TD_FLIGHT_MAX_BYTES)
        cat(scratch, &n, warn, sizeof warn);
    td_flight f;
    size_t used = 0;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(feed_steps(&f, scratch, n, sizeof warn, &used), TD_FEED_ERROR);
    assert_true(used < n / 2);
    assert_int_equal(f.kind, TD_FLIGHT_MALFORMED);
    assert_non_null(strstr(f.error, "too many pieces"));
    td_flight_free(&f);
}

/* Bytes of a DER header for n content bytes (X.690 section 8.1.3). */
static size_t der_hdr_len(size_t n)
{
    return n < 0x80 ? 2 : n < 0x100 ? 3 : n < 0x10000 ? 4 : 5;
}

static size_t der_hdr(uint8_t *p, uint8_t tag, size_t n)
{
    size_t h = der_hdr_len(n);
    p[0] = tag;
    if (h == 2)
        p[1] = (uint8_t)n;
    else
        p[1] = (uint8_t)(0x80 | (h - 2));
    for (size_t i = 2; i < h; i++)
        p[i] = (uint8_t)(n >> (8 * (h - 1 - i)));
    return h;
}

/* The content length that, with its header, makes total bytes. */
static size_t der_content_for(size_t total)
{
    for (size_t h = 2; h <= 5; h++)
        if (total >= h && der_hdr_len(total - h) == h)
            return total - h;
    fail_msg("no DER length makes %zu bytes", total);
    return 0;
}

/* len bytes with the outer shape of a certificate (RFC 5280 section 4.1):
 * SEQUENCE { SEQUENCE of filler, SEQUENCE { NULL }, BIT STRING { 0 } }. */
static void fake_cert(uint8_t *p, size_t len)
{
    static const uint8_t tail[] = {0x30, 0x02, 0x05, 0x00, 0x03, 0x01, 0x00};
    size_t outer = der_content_for(len);
    size_t n = der_hdr(p, 0x30, outer);
    size_t tbs = der_content_for(outer - sizeof tail);
    n += der_hdr(p + n, 0x30, tbs);
    memset(p + n, 0x5a, tbs);
    n += tbs;
    memcpy(p + n, tail, sizeof tail);
    assert_int_equal(n + sizeof tail, len);
}

/* ServerHello, a Certificate carrying one certificate-shaped blob of
 * cert_len bytes, the ServerKeyExchange when ske, and ServerHelloDone. */
static size_t flight12_with_cert(uint8_t *hs, uint32_t cert_len, bool ske)
{
    size_t n = 0;
    cat(hs, &n, sh12, sizeof sh12);
    uint32_t list = cert_len + 3, body = list + 3;
    const uint8_t head[] = {0x0b, (uint8_t)(body >> 16), (uint8_t)(body >> 8), (uint8_t)body,
                            (uint8_t)(list >> 16), (uint8_t)(list >> 8), (uint8_t)list,
                            (uint8_t)(cert_len >> 16), (uint8_t)(cert_len >> 8), (uint8_t)cert_len};
    cat(hs, &n, head, sizeof head);
    fake_cert(hs + n, cert_len);
    n += cert_len;
    if (ske)
        cat(hs, &n, ske12, sizeof ske12);
    cat(hs, &n, shd, sizeof shd);
    return n;
}

static void test_flight12_one_byte_records(void **state)
{
    (void)state;
    /* RFC 5246 section 6.2.1: a handshake message may be cut into any
     * number of records.  Here every record carries one byte: over 2000
     * records, fed at once, a record a read and a byte a read, each time
     * without parsing the whole prefix again for every record. */
    static uint8_t hs[4096];
    size_t hs_len = flight12_with_cert(hs, 2000, true);
    size_t n = frame(scratch, hs, hs_len, 1);
    assert_true(hs_len > 2000);
    assert_int_equal(n, hs_len * 6);
    static const size_t steps[] = {300000, 6, 1};
    for (size_t j = 0; j < sizeof steps / sizeof steps[0]; j++) {
        td_flight f;
        size_t used = 0;
        td_flight_init(&f, false, td_suite_kx);
        assert_int_equal(feed_steps(&f, scratch, n, steps[j], &used), TD_FEED_DONE);
        assert_int_equal(used, n);
        /* a parse per message and per record header split, not per record */
        assert_true(f.reparsed <= 16 * n);
        assert_string_equal(f.error, "");
        assert_int_equal(f.kind, TD_FLIGHT_HELLO);
        assert_int_equal(f.version, TD_TLS12);
        assert_int_equal(f.suite, 0xc02f);
        assert_int_equal(f.n_certs, 1);
        assert_int_equal(f.certs[0].len, 2000);
        assert_true(f.has_ske);
        assert_int_equal(f.ske_group, 29);
        assert_true(f.hello_done);
        td_flight_free(&f);
    }
}

static void test_alert_inside_fragmented_message(void **state)
{
    (void)state;
    /* half a ServerHello in 1-byte records, then a fatal alert: the feed
     * that completes the alert answers, though the message is unfinished */
    size_t n = frame(scratch, sh12, sizeof sh12 / 2, 1);
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(feed_steps(&f, scratch, n, 1, NULL), TD_FEED_MORE);
    assert_int_equal(feed_steps(&f, alert_hf, sizeof alert_hf, 1, NULL), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_ALERT);
    assert_int_equal(f.alert_desc, 40);
    td_flight_free(&f);
}

static void test_trickle_is_cheap(void **state)
{
    (void)state;
    /* a Certificate of about 200 KB in full records, fed byte by byte:
     * only completed records trigger a re-parse, so this stays fast */
    static uint8_t hs[210000];
    size_t hs_len = flight12_with_cert(hs, 200000, false);
    size_t n = frame(scratch, hs, hs_len, 16384);
    td_flight f;
    size_t used = 0;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(feed_steps(&f, scratch, n, 1, &used), TD_FEED_DONE);
    assert_int_equal(used, n);
    assert_int_equal(f.n_certs, 1);
    assert_int_equal(f.certs[0].len, 200000);
    assert_true(f.hello_done);
    td_flight_free(&f);
}

static void test_bad_record_framing(void **state)
{
    (void)state;
    td_flight f;
    /* a second record of content type 24 (heartbeat) */
    uint8_t v[64];
    size_t n = 0;
    static const uint8_t hb[] = {0x18, 0x03, 0x03, 0x00, 0x01, 0x01};
    n = frame(v, sh12, 10, 16384);
    cat(v, &n, hb, sizeof hb);
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, v, n), TD_FEED_ERROR);
    assert_non_null(strstr(f.error, "content type 24"));
    td_flight_free(&f);
    /* record version 3.5 */
    static const uint8_t badver[] = {0x16, 0x03, 0x05, 0x00, 0x01, 0x02};
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, badver, sizeof badver), TD_FEED_ERROR);
    td_flight_free(&f);
    /* empty handshake record */
    static const uint8_t empty[] = {0x16, 0x03, 0x03, 0x00, 0x00};
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, empty, sizeof empty), TD_FEED_ERROR);
    td_flight_free(&f);
    /* application data first */
    static const uint8_t app[] = {0x17, 0x03, 0x03, 0x00, 0x01, 0x00};
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, app, sizeof app), TD_FEED_ERROR);
    td_flight_free(&f);
    /* a Certificate before any ServerHello */
    n = frame(v, cert12, sizeof cert12, 16384);
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, v, n), TD_FEED_ERROR);
    assert_non_null(strstr(f.error, "before ServerHello"));
    td_flight_free(&f);
}

static void test_ccs_before_hello_ignored(void **state)
{
    (void)state;
    static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    size_t n = 0;
    cat(scratch, &n, ccs, sizeof ccs);
    cat(scratch, &n, flight13, sizeof flight13);
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, scratch, n), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_HELLO);
    assert_int_equal(f.version, TD_TLS13);
    td_flight_free(&f);
    /* only a change_cipher_spec, then close: nothing conclusive */
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, ccs, sizeof ccs), TD_FEED_MORE);
    assert_int_equal(td_flight_eof(&f), TD_FEED_MORE);
    td_flight_free(&f);
}

/* ---- single-message parsers ---- */

static void test_parse_certificate(void **state)
{
    (void)state;
    td_flight f;
    td_rd r;
    /* an empty certificate inside the list */
    static const uint8_t empty_cert[] = {0x00, 0x00, 0x03, 0x00, 0x00, 0x00};
    td_flight_init(&f, false, td_suite_kx);
    td_rd_init(&r, empty_cert, sizeof empty_cert);
    assert_false(td_parse_certificate(&r, &f));
    td_flight_free(&f);
    /* an empty list is accepted */
    static const uint8_t none[] = {0x00, 0x00, 0x00};
    td_flight_init(&f, false, td_suite_kx);
    td_rd_init(&r, none, sizeof none);
    assert_true(td_parse_certificate(&r, &f));
    assert_int_equal(f.n_certs, 0);
    td_flight_free(&f);
    /* 20 small certificates: the first 16 are kept */
    uint8_t many[3 + 20 * 15];
    many[0] = 0;
    many[1] = (uint8_t)((20 * 15) >> 8);
    many[2] = (uint8_t)(20 * 15);
    for (int i = 0; i < 20; i++) {
        uint8_t *c = many + 3 + 15 * i;
        c[0] = 0;
        c[1] = 0;
        c[2] = 12;
        fake_cert(c + 3, 12);
        c[3 + 4] = (uint8_t)i; /* the filler byte of tbsCertificate */
    }
    td_flight_init(&f, false, td_suite_kx);
    td_rd_init(&r, many, sizeof many);
    assert_true(td_parse_certificate(&r, &f));
    assert_int_equal(f.n_certs, TD_FLIGHT_MAX_CERTS);
    assert_int_equal(f.certs[15].p[4], 15);
    td_flight_free(&f);
}

/* A Certificate message body with the given certificates (each up to 255
 * bytes), for the DER checks. */
static size_t cert_msg(uint8_t *out, const uint8_t *const *certs, const size_t *lens, size_t n)
{
    size_t len = 3;
    for (size_t i = 0; i < n; i++) {
        out[len] = 0;
        out[len + 1] = 0;
        out[len + 2] = (uint8_t)lens[i];
        memcpy(out + len + 3, certs[i], lens[i]);
        len += 3 + lens[i];
    }
    out[0] = 0;
    out[1] = (uint8_t)((len - 3) >> 8);
    out[2] = (uint8_t)(len - 3);
    return len;
}

static void expect_bad_certs(const uint8_t *const *certs, const size_t *lens, size_t n, const char *want)
{
    static uint8_t body[4096];
    size_t len = cert_msg(body, certs, lens, n);
    td_flight f;
    td_rd r;
    td_flight_init(&f, false, td_suite_kx);
    td_rd_init(&r, body, len);
    assert_false(td_parse_certificate(&r, &f));
    if (strcmp(f.error, want) != 0)
        fail_msg("error \"%s\", expected \"%s\"", f.error, want);
    td_flight_free(&f);
}

static void test_certificate_not_der(void **state)
{
    (void)state;
    uint8_t good[40], junk[40];
    fake_cert(good, sizeof good);
    const uint8_t *certs[3] = {good, good, junk};
    size_t lens[3] = {sizeof good, sizeof good, sizeof good};

    /* random bytes: a tag that is no SEQUENCE */
    memset(junk, 0x5a, sizeof junk);
    junk[1] = 0x26;
    expect_bad_certs(certs, lens, 3, "Certificate message: certificate 3 is not an X.509 certificate at offset 0: "
                                     "tag 0x5a where the Certificate SEQUENCE (0x30) belongs (RFC 5280 section 4.1)");
    /* a huge length */
    static const uint8_t huge[] = {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x30, 0x00};
    certs[2] = huge;
    lens[2] = sizeof huge;
    expect_bad_certs(certs, lens, 3, "Certificate message: certificate 3 is not DER at offset 0: length runs past "
                                     "the end of the data (X.690 section 8.1.3)");
    /* truncated: tbsCertificate promises more than the certificate holds */
    memcpy(junk, good, sizeof good);
    junk[3] = 0x7f;
    certs[2] = junk;
    lens[2] = sizeof good;
    expect_bad_certs(certs, lens, 3, "Certificate message: certificate 3 is not DER at offset 2: tbsCertificate: "
                                     "length runs past the end of the data (X.690 section 8.1.3)");
    /* a length in the long form where the short one fits */
    static const uint8_t longform[] = {0x30, 0x81, 0x07, 0x30, 0x01, 0x00, 0x30, 0x00, 0x03, 0x01, 0x00};
    certs[0] = longform;
    lens[0] = sizeof longform;
    expect_bad_certs(certs, lens, 1, "Certificate message: certificate 1 is not DER at offset 0: long-form length "
                                     "below 128, which DER forbids (X.690 section 10.1)");
    /* a tiny shell: empty tbsCertificate */
    static const uint8_t shell[] = {0x30, 0x08, 0x30, 0x00, 0x30, 0x01, 0x00, 0x03, 0x01, 0x00, 0x00};
    certs[0] = shell;
    lens[0] = sizeof shell - 1;
    expect_bad_certs(certs, lens, 1, "Certificate message: certificate 1 is not an X.509 certificate at offset 2: "
                                     "tbsCertificate is empty (RFC 5280 section 4.1)");
    /* bytes after the Certificate SEQUENCE */
    certs[0] = good;
    lens[0] = sizeof good;
    certs[1] = shell;
    lens[1] = sizeof shell;
    expect_bad_certs(certs, lens, 2, "Certificate message: certificate 2 is not DER at offset 10: 1 bytes after "
                                     "the Certificate SEQUENCE (RFC 5246 section 7.4.2)");
    /* signatureValue that is no BIT STRING */
    static const uint8_t nobits[] = {0x30, 0x09, 0x30, 0x01, 0x00, 0x30, 0x01, 0x00, 0x04, 0x01, 0x00};
    certs[0] = nobits;
    lens[0] = sizeof nobits;
    expect_bad_certs(certs, lens, 1, "Certificate message: certificate 1 is not an X.509 certificate at offset 8: "
                                     "signatureValue has tag 0x04, not 0x03 (RFC 5280 section 4.1)");
}

static void test_alert_bogus_level(void **state)
{
    (void)state;
    /* RFC 5246 section 7.2: a level is warning(1) or fatal(2) */
    static const uint8_t bogus[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x07, 0x28};
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, bogus, sizeof bogus), TD_FEED_ERROR);
    assert_int_equal(f.kind, TD_FLIGHT_MALFORMED);
    assert_string_equal(f.error, "Alert offset 0: level 7 is neither warning(1) nor fatal(2) (RFC 5246 section 7.2)");
    td_flight_free(&f);
}

static void test_record_errors_name_offset(void **state)
{
    (void)state;
    /* a whole ServerHello record, then a record longer than any allowed */
    size_t n = frame(scratch, sh12, sizeof sh12, 16384);
    static const uint8_t huge[] = {0x16, 0x03, 0x03, 0xff, 0xff};
    cat(scratch, &n, huge, sizeof huge);
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, scratch, n), TD_FEED_ERROR);
    assert_string_equal(f.error, "record at offset 64: 65535 bytes exceeds 2^14+2048 (RFC 5246 section 6.2.3)");
    td_flight_free(&f);
    /* an empty handshake record after the ServerHello */
    n = frame(scratch, sh12, sizeof sh12, 16384);
    static const uint8_t empty[] = {0x16, 0x03, 0x03, 0x00, 0x00};
    cat(scratch, &n, empty, sizeof empty);
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, scratch, n), TD_FEED_ERROR);
    assert_string_equal(f.error, "record at offset 64: empty record of content type 22 (RFC 8446 section 5.1)");
    td_flight_free(&f);
    /* a ServerHello whose session id claims 40 bytes */
    uint8_t m[sizeof sh12 + 40];
    memcpy(m, sh12, sizeof sh12);
    m[3] = (uint8_t)(sh12[3] + 40);
    m[38] = 40;
    memset(m + 39, 0, 40);
    memcpy(m + 79, sh12 + 39, sizeof sh12 - 39);
    feed_bad_sh(m, sizeof m, "ServerHello offset 35: session id of 40 bytes, at most 32 (RFC 5246 section 7.4.1.2)");
}

/* ---- answers held to the offer ---- */

static void parse_whole(td_flight *f, const uint8_t *p, size_t n)
{
    td_flight_init(f, false, td_suite_kx);
    td_feed r = td_flight_feed(f, p, n);
    assert_true(r == TD_FEED_DONE || r == TD_FEED_MORE);
    assert_string_equal(f->error, "");
}

static void expect_offer(const td_offer *o, const td_flight *f, const char *want)
{
    char err[TD_FLIGHT_ERROR_LEN] = "";
    bool ok = td_offer_check(o, f, err, sizeof err);
    if (!want) {
        if (!ok)
            fail_msg("unexpected: %s", err);
        return;
    }
    assert_false(ok);
    if (strcmp(err, want) != 0)
        fail_msg("error \"%s\", expected \"%s\"", err, want);
}

static void test_offer_tls12(void **state)
{
    (void)state;
    static const uint16_t suites[] = {0xc02f, 0xc030, 0x009c}, groups[] = {0x001d, 0x0017};
    td_hello_spec sp = {.version = TD_TLS12, .suites = suites, .n_suites = 3, .groups = groups, .n_groups = 2,
                        .flags = TD_HELLO_SCSV_RENEG};
    td_offer o;
    td_offer_from_spec(&o, &sp);
    assert_int_equal(o.client_version, TD_TLS12);
    assert_int_equal(o.n_versions, 0);
    assert_int_equal(o.n_suites, 3);
    td_flight f;
    parse_whole(&f, flight12_one_record, sizeof flight12_one_record);
    expect_offer(&o, &f, NULL);

    /* a suite not offered; the renegotiation SCSV the hello carried is
     * no suite either (RFC 5746 section 3.3) */
    f.suite = 0xc0ff;
    expect_offer(&o, &f, "ServerHello offset 35: selects cipher suite 0xC0FF, which the ClientHello did not offer "
                         "(RFC 8446 section 4.1.3 / RFC 5246 section 7.4.1.3)");
    f.suite = 0x00ff;
    expect_offer(&o, &f, "ServerHello offset 35: selects cipher suite 0x00FF, which the ClientHello did not offer "
                         "(RFC 8446 section 4.1.3 / RFC 5246 section 7.4.1.3)");
    f.suite = 0xc02f;
    /* a version above the offer's; a lower one is the server's to pick */
    f.legacy_version = f.version = TD_TLS13;
    expect_offer(&o, &f, "ServerHello offset 0: selects version 0x0304, above the 0x0303 the ClientHello offered "
                         "(RFC 5246 appendix E.1 / RFC 8446 section 4.1.3)");
    f.legacy_version = f.version = TD_TLS10;
    expect_offer(&o, &f, NULL);
    f.legacy_version = f.version = TD_TLS12;
    /* an ECDHE curve outside supported_groups */
    f.ske_group = 0x0019;
    expect_offer(&o, &f, "ServerKeyExchange offset 1: curve 0x0019, which the ClientHello did not offer in "
                         "supported_groups (RFC 8422 section 5.1)");
    /* without supported_groups any curve is the server's choice */
    sp.n_groups = 0;
    td_offer_from_spec(&o, &sp);
    expect_offer(&o, &f, NULL);
    td_flight_free(&f);
}

static void test_offer_tls13(void **state)
{
    (void)state;
    static const uint16_t vers[] = {TD_TLS13, TD_TLS12}, suites[] = {0x1301, 0x1302, 0xc02f},
                          groups[] = {0x001d, 0x0017, 0x0018}, shares[] = {0x001d};
    td_hello_spec sp = {.version = TD_TLS13, .versions = vers, .n_versions = 2, .suites = suites, .n_suites = 3,
                        .groups = groups, .n_groups = 3, .key_shares = shares, .n_key_shares = 1};
    td_offer o;
    td_offer_from_spec(&o, &sp);
    assert_int_equal(o.client_version, TD_TLS12);
    assert_int_equal(o.n_versions, 2);
    assert_int_equal(o.n_shares, 1);
    td_flight f;
    parse_whole(&f, flight13, sizeof flight13);
    expect_offer(&o, &f, NULL);
    /* supported_versions naming a version not offered, or below TLS 1.3 */
    f.version = 0x0305;
    expect_offer(&o, &f, "ServerHello offset 76: selects version 0x0305, which the ClientHello did not offer "
                         "(RFC 8446 section 4.2.1)");
    f.version = TD_TLS12;
    expect_offer(&o, &f, "ServerHello offset 76: selects version 0x0303 in supported_versions, which only TLS 1.3 "
                         "and later may do (RFC 8446 section 4.2.1)");
    f.version = TD_TLS13;
    /* a key share in a group the client sent no share for */
    f.group = 0x0017;
    expect_offer(&o, &f, "ServerHello offset 82: key share for group 0x0017, for which the ClientHello sent no key "
                         "share (RFC 8446 section 4.2.8)");
    td_flight_free(&f);

    /* HelloRetryRequest for secp256r1: offered, no share sent: fine */
    parse_whole(&f, hrr, sizeof hrr);
    assert_int_equal(f.kind, TD_FLIGHT_HRR);
    expect_offer(&o, &f, NULL);
    /* for a group already shared, or never offered */
    f.group = 0x001d;
    expect_offer(&o, &f, "HelloRetryRequest offset 50: asks for group 0x001D, for which the ClientHello already "
                         "sent a key share (RFC 8446 section 4.1.4)");
    f.group = 0x0042;
    expect_offer(&o, &f, "HelloRetryRequest offset 50: asks for group 0x0042, which the ClientHello did not offer "
                         "(RFC 8446 section 4.1.4)");
    td_flight_free(&f);
}

static void test_is_hrr(void **state)
{
    (void)state;
    /* hrr is one record: the handshake message follows its 5-byte header */
    assert_true(td_flight_is_hrr(hrr + 5, sizeof hrr - 5));
    assert_false(td_flight_is_hrr(flight13 + 5, sizeof flight13 - 5));
    assert_false(td_flight_is_hrr(hrr + 5, 20));
    assert_false(td_flight_is_hrr(NULL, 0));
}

static void test_parse_ske_dhe(void **state)
{
    (void)state;
    /* DHE_RSA (009e) in TLS 1.2: p is 00 80 00 (leading zero, 16 bits),
     * g = 2, Ys = 1 byte, rsa_pss_rsae_sha256, 2-byte signature */
    static const uint8_t v[] = {
        0x00, 0x03, 0x00, 0x80, 0x00,
        0x00, 0x01, 0x02,
        0x00, 0x01, 0x05,
        0x08, 0x04,
        0x00, 0x02, 0xaa, 0xbb,
    };
    td_flight f;
    td_rd r;
    td_flight_init(&f, false, td_suite_kx);
    f.suite = 0x009e;
    f.version = TD_TLS12;
    td_rd_init(&r, v, sizeof v);
    assert_true(td_parse_server_key_exchange(&r, &f));
    assert_int_equal(f.dh_bits, 16);
    assert_int_equal(f.ske_sigalg, 0x0804);
    assert_true(f.has_ske);
    td_flight_free(&f);

    /* TLS 1.0: no signature algorithm, so 08 04 is read as a length and
     * the message does not parse */
    td_flight_init(&f, false, td_suite_kx);
    f.suite = 0x009e;
    f.version = TD_TLS10;
    td_rd_init(&r, v, sizeof v);
    assert_false(td_parse_server_key_exchange(&r, &f));
    td_flight_free(&f);

    /* the TLS 1.0 form of the same message */
    static const uint8_t v10[] = {
        0x00, 0x03, 0x00, 0x80, 0x00, 0x00, 0x01, 0x02, 0x00, 0x01, 0x05, 0x00, 0x02, 0xaa, 0xbb,
    };
    td_flight_init(&f, false, td_suite_kx);
    f.suite = 0x009e;
    f.version = TD_TLS10;
    td_rd_init(&r, v10, sizeof v10);
    assert_true(td_parse_server_key_exchange(&r, &f));
    assert_int_equal(f.ske_sigalg, 0);
    td_flight_free(&f);

    /* anonymous DH (0034): parameters only; a trailing signature is
     * leftover bytes */
    td_flight_init(&f, false, td_suite_kx);
    f.suite = 0x0034;
    f.version = TD_TLS12;
    td_rd_init(&r, v10, 11);
    assert_true(td_parse_server_key_exchange(&r, &f));
    td_flight_free(&f);
    td_flight_init(&f, false, td_suite_kx);
    f.suite = 0x0034;
    f.version = TD_TLS12;
    td_rd_init(&r, v10, sizeof v10);
    assert_false(td_parse_server_key_exchange(&r, &f));
    assert_non_null(strstr(f.error, "after ServerKeyExchange"));
    td_flight_free(&f);
}

static void test_parse_ske_bad(void **state)
{
    (void)state;
    td_flight f;
    td_rd r;
    /* ECDHE with explicit_prime curve_type 1 */
    static const uint8_t explicit[] = {0x01, 0x00, 0x17, 0x01, 0x04, 0x04, 0x01, 0x00, 0x00};
    td_flight_init(&f, false, td_suite_kx);
    f.suite = 0xc02f;
    f.version = TD_TLS12;
    td_rd_init(&r, explicit, sizeof explicit);
    assert_false(td_parse_server_key_exchange(&r, &f));
    assert_non_null(strstr(f.error, "named_curve"));
    td_flight_free(&f);
    /* plain RSA key exchange never has one */
    td_flight_init(&f, false, td_suite_kx);
    f.suite = 0x002f;
    f.version = TD_TLS12;
    td_rd_init(&r, explicit, sizeof explicit);
    assert_false(td_parse_server_key_exchange(&r, &f));
    td_flight_free(&f);
    /* unknown suite */
    td_flight_init(&f, false, td_suite_kx);
    f.suite = 0xfefe;
    f.version = TD_TLS12;
    td_rd_init(&r, explicit, sizeof explicit);
    assert_false(td_parse_server_key_exchange(&r, &f));
    td_flight_free(&f);
    /* DH prime of all zeros */
    static const uint8_t zero[] = {0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x01, 0x05};
    td_flight_init(&f, false, td_suite_kx);
    f.suite = 0x0034;
    f.version = TD_TLS12;
    td_rd_init(&r, zero, sizeof zero);
    assert_false(td_parse_server_key_exchange(&r, &f));
    td_flight_free(&f);
}

static void test_parse_ske_psk(void **state)
{
    (void)state;
    td_flight f;
    td_rd r;
    /* ECDHE_PSK (c035): hint "id", named_curve x25519, 1-byte point, unsigned */
    static const uint8_t v[] = {0x00, 0x02, 'i', 'd', 0x03, 0x00, 0x1d, 0x01, 0x09};
    td_flight_init(&f, false, td_suite_kx);
    f.suite = 0xc035;
    f.version = TD_TLS12;
    td_rd_init(&r, v, sizeof v);
    assert_true(td_parse_server_key_exchange(&r, &f));
    assert_int_equal(f.ske_group, 29);
    td_flight_free(&f);
    /* PSK (008c): hint only */
    td_flight_init(&f, false, td_suite_kx);
    f.suite = 0x008c;
    f.version = TD_TLS12;
    td_rd_init(&r, v, 4);
    assert_true(td_parse_server_key_exchange(&r, &f));
    td_flight_free(&f);
}

/* The parser reads a ServerKeyExchange by what the caller's lookup says of
 * the suite, not by any table of its own. */
static bool private_suite_is_ecdhe_rsa(uint16_t suite, td_kx *kx, td_auth *auth)
{
    if (suite != 0xff42)
        return false;
    *kx = TD_KX_ECDHE;
    *auth = TD_AU_RSA;
    return true;
}

static void test_parse_ske_lookup(void **state)
{
    (void)state;
    td_flight f;
    td_rd r;
    td_flight_init(&f, false, private_suite_is_ecdhe_rsa);
    f.suite = 0xff42;
    f.version = TD_TLS12;
    td_rd_init(&r, ske12 + 4, sizeof ske12 - 4);
    assert_true(td_parse_server_key_exchange(&r, &f));
    assert_int_equal(f.ske_group, 29);
    assert_int_equal(f.ske_sigalg, 0x0401);
    td_flight_free(&f);
    /* ECDHE_RSA in the registry, unknown to this lookup */
    td_flight_init(&f, false, private_suite_is_ecdhe_rsa);
    f.suite = 0xc02f;
    f.version = TD_TLS12;
    td_rd_init(&r, ske12 + 4, sizeof ske12 - 4);
    assert_false(td_parse_server_key_exchange(&r, &f));
    assert_non_null(strstr(f.error, "unknown cipher suite 0xc02f"));
    td_flight_free(&f);
}

static void test_parse_cert_request_versions(void **state)
{
    (void)state;
    td_flight f;
    td_rd r;
    /* TLS 1.0 form: types, then CAs directly (one 2-byte DN) */
    static const uint8_t v10[] = {0x01, 0x01, 0x00, 0x04, 0x00, 0x02, 0x30, 0x00};
    td_flight_init(&f, false, td_suite_kx);
    f.version = TD_TLS10;
    td_rd_init(&r, v10, sizeof v10);
    assert_true(td_parse_cert_request(&r, &f));
    assert_int_equal(f.n_ca_names, 1);
    td_flight_free(&f);
    /* read as TLS 1.2 the same bytes do not parse */
    td_flight_init(&f, false, td_suite_kx);
    f.version = TD_TLS12;
    td_rd_init(&r, v10, sizeof v10);
    assert_false(td_parse_cert_request(&r, &f));
    td_flight_free(&f);
    /* an empty DistinguishedName */
    static const uint8_t emptydn[] = {0x01, 0x01, 0x00, 0x02, 0x00, 0x00};
    td_flight_init(&f, false, td_suite_kx);
    f.version = TD_TLS11;
    td_rd_init(&r, emptydn, sizeof emptydn);
    assert_false(td_parse_cert_request(&r, &f));
    td_flight_free(&f);
    /* no certificate types */
    static const uint8_t notypes[] = {0x00, 0x00, 0x00};
    td_flight_init(&f, false, td_suite_kx);
    f.version = TD_TLS11;
    td_rd_init(&r, notypes, sizeof notypes);
    assert_false(td_parse_cert_request(&r, &f));
    td_flight_free(&f);
}

static void test_feed_after_done(void **state)
{
    (void)state;
    /* more bytes after the answer change nothing */
    td_flight f;
    td_flight_init(&f, false, td_suite_kx);
    assert_int_equal(td_flight_feed(&f, alert_hf, sizeof alert_hf), TD_FEED_DONE);
    assert_int_equal(td_flight_feed(&f, (const uint8_t *)"garbage", 7), TD_FEED_DONE);
    assert_int_equal(f.kind, TD_FLIGHT_ALERT);
    assert_int_equal(td_flight_eof(&f), TD_FEED_DONE);
    assert_int_equal(f.total, sizeof alert_hf + 7);
    td_flight_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flight12_whole),
        cmocka_unit_test(test_flight12_byte_by_byte),
        cmocka_unit_test(test_flight12_fragmented),
        cmocka_unit_test(test_flight12_one_record_per_message),
        cmocka_unit_test(test_flight12_cert_request),
        cmocka_unit_test(test_flight12_out_of_order),
        cmocka_unit_test(test_flight12_eof_before_done),
        cmocka_unit_test(test_tls13_server_hello),
        cmocka_unit_test(test_hrr),
        cmocka_unit_test(test_hrr_with_key_exchange_is_malformed),
        cmocka_unit_test(test_alert),
        cmocka_unit_test(test_warning_then_hello),
        cmocka_unit_test(test_two_alerts_one_record),
        cmocka_unit_test(test_bad_alert_length),
        cmocka_unit_test(test_sslv2_server_hello),
        cmocka_unit_test(test_sslv2_error),
        cmocka_unit_test(test_sslv2_bad),
        cmocka_unit_test(test_banners),
        cmocka_unit_test(test_short_banner_eof),
        cmocka_unit_test(test_downgrade),
        cmocka_unit_test(test_truncated_record_eof),
        cmocka_unit_test(test_truncated_message_eof),
        cmocka_unit_test(test_record_too_long),
        cmocka_unit_test(test_handshake_length_beyond_record),
        cmocka_unit_test(test_server_hello_leftovers),
        cmocka_unit_test(test_alpn),
        cmocka_unit_test(test_oversize_flight),
        cmocka_unit_test(test_many_records_are_fine),
        cmocka_unit_test(test_trickled_flood_is_bounded),
        cmocka_unit_test(test_flight12_one_byte_records),
        cmocka_unit_test(test_alert_inside_fragmented_message),
        cmocka_unit_test(test_trickle_is_cheap),
        cmocka_unit_test(test_bad_record_framing),
        cmocka_unit_test(test_ccs_before_hello_ignored),
        cmocka_unit_test(test_parse_certificate),
        cmocka_unit_test(test_certificate_not_der),
        cmocka_unit_test(test_alert_bogus_level),
        cmocka_unit_test(test_record_errors_name_offset),
        cmocka_unit_test(test_offer_tls12),
        cmocka_unit_test(test_offer_tls13),
        cmocka_unit_test(test_is_hrr),
        cmocka_unit_test(test_parse_ske_dhe),
        cmocka_unit_test(test_parse_ske_bad),
        cmocka_unit_test(test_parse_ske_psk),
        cmocka_unit_test(test_parse_ske_lookup),
        cmocka_unit_test(test_parse_cert_request_versions),
        cmocka_unit_test(test_feed_after_done),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
