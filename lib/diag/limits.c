/* RATE_LIMITED: the server, or a device in front of it, cuts connections it
 * answers at other times.  No I/O: td_obs.limit holds what the probes saw
 * (lib/probe/confirm.c), and every probe's outcome says whether it was
 * tested.  A cut that repeated while the server kept answering stands as
 * its own finding elsewhere; this one says the server limits connections,
 * how the check coped, and what it could not test because of that. */
#include <stdio.h>

#include "../registry/registry.h"
#include "../util/str.h"
#include "../wire/tls.h"
#include "advice.h"
#include "finding.h"
#include "fixes.h"

/* The verify command opens this many connections in a row, more than the
 * server let through before it first cut one, within bounds. */
#define VERIFY_MIN 20u
#define VERIFY_MAX 200u

/* A probe the limit (or the deadline that the slower pace ran into) kept
 * from a clean answer. */
static bool untested(td_outcome o)
{
    return o == TD_OUT_LIMITED || o == TD_OUT_DEADLINE;
}

/* Appends "what" to the list of what was not tested. */
static void miss(td_str *b, size_t *n, const char *what)
{
    td_str_printf(b, "%s%s", (*n)++ ? ", " : "", what);
}

static void missed_attempt(td_str *b, size_t *n, const td_attempt *a, const char *what)
{
    if (untested(a->out))
        miss(b, n, what);
}

static void missed_hs(td_str *b, size_t *n, const td_hs *h, const char *what)
{
    if (untested(h->out))
        miss(b, n, what);
}

/* What the check could not test: the hellos and handshakes with no clean
 * answer, enumerations cut short, the clients not simulated.  Returns how
 * many parts, the clients not counted; *clients counts those. */
static size_t not_tested(const td_obs *o, td_str *b, size_t *clients)
{
    size_t n = 0;
    char what[96];
    missed_attempt(b, &n, &o->baseline, "the baseline hello");
    missed_attempt(b, &n, &o->nosni, "the hello without SNI");
    for (int vi = 0; vi < TD_NVERSIONS; vi++) {
        snprintf(what, sizeof what, "the %s hello", td_version_name(td_vat(vi)));
        missed_attempt(b, &n, &o->ver[vi], what);
        if (o->version_ok[vi] == TD_YES && !o->suites_complete[vi] && td_vat(vi) != TD_SSL2) {
            snprintf(what, sizeof what, "part of the %s suites", td_version_name(td_vat(vi)));
            miss(b, &n, what);
        }
    }
    bool groups = o->n_groups > 0 || o->version_ok[td_vidx(TD_TLS13)] == TD_YES;
    if (groups && !o->groups_complete)
        miss(b, &n, "part of the groups");
    missed_attempt(b, &n, &o->oldstyle, "the TLS 1.0-style hello");
    missed_attempt(b, &n, &o->bighello, "the padded hello");
    missed_attempt(b, &n, &o->futurever, "the GREASE hello");
    missed_attempt(b, &n, &o->fallback, "the fallback SCSV hello");
    missed_hs(b, &n, &o->hs, "the full handshake");
    missed_hs(b, &n, &o->hs_nosni, "the handshake without SNI");
    missed_hs(b, &n, &o->hs_client, "the handshake with the client certificate");
    missed_hs(b, &n, &o->hs_resume, "the resumed handshake");
    for (size_t i = 0; i < o->n_backends && i < TD_MAX_BACKENDS; i++) {
        snprintf(what, sizeof what, "handshake %zu to %s", i + 2, o->backends[i].addr);
        missed_hs(b, &n, &o->backends[i], what);
    }
    size_t parts = n;
    *clients = 0;
    for (size_t i = 0; i < o->n_sims && i < TD_MAX_CLIENTS; i++) {
        const td_sim *s = &o->sims[i];
        if (!s->client || !untested(s->hello.out))
            continue;
        if (!(*clients)++)
            miss(b, &n, "the clients ");
        td_str_printf(b, "%s%s", *clients > 1 ? " " : "", s->client->id);
    }
    return parts;
}

/* How a connection was cut, as the summaries say it. */
static const char *cut_words(td_outcome o)
{
    switch (o) {
    case TD_OUT_RESET: return "reset";
    case TD_OUT_CLOSED: return "closed";
    case TD_OUT_TIMEOUT: return "accepted and left unanswered";
    case TD_OUT_REFUSED: return "refused";
    case TD_OUT_CONNECT_TIMEOUT: return "never accepted";
    default: return td_outcome_name(o);
    }
}

/* What gives the check the time it lacked, when the deadline cut it short:
 * the rate it found, from the start, and a deadline that fits the
 * connections it needed (those made, and about one more for each of the
 * missed parts left), with a fifth to spare. */
static void advise_pace(const td_obs *o, size_t missed, td_str *s)
{
    if (!o->deadline_hit) {
        /* Time was not short: those probes were cut on every try. */
        td_str_add(s, "Each was cut on every try; another check may get through.");
        return;
    }
    double rate = o->limit.rate > 0 ? o->limit.rate : o->limit.user_rate;
    if (rate <= 0) {
        td_str_add(s, "A longer `--deadline` gives the check the time.");
        return;
    }
    double need_s = 1.2 * (double)(o->connections + missed) / rate;
    unsigned deadline = (unsigned)(need_s / 10.0 + 1) * 10;
    td_str_printf(s, "`--rate %.2g --deadline %u` gives the check the time.", rate, deadline);
}

static void summary(const td_obs *o, td_str *s)
{
    const td_limit *l = &o->limit;
    const char *how = cut_words(l->first_cut);
    if (l->blocks) {
        td_str_printf(s, "After %u answered connection%s, the server (or a device in front of it) %s every new "
                         "connection for %.0f s, then answered again: it limits connections per time, and "
                         "clients that connect often are turned away.",
                      l->answered_first, l->answered_first == 1 ? "" : "s", how, l->block_ms / 1000.0);
    } else {
        td_str_printf(s, "The server (or a device in front of it) cuts some connections (%u of %u; the first "
                         "was %s) and answers the same hellos when they are sent again: clients fail now and "
                         "then, whatever they offer.",
                      l->cuts, o->connections, how);
    }
    if (l->rate > 0)
        td_str_printf(s, " The check slowed to %.2g connections a second and asked again what was cut.", l->rate);
    else
        td_str_add(s, " The check asked again what was cut.");
}

static void evidence(const td_obs *o, td_str *e, size_t *parts, size_t *clients)
{
    const td_limit *l = &o->limit;
    td_str_printf(e, "first cut: the connection started at %.0f ms, after %u answered, %s; %u connection%s "
                     "cut while others were answered; %u probe%s cut, then answered when sent again",
                  l->first_cut_ms, l->answered_first, cut_words(l->first_cut), l->cuts,
                  l->cuts == 1 ? "" : "s", l->vanished, l->vanished == 1 ? "" : "s");
    if (l->blocks)
        td_str_printf(e, "; %u spell%s of cutting every connection, the longest %.1f s", l->blocks,
                      l->blocks == 1 ? "" : "s", l->block_ms / 1000.0);
    if (l->random)
        td_str_add(e, "; cuts between answered connections");
    if (l->quick_step_s > 0)
        td_str_printf(e, " (then silence was a cut after %.1f s)", l->quick_step_s);
    if (l->rate > 0)
        td_str_printf(e, "; rate lowered to %.2g connections/s%s", l->rate,
                      l->user_rate > 0 ? " (from --rate)" : "");
    td_str_printf(e, "; %u connections in %.1f s", o->connections, o->elapsed_ms / 1000.0);
    td_str not;
    td_str_init(&not);
    *parts = not_tested(o, &not, clients);
    td_str_printf(e, "; not tested: %s", not.s ? not.s : "nothing");
    td_str_free(&not);
}

/* Succeeds once that many connections in a row all complete the handshake
 * (each bounded, since a cut may be silence). */
static void verify(const td_obs *o, const td_advice *adv, td_str *v)
{
    unsigned n = o->limit.answered_first + 10;
    n = n < VERIFY_MIN ? VERIFY_MIN : n > VERIFY_MAX ? VERIFY_MAX : n;
    td_str_printf(v,
                  "for i in $(seq %u); do timeout 5 %s%s </dev/null >/dev/null 2>&1 || { echo \"connection $i "
                  "was cut\"; exit 1; }; done; echo '%u connections in a row completed'",
                  n, adv->sclient, adv->ca_opt, n);
}

void td_diagnose_limits(const td_obs *o, td_findings *out)
{
    const td_limit *l = &o->limit;
    if (!l->blocks && !l->vanished && !l->limited)
        return;
    td_advice adv;
    td_advice_init(&adv, o);
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    size_t parts = 0, clients = 0;
    summary(o, &s);
    evidence(o, &e, &parts, &clients);
    if (parts || clients) {
        td_str_add(&s, " Not tested (the evidence lists it): ");
        if (clients)
            td_str_printf(&s, "%zu of %zu simulated clients%s", clients, o->n_sims, parts ? " and " : "");
        if (parts)
            td_str_printf(&s, "%zu other probe%s", parts, parts == 1 ? "" : "s");
        td_str_add(&s, ". ");
        advise_pace(o, parts + clients, &s);
    } else {
        td_str_add(&s, " Everything was tested; nothing else reported comes from the cuts.");
    }
    verify(o, &adv, &v);
    td_findings_take(out, TD_ID_RATE_LIMITED, TD_SEV_WARN, &s, &e, td_fix(TD_ID_RATE_LIMITED), &v);
}
