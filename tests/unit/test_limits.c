/* RATE_LIMITED (lib/diag/limits.c), and the other rules' side of it: an
 * outcome LIMITED (a probe the server cut on every try while answering
 * others) says nothing, while a cut that repeated while the server kept
 * answering (retry.confirmed) still counts.  Hand-built observations of a
 * server that answered TLS 1.2 and 1.3; no certificate, so the certificate
 * rules stay silent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "certkit.h"
#include "diag/finding.h"
#include "registry/clients.h"
#include "wire/tls.h"

static td_attempt hello(uint16_t v, uint16_t suite)
{
    return (td_attempt){ .out = TD_OUT_HELLO, .offered_version = v, .version = v, .suite = suite,
                         .group = TD_GROUP_X25519, .reneg_info = true };
}

static td_attempt cut(td_outcome first, td_outcome now, unsigned tries, bool confirmed)
{
    return (td_attempt){ .out = now, .offered_version = TD_TLS12,
                         .retry = { .tries = tries, .first_out = first, .confirmed = confirmed } };
}

static td_obs *answering(void)
{
    td_obs *o = obs_example("192.0.2.10");
    o->baseline = hello(TD_TLS13, 0x1301);
    o->nosni = hello(TD_TLS13, 0x1301);
    for (int i = 0; i < TD_NVERSIONS; i++)
        o->version_ok[i] = TD_NO;
    int v12 = td_vidx(TD_TLS12), v13 = td_vidx(TD_TLS13);
    o->version_ok[v12] = o->version_ok[v13] = TD_YES;
    o->ver[v12] = hello(TD_TLS12, 0xc02f);
    o->ver[v13] = hello(TD_TLS13, 0x1301);
    o->suites[v12][0] = 0xc02f;
    o->n_suites[v12] = 1;
    o->suites[v13][0] = 0x1301;
    o->n_suites[v13] = 1;
    o->suites_complete[v12] = o->suites_complete[v13] = true;
    o->groups[0] = TD_GROUP_X25519;
    o->n_groups = 1;
    o->groups_complete = true;
    o->oldstyle = hello(TD_TLS10, 0xc013);
    o->bighello = hello(TD_TLS12, 0xc02f);
    o->futurever = hello(TD_TLS13, 0x1301);
    o->fallback_scsv = TD_YES;
    o->secure_reneg = TD_YES;
    o->connections = 80;
    o->elapsed_ms = 60000;
    o->deadline_hit = true;
    return o;
}

static const td_finding *find(const td_findings *fs, td_id id)
{
    for (size_t i = 0; i < fs->n; i++)
        if (fs->v[i].id == id)
            return &fs->v[i];
    return NULL;
}

static void hs_at(td_hs *h, const char *addr, td_outcome out)
{
    td_hs_init(h);
    snprintf(h->addr, sizeof h->addr, "%s", addr);
    h->out = out;
    h->done = out == TD_OUT_HELLO;
    if (h->done) {
        h->version = TD_TLS13;
        h->suite = 0x1301;
    }
}

/* Ten answered, then every connection reset for ten seconds. */
static void spell(td_obs *o)
{
    o->limit = (td_limit){ .answered_first = 10, .first_cut = TD_OUT_RESET, .first_cut_ms = 12, .cuts = 30,
                           .vanished = 12, .blocks = 1, .block_ms = 10000, .rate = 0.9, .limited = 4 };
}

static void test_quiet_without_cuts(void **state)
{
    (void)state;
    td_obs *o = answering();
    td_findings fs;
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    assert_null(find(&fs, TD_ID_RATE_LIMITED));
    assert_int_equal(fs.n, 0);
    td_findings_free(&fs);

    /* cuts that all repeated while the server answered: a fault of their
     * own, not a limit */
    o->limit = (td_limit){ .answered_first = 5, .first_cut = TD_OUT_RESET, .cuts = 4 };
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    assert_null(find(&fs, TD_ID_RATE_LIMITED));
    td_findings_free(&fs);
    obs_free(o);
}

/* What the limit kept from a clean answer is named, and no rule reads it
 * as the server's answer. */
static void test_spell(void **state)
{
    (void)state;
    td_obs *o = answering();
    spell(o);
    o->nosni = cut(TD_OUT_RESET, TD_OUT_LIMITED, 3, false);
    o->bighello = cut(TD_OUT_RESET, TD_OUT_LIMITED, 3, false);
    o->futurever = cut(TD_OUT_RESET, TD_OUT_DEADLINE, 2, false);
    o->suites_complete[td_vidx(TD_TLS12)] = false;
    hs_at(&o->hs, "192.0.2.10", TD_OUT_HELLO);
    o->n_backends = 2;
    hs_at(&o->backends[0], "192.0.2.10", TD_OUT_LIMITED);
    hs_at(&o->backends[1], "192.0.2.10", TD_OUT_HELLO);
    const td_client *c0 = td_client_at(0), *c1 = td_client_at(1);
    assert_non_null(c0);
    assert_non_null(c1);
    o->n_sims = 2;
    o->sims[0] = (td_sim){ .client = c0, .hello = cut(TD_OUT_RESET, TD_OUT_LIMITED, 5, false) };
    o->sims[1] = (td_sim){ .client = c1, .hello = { .out = TD_OUT_DEADLINE } };

    td_findings fs;
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    const td_finding *f = find(&fs, TD_ID_RATE_LIMITED);
    assert_non_null(f);
    assert_int_equal(f->sev, TD_SEV_WARN);
    assert_non_null(strstr(f->summary, "After 10 answered connections"));
    assert_non_null(strstr(f->summary, "reset every new connection for 10 s"));
    assert_non_null(strstr(f->summary, "0.9 connections a second"));
    assert_non_null(strstr(f->summary, "Not tested (the evidence lists it): 2 of 2 simulated clients and 5 "
                                       "other probes. `--rate 0.9 --deadline 120` gives the check the time."));
    const char *e = f->evidence;
    assert_non_null(strstr(e, "not tested: the hello without SNI"));
    assert_non_null(strstr(e, "part of the TLS 1.2 suites"));
    assert_null(strstr(e, "part of the TLS 1.3 suites"));
    assert_non_null(strstr(e, "the padded hello"));
    assert_non_null(strstr(e, "the GREASE hello"));
    assert_non_null(strstr(e, "handshake 2 to 192.0.2.10"));
    assert_null(strstr(e, "handshake 3"));
    assert_null(strstr(e, "the full handshake"));
    char clients[256];
    snprintf(clients, sizeof clients, "the clients %s %s", c0->id, c1->id);
    assert_non_null(strstr(e, clients));
    assert_non_null(strstr(f->verify, "for i in $(seq 20); do timeout 5 openssl s_client -connect "
                                      "www.example.com:443 -servername www.example.com "));
    assert_non_null(f->fix);
    /* the limit's cuts are nobody's fault but the limit's */
    assert_null(find(&fs, TD_ID_SNI_REQUIRED));
    assert_null(find(&fs, TD_ID_VERSION_INTOLERANCE));
    assert_null(find(&fs, TD_ID_INCONSISTENT_BACKENDS));

    td_client_table t;
    memset(&t, 0, sizeof t);
    td_judge_clients(o, &t, &fs);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.v[0].result, TD_CV_UNKNOWN);
    assert_non_null(strstr(t.v[0].reason, "not tested"));
    assert_int_equal(t.v[1].result, TD_CV_UNKNOWN);
    assert_null(find(&fs, TD_ID_CLIENT_INCOMPATIBLE));
    td_findings_free(&fs);
    obs_free(o);
}

/* Cuts between answers, answered when sent again; the verify command
 * opens more connections than the server answered before the first cut. */
static void test_random(void **state)
{
    (void)state;
    td_obs *o = answering();
    o->limit = (td_limit){ .answered_first = 60, .first_cut = TD_OUT_TIMEOUT, .cuts = 41, .vanished = 30,
                           .random = true, .quick_step_s = 1 };
    o->connections = 124;
    o->deadline_hit = false;
    td_findings fs;
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    const td_finding *f = find(&fs, TD_ID_RATE_LIMITED);
    assert_non_null(f);
    assert_non_null(strstr(f->summary, "cuts some connections (41 of 124; the first was accepted and left "
                                       "unanswered)"));
    assert_non_null(strstr(f->summary, "The check asked again what was cut. Everything was tested"));
    assert_non_null(strstr(f->evidence, "not tested: nothing"));
    assert_non_null(strstr(f->evidence, "cuts between answered connections (then silence was a cut after 1.0 s)"));
    assert_non_null(strstr(f->verify, "$(seq 70)"));
    assert_int_equal(fs.n, 1);
    td_findings_free(&fs);

    /* one client cut on every try, with time to spare: no pace to advise */
    o->limit.limited = 1;
    o->n_sims = 1;
    o->sims[0] = (td_sim){ .client = td_client_at(0), .hello = cut(TD_OUT_TIMEOUT, TD_OUT_LIMITED, 5, false) };
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    f = find(&fs, TD_ID_RATE_LIMITED);
    assert_non_null(f);
    assert_non_null(strstr(f->summary, "Not tested (the evidence lists it): 1 of 1 simulated clients. Each was "
                                       "cut on every try"));
    assert_null(strstr(f->summary, "--deadline"));
    td_findings_free(&fs);
    obs_free(o);
}

/* A cut that repeated while the server kept answering stands. */
static void test_confirmed_cut_counts(void **state)
{
    (void)state;
    td_obs *o = answering();
    o->limit = (td_limit){ .answered_first = 3, .first_cut = TD_OUT_RESET, .cuts = 2 };
    o->bighello = cut(TD_OUT_RESET, TD_OUT_RESET, 2, true);
    o->n_backends = 1;
    hs_at(&o->hs, "192.0.2.10", TD_OUT_HELLO);
    hs_at(&o->backends[0], "192.0.2.10", TD_OUT_TIMEOUT);
    o->backends[0].retry = (td_retry){ .tries = 2, .first_out = TD_OUT_TIMEOUT, .confirmed = true };
    td_findings fs;
    memset(&fs, 0, sizeof fs);
    td_diagnose(o, &fs);
    assert_non_null(find(&fs, TD_ID_VERSION_INTOLERANCE));
    assert_non_null(find(&fs, TD_ID_INCONSISTENT_BACKENDS));
    assert_null(find(&fs, TD_ID_RATE_LIMITED));
    td_findings_free(&fs);
    obs_free(o);
}

static void test_outcome_names(void **state)
{
    (void)state;
    assert_string_equal(td_outcome_name(TD_OUT_LIMITED), "limited");
    assert_true(td_outcome_untold(TD_OUT_LIMITED));
    assert_true(td_outcome_untold(TD_OUT_DEADLINE));
    assert_true(td_outcome_untold(TD_OUT_NOT_RUN));
    assert_true(td_outcome_untold(TD_OUT_ERROR));
    assert_false(td_outcome_untold(TD_OUT_RESET));
    assert_false(td_outcome_untold(TD_OUT_TIMEOUT));
    assert_false(td_outcome_untold(TD_OUT_ALERT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quiet_without_cuts),
        cmocka_unit_test(test_spell),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_confirmed_cut_counts),
        cmocka_unit_test(test_outcome_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
