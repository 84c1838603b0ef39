/* Suite enumeration (lib/probe/enumerate.c) against simulated servers: the
 * result must be what a single chain (offer everything not yet picked,
 * record the pick, repeat) finds, in fewer rounds and with few
 * connections more. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "probe/enumerate.h"
#include "registry/registry.h"
#include "wire/tls.h"

/* A server: the suites it accepts, in its preference order when it imposes
 * it, else it takes the first offered suite it accepts.  unclear_at: the
 * query (counted from 1) it answers with silence, 0 for none. */
struct server {
    uint16_t acc[TD_MAX_SUITES];
    size_t n;
    bool own_order;
    unsigned unclear_at;
    unsigned queries;
};

static int rank_of(const struct server *s, uint16_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->acc[i] == id)
            return (int)i;
    return -1;
}

static td_answer ask(struct server *s, const uint16_t *offer, size_t n, uint16_t *pick)
{
    s->queries++;
    *pick = 0;
    if (s->unclear_at && s->queries == s->unclear_at)
        return TD_ANS_UNCLEAR;
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        int r = rank_of(s, offer[i]);
        if (r < 0)
            continue;
        if (!s->own_order) {
            *pick = offer[i];
            return TD_ANS_PICK;
        }
        if (best < 0 || r < best)
            best = r;
    }
    if (best < 0)
        return TD_ANS_REFUSED;
    *pick = s->acc[best];
    return TD_ANS_PICK;
}

/* The TLS 1.2 hello's suites, as lib/probe offers them. */
static size_t tls12_suites(uint16_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < td_suite_count(); i++) {
        const td_suite *s = td_suite_at(i);
        if (s->min_version <= TD_TLS12 && TD_TLS12 <= s->max_version && s->min_version != TD_TLS13)
            out[n++] = s->id;
    }
    return n;
}

/* The single chain the enumeration replaces, and its order test. */
static size_t chain(struct server *s, const uint16_t *cands, size_t n, uint16_t *out, td_tri *order)
{
    uint16_t left[TD_MAX_SUITES], pick;
    size_t nl = n, k = 0;
    memcpy(left, cands, n * sizeof left[0]);
    while (nl > 0 && ask(s, left, nl, &pick) == TD_ANS_PICK) {
        out[k++] = pick;
        for (size_t i = 0; i < nl; i++) {
            if (left[i] == pick) {
                memmove(&left[i], &left[i + 1], (nl - i - 1) * sizeof left[0]);
                nl--;
                break;
            }
        }
    }
    *order = TD_UNKNOWN;
    if (k >= 2) {
        uint16_t pair[2] = {out[1], out[0]};
        if (ask(s, pair, 2, &pick) == TD_ANS_PICK)
            *order = pick == out[0] ? TD_YES : pick == out[1] ? TD_NO : TD_UNKNOWN;
    }
    return k;
}

struct outstanding {
    td_enum_query q;
    unsigned depth;
};

/* Runs the enumeration the way the scheduler does: queries go out as soon
 * as they exist, answers come back in an order the seed decides.  depth:
 * round trips on the longest path, the version's own hello included. */
static void run(td_enum *e, struct server *s, const uint16_t *cands, size_t n, unsigned seed,
                unsigned *depth)
{
    static struct outstanding out[64];
    size_t n_out = 0;
    uint16_t first;
    if (ask(s, cands, n, &first) != TD_ANS_PICK)
        first = 0;
    td_enum_start(e, cands, n, first);
    *depth = 1;
    unsigned d = 1;
    for (;;) {
        while (n_out < 64 && td_enum_next(e, &out[n_out].q))
            out[n_out++].depth = d + 1;
        if (n_out == 0)
            break;
        size_t i = (size_t)rand_r(&seed) % n_out;
        struct outstanding o = out[i];
        out[i] = out[--n_out];
        uint16_t pick;
        td_answer a = ask(s, o.q.suites, o.q.n, &pick);
        d = o.depth;
        if (d > *depth)
            *depth = d;
        td_enum_answer(e, o.q.id, a, pick);
    }
    assert_true(td_enum_done(e));
}

static uint16_t by_name(const char *name)
{
    const td_suite *s = td_suite_by_name(name);
    assert_non_null(s);
    return s->id;
}

/* nginx 1.22 with its default HIGH:!aNULL:!MD5 and an RSA key, in
 * OpenSSL's order. */
static const char *const nginx_high[] = {
    "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-ARIA256-GCM-SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ARIA128-GCM-SHA256", "ECDHE-RSA-AES256-SHA384",
    "ECDHE-RSA-CAMELLIA256-SHA384", "ECDHE-RSA-AES128-SHA256", "ECDHE-RSA-CAMELLIA128-SHA256",
    "ECDHE-RSA-AES256-SHA", "ECDHE-RSA-AES128-SHA", "AES256-GCM-SHA384", "AES256-CCM8",
    "AES256-CCM", "ARIA256-GCM-SHA384", "AES128-GCM-SHA256", "AES128-CCM8", "AES128-CCM",
    "ARIA128-GCM-SHA256", "AES256-SHA256", "CAMELLIA256-SHA256", "AES128-SHA256",
    "CAMELLIA128-SHA256", "AES256-SHA", "CAMELLIA256-SHA", "AES128-SHA", "CAMELLIA128-SHA",
};

/* nginx with ALL:!aNULL:!eNULL, an RSA key and DH parameters, with
 * ssl_prefer_server_ciphers on: 44 suites in OpenSSL's order, 14 of them
 * forward-secret CBC suites. */
static const char *const openssl_all[] = {
    "ECDHE-RSA-AES256-GCM-SHA384", "DHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-CHACHA20-POLY1305", "DHE-RSA-AES256-CCM8", "DHE-RSA-AES256-CCM",
    "ECDHE-ARIA256-GCM-SHA384", "DHE-RSA-ARIA256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256",
    "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES128-CCM8", "DHE-RSA-AES128-CCM",
    "ECDHE-ARIA128-GCM-SHA256", "DHE-RSA-ARIA128-GCM-SHA256", "ECDHE-RSA-AES256-SHA384",
    "DHE-RSA-AES256-SHA256", "ECDHE-RSA-CAMELLIA256-SHA384", "DHE-RSA-CAMELLIA256-SHA256",
    "ECDHE-RSA-AES128-SHA256", "DHE-RSA-AES128-SHA256", "ECDHE-RSA-CAMELLIA128-SHA256",
    "DHE-RSA-CAMELLIA128-SHA256", "ECDHE-RSA-AES256-SHA", "DHE-RSA-AES256-SHA",
    "DHE-RSA-CAMELLIA256-SHA", "ECDHE-RSA-AES128-SHA", "DHE-RSA-AES128-SHA",
    "DHE-RSA-CAMELLIA128-SHA", "AES256-GCM-SHA384", "AES256-CCM8", "AES256-CCM",
    "ARIA256-GCM-SHA384", "AES128-GCM-SHA256", "AES128-CCM8", "AES128-CCM", "ARIA128-GCM-SHA256",
    "AES256-SHA256", "CAMELLIA256-SHA256", "AES128-SHA256", "CAMELLIA128-SHA256", "AES256-SHA",
    "CAMELLIA256-SHA", "AES128-SHA", "CAMELLIA128-SHA",
};

static void load(struct server *s, const char *const *names, size_t n, bool own_order)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < n; i++)
        s->acc[s->n++] = by_name(names[i]);
    s->own_order = own_order;
}

static void load_nginx_high(struct server *s, bool own_order)
{
    load(s, nginx_high, sizeof nginx_high / sizeof nginx_high[0], own_order);
}

/* The single chain against nginx_high: the version's hello and 26 more
 * picks, one refusal and the order test, in 28 rounds. */
#define CHAIN_QUERIES 29
#define CHAIN_ROUNDS 28

/* Runs both ways against copies of the server and compares. */
static void same_as_chain(const struct server *srv, unsigned seed, unsigned *queries, unsigned *depth)
{
    static uint16_t cands[TD_MAX_SUITES], want[TD_MAX_SUITES];
    static td_enum e;
    size_t n = tls12_suites(cands);
    struct server a = *srv, b = *srv;
    td_tri want_order;
    size_t nw = chain(&a, cands, n, want, &want_order);
    run(&e, &b, cands, n, seed, depth);
    const uint16_t *got;
    size_t ng = td_enum_result(&e, &got);
    assert_int_equal(ng, nw);
    assert_memory_equal(got, want, nw * sizeof want[0]);
    assert_int_equal(td_enum_order(&e), want_order);
    assert_true(td_enum_complete(&e));
    *queries = b.queries;
}

/* Against nginx_high in either order, over 20 answer orders: the result
 * is the chain's, with queries in [q_min, q_max] and at most d_max rounds. */
static void nginx_high_within(bool own_order, unsigned q_min, unsigned q_max, unsigned d_max)
{
    struct server s;
    load_nginx_high(&s, own_order);
    for (unsigned seed = 1; seed <= 20; seed++) {
        unsigned q, d;
        same_as_chain(&s, seed, &q, &d);
        assert_in_range(q, q_min, q_max);
        assert_true(d <= d_max);
    }
}

static void client_order(void **state)
{
    (void)state;
    /* About one wasted answer per band; two picks a round per band. */
    nginx_high_within(false, CHAIN_QUERIES, CHAIN_QUERIES + TD_ENUM_BANDS + 1, 9);
}

static void server_order_aligned(void **state)
{
    (void)state;
    /* One refusal per band instead of one, one check per boundary; the
     * longest band (8 suites) sets the rounds. */
    unsigned q = CHAIN_QUERIES + TD_ENUM_BANDS - 1 + TD_ENUM_BANDS - 1;
    nginx_high_within(true, q, q, 12);
}

/* Long bands split where their picks follow OpenSSL's order inside a band:
 * the 14 forward-secret CBC suites no longer take 15 rounds. */
static void server_order_long_bands(void **state)
{
    (void)state;
    struct server s;
    load(&s, openssl_all, sizeof openssl_all / sizeof openssl_all[0], true);
    unsigned sum = 0;
    for (unsigned seed = 1; seed <= 20; seed++) {
        unsigned q, d;
        same_as_chain(&s, seed, &q, &d);
        /* The chain: 44 picks, a refusal, the order test, 45 rounds;
         * without splits the bands take 18. */
        assert_true(q <= 46 + 12);
        assert_true(d <= 18);
        sum += d;
    }
    assert_true(sum <= 20 * 15);
}

static void random_servers(void **state)
{
    (void)state;
    static uint16_t cands[TD_MAX_SUITES];
    size_t n = tls12_suites(cands);
    unsigned seed = 7;
    for (int round = 0; round < 300; round++) {
        struct server s;
        memset(&s, 0, sizeof s);
        size_t want = (size_t)rand_r(&seed) % 45;
        while (s.n < want) {
            uint16_t id = cands[(size_t)rand_r(&seed) % n];
            if (rank_of(&s, id) < 0)
                s.acc[s.n++] = id;
        }
        s.own_order = round % 2;
        unsigned q, d;
        same_as_chain(&s, seed, &q, &d);
        /* Orders that ignore the bands need merges: at worst about twice
         * the chain's rounds (one per suite, one refusal). */
        assert_true(d <= 2 * (s.n + 2));
    }
}

/* OpenSSL's order with one suite moved: one band boundary fails. */
static void server_order_one_moved(void **state)
{
    (void)state;
    unsigned seed = 3;
    for (int round = 0; round < 200; round++) {
        struct server s;
        load_nginx_high(&s, true);
        size_t from = (size_t)rand_r(&seed) % s.n, to = (size_t)rand_r(&seed) % s.n;
        uint16_t id = s.acc[from];
        memmove(&s.acc[from], &s.acc[from + 1], (s.n - from - 1) * sizeof s.acc[0]);
        memmove(&s.acc[to + 1], &s.acc[to], (s.n - 1 - to) * sizeof s.acc[0]);
        s.acc[to] = id;
        unsigned q, d;
        same_as_chain(&s, seed, &q, &d);
        /* One merge, its overlap found by binary search. */
        assert_true(q <= CHAIN_QUERIES + 20);
        assert_true(d < CHAIN_ROUNDS);
    }
}

static void one_suite(void **state)
{
    (void)state;
    struct server s;
    memset(&s, 0, sizeof s);
    s.acc[s.n++] = 0x002f;
    unsigned q, d;
    same_as_chain(&s, 1, &q, &d);
    /* The version's hello and one refusal, as before. */
    assert_int_equal(q, 2);
}

static void unclear_answer(void **state)
{
    (void)state;
    static uint16_t cands[TD_MAX_SUITES];
    static td_enum e;
    size_t n = tls12_suites(cands);
    for (unsigned at = 2; at < 40; at++) {
        for (int own = 0; own <= 1; own++) {
            struct server s;
            load_nginx_high(&s, own);
            s.unclear_at = at;
            unsigned d;
            run(&e, &s, cands, n, at, &d);
            const uint16_t *got;
            size_t ng = td_enum_result(&e, &got);
            /* Whatever it reports was accepted, once. */
            for (size_t i = 0; i < ng; i++) {
                assert_true(rank_of(&s, got[i]) >= 0);
                for (size_t k = 0; k < i; k++)
                    assert_int_not_equal(got[k], got[i]);
            }
            if (!td_enum_complete(&e))
                continue;
            /* Silence on the order test or a boundary check costs nothing
             * but that answer. */
            assert_int_equal(ng, s.n);
        }
    }
}

static void first_not_offered(void **state)
{
    (void)state;
    static td_enum e;
    static const uint16_t cands[] = {0x002f, 0x0035, 0xc02f};
    td_enum_start(&e, cands, 3, 0x1301);
    td_enum_query q;
    assert_true(td_enum_next(&e, &q));
    assert_int_equal(q.n, 3);
    assert_false(td_enum_next(&e, &q));
    td_enum_answer(&e, q.id, TD_ANS_REFUSED, 0);
    assert_true(td_enum_done(&e));
    const uint16_t *got;
    assert_int_equal(td_enum_result(&e, &got), 0);
    assert_true(td_enum_complete(&e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_order),
        cmocka_unit_test(server_order_aligned),
        cmocka_unit_test(server_order_long_bands),
        cmocka_unit_test(random_servers),
        cmocka_unit_test(server_order_one_moved),
        cmocka_unit_test(one_suite),
        cmocka_unit_test(unclear_answer),
        cmocka_unit_test(first_not_offered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
