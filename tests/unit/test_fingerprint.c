/* Unit tests for lib/diag/fingerprint.c: JA3 and JA4 against published
 * values, and the nearest client profile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag/fingerprint.h"
#include "registry/clients.h"
#include "hellokit.h"
#include "hexkit.h"
#include "wire/bytes.h"
#include "wire/chello.h"
#include "wire/hello.h"
#include "wire/tls.h"

typedef struct ext_hex {
    uint16_t type;
    const char *body; /* hex */
} ext_hex;

static td_chello H;
static uint8_t MSG[4096];

static void put_hex(td_wr *w, const char *hex)
{
    uint8_t bytes[512];
    td_wr_bytes(w, bytes, unhex(hex, bytes, sizeof bytes));
}

/* A TLS 1.2-framed ClientHello with these suites and extensions, parsed. */
static void build(uint16_t legacy, const uint16_t *suites, size_t n_suites, const ext_hex *exts, size_t n_exts)
{
    uint8_t block[2048];
    td_wr w;
    td_wr_init(&w, block, sizeof block);
    for (size_t i = 0; i < n_exts; i++) {
        td_wr_u16(&w, exts[i].type);
        td_wr_open(&w, 2);
        put_hex(&w, exts[i].body);
        td_wr_close(&w);
    }
    assert_true(td_wr_ok(&w));
    size_t len = hello_msg(legacy, suites, n_suites, block, w.len, MSG, sizeof MSG);
    assert_true(len > 0);
    if (!td_chello_parse(&H, MSG, len))
        fail_msg("%s", H.error);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char SIGALGS[] = "00100403080404010503080505010806" "0601";

/* FoxIO's JA4.md example: its ciphers and extensions in its order, with a
 * GREASE suite and extension in front as Chrome sends them. */
static void test_ja4_foxio_example(void **state)
{
    (void)state;
    static const uint16_t suites[] = {0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                      0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    static const ext_hex exts[] = {
        {0x3a3a, ""}, {0x001b, "020002"}, {0x0000, "000e00000b6578616d706c652e636f6d"},
        {0x0033, "0024001d0020" "0000000000000000000000000000000000000000000000000000000000000000"},
        {0x0010, "000c02683208687474702f312e31"}, {0x4469, "0003026832"}, {0x0017, ""}, {0x002d, "0101"},
        {0x000d, SIGALGS}, {0x0005, "0100000000"}, {0x0023, ""}, {0x0012, ""},
        {0x002b, "065a5a03040303"}, {0xff01, "00"}, {0x000b, "0100"}, {0x000a, "000a5a5a001d001700180019"},
        {0x0015, "0000"},
    };
    build(TD_TLS12, suites, N(suites), exts, N(exts));
    td_ja4 j;
    assert_int_equal(td_fp_ja4(&H, &j), 0);
    assert_string_equal(j.fp, "t13d1516h2_8daaf6152771_e5627efa2ab1");
    assert_string_equal(j.raw, "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
                               "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
                               "0403,0804,0401,0503,0805,0501,0806,0601");
}

/* A Chrome hello as a public fingerprinting service printed it: JA3 text
 * and hash and JA4 of one and the same hello (ja4_ro gives the order). */
static void test_ja3_ja4_chrome(void **state)
{
    (void)state;
    static const uint16_t suites[] = {0xdada, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                      0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    static const ext_hex exts[] = {
        {0x8a8a, ""}, {0x002d, "0101"},
        {0x0033, "0024001d0020" "0000000000000000000000000000000000000000000000000000000000000000"},
        {0x0010, "000c02683208687474702f312e31"}, {0xfe0d, "00"}, {0x0017, ""}, {0x44cd, "0003026832"},
        {0x0000, "000e00000b6578616d706c652e636f6d"}, {0x000b, "0100"}, {0x000a, "000a3a3a11ec001d00170018"},
        {0x002b, "067a7a03040303"}, {0xff01, "00"}, {0x0023, ""}, {0x0012, ""}, {0x0005, "0100000000"},
        {0x000d, SIGALGS}, {0x001b, "020002"}, {0x1a1a, "00"},
    };
    build(TD_TLS12, suites, N(suites), exts, N(exts));
    td_ja3 j3;
    td_ja4 j4;
    assert_int_equal(td_fp_ja3(&H, &j3), 0);
    assert_string_equal(j3.text, "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
                                 "45-51-16-65037-23-17613-0-11-10-43-65281-35-18-5-13-27,4588-29-23-24,0");
    assert_string_equal(j3.md5, "98487aa16281980e7d1120d399efb6a4");
    assert_int_equal(td_fp_ja4(&H, &j4), 0);
    assert_string_equal(j4.fp, "t13d1516h2_8daaf6152771_d8a2da3f94cd");
}

/* JA4.md: a list without signature algorithms ends without "_"; empty
 * lists hash to twelve zeros; a TLS 1.2 hello without SNI and ALPN. */
static void test_ja4_edges(void **state)
{
    (void)state;
    static const uint16_t types[] = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                                     0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
    td_chello h;
    memset(&h, 0, sizeof h);
    h.legacy_version = TD_TLS12;
    for (size_t i = 0; i < N(types); i++)
        h.exts[h.n_exts++].type = types[i];
    td_ja4 j;
    assert_int_equal(td_fp_ja4(&h, &j), 0);
    assert_string_equal(j.fp, "t12d001600_000000000000_6d807ffa2a79");
}

static void test_ja4_alpn_hex(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t n;
        const char *want;
    } cases[] = {
        {"\xab", 1, "ab"}, {"\xab\xcd", 2, "ad"}, {"\x30\xab", 2, "3b"}, {"\x30\x31\xab\xcd", 4, "3d"},
        {"\x30\xab\xcd\x31", 4, "01"}, {"h", 1, "hh"}, {"http/1.1", 8, "h1"},
    };
    for (size_t i = 0; i < N(cases); i++) {
        td_chello h;
        memset(&h, 0, sizeof h);
        h.legacy_version = TD_TLS12;
        memcpy(h.alpn_first, cases[i].bytes, cases[i].n);
        h.alpn_first_len = cases[i].n;
        td_ja4 j;
        assert_int_equal(td_fp_ja4(&h, &j), 0);
        char want[16];
        snprintf(want, sizeof want, "t12i0000%s_", cases[i].want);
        if (strncmp(j.fp, want, strlen(want)) != 0)
            fail_msg("case %zu: %s, want %s...", i, j.fp, want);
    }
}

/* Builds profile c's hello the way the client simulation does and parses
 * it as a captured one. */
static void profile_hello(const td_client *c)
{
    static uint8_t rec[1u << 16];
    td_hello_spec sp;
    size_t len = 0;
    td_client_hello_spec(c, "www.example.net", &sp);
    assert_int_equal(td_hello_build(&sp, rec, sizeof rec, &len), 0);
    td_rd r, frag;
    td_rd_init(&r, rec, len);
    assert_true(td_rd_skip(&r, 3) && td_rd_prefixed16(&r, &frag) && td_rd_empty(&r));
    if (!td_chello_parse(&H, td_rd_ptr(&frag), td_rd_left(&frag)))
        fail_msg("%s: %s", c->id, H.error);
}

static bool in_ties(const td_fp_match *m, const td_client *c)
{
    for (size_t i = 0; i < m->n_ties; i++)
        if (m->ties[i] == c)
            return true;
    return false;
}

/* Every profile's own hello maps back to it, with full marks; where two
 * profiles tie, they send the same hello. */
static void test_profiles_map_to_themselves(void **state)
{
    (void)state;
    assert_true(td_client_count() >= 30);
    for (size_t i = 0; i < td_client_count(); i++) {
        const td_client *c = td_client_at(i);
        profile_hello(c);
        td_fp_match m;
        assert_int_equal(td_fp_match_client(&H, &m), 0);
        if (m.score != 1000 || !in_ties(&m, c) || m.client == NULL)
            fail_msg("%s: nearest %s with %u", c->id, m.nearest ? m.nearest->id : "-", m.score);
        for (size_t k = 0; k < m.n_ties; k++) {
            const td_client *t = m.ties[k];
            if (t == c)
                continue;
            bool same = t->n_suites == c->n_suites && !memcmp(t->suites, c->suites, c->n_suites * 2) &&
                        t->n_groups == c->n_groups && !memcmp(t->groups, c->groups, c->n_groups * 2) &&
                        t->hello_flags == c->hello_flags;
            if (!same)
                fail_msg("%s ties with %s, whose hello differs", c->id, t->id);
        }
    }
}

static const td_fp_match *match(const char *tool)
{
    static td_fp_match m;
    const captured_hello *c = captured(tool);
    assert_non_null(c);
    assert_true(td_chello_parse(&H, c->msg, c->len));
    assert_int_equal(td_fp_match_client(&H, &m), 0);
    return &m;
}

static void expect_named(const char *tool, const char *profile)
{
    const td_fp_match *m = match(tool);
    if (!m->client || !in_ties(m, td_client_by_id(profile)))
        fail_msg("%s: %s with %u, want %s", tool, m->nearest->id, m->score, profile);
}

/* The real clients of this machine whose profile exists are named by it;
 * Java 17 cannot be told from Java 21, whose hello is the same. */
static void test_captured_clients(void **state)
{
    (void)state;
    expect_named("openssl", "openssl-3");
    expect_named("curl", "curl-openssl3");
    expect_named("python", "python3-ssl");
    expect_named("node", "node-20");
    expect_named("java", "java-17");
    expect_named("java", "java-21");
    expect_named("wget", "wget-gnutls");
    expect_named("gnutls-cli", "wget-gnutls"); /* the same library, the same hello */
}

/* Go 1.19 has no profile: its nearest is Go 1.22, but not closely enough
 * to be named. */
static void test_unknown_client(void **state)
{
    (void)state;
    const td_fp_match *m = match("go");
    assert_null(m->client);
    assert_non_null(m->nearest);
    assert_string_equal(m->nearest->id, "go-1.22");
    assert_true(m->score < TD_FP_THRESHOLD);

    /* A hello no profile resembles: three suites, no extensions. */
    static const uint16_t suites[] = {0x0005, 0x0004, 0x000a};
    build(TD_TLS10, suites, N(suites), NULL, 0);
    td_fp_match m2;
    assert_int_equal(td_fp_match_client(&H, &m2), 0);
    assert_null(m2.client);
    assert_true(m2.score < TD_FP_THRESHOLD);
}

/* A profile's hello with half its suites gone is no longer that client. */
static void test_half_the_suites(void **state)
{
    (void)state;
    const td_client *java8 = td_client_by_id("java-8");
    assert_non_null(java8);
    td_client cut = *java8;
    cut.n_suites /= 2;
    profile_hello(&cut);
    td_fp_match m;
    assert_int_equal(td_fp_match_client(&H, &m), 0);
    assert_ptr_equal(m.nearest, java8);
    assert_null(m.client);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ja4_foxio_example),
        cmocka_unit_test(test_ja3_ja4_chrome),
        cmocka_unit_test(test_ja4_edges),
        cmocka_unit_test(test_ja4_alpn_hex),
        cmocka_unit_test(test_profiles_map_to_themselves),
        cmocka_unit_test(test_captured_clients),
        cmocka_unit_test(test_unknown_client),
        cmocka_unit_test(test_half_the_suites),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
