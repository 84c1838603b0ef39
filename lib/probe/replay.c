/* The captured client's hello, replayed, and taken apart when the server
 * turns it down.  One connection at a time on a scheduler of its own: each
 * step depends on the answer to the one before. */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/clients.h"
#include "registry/registry.h"
#include "wire/flight.h"
#include "wire/hello.h"
#include "wire/offer.h"
#include "wire/tls.h"

#define HELLO_CAP (1u << 17)
#define DEFAULT_TIMEOUT_S 5.0

const char *td_replay_outcome_name(td_replay_outcome o)
{
    switch (o) {
    case TD_REPLAY_HELLO: return "answered";
    case TD_REPLAY_ALERT: return "alert";
    case TD_REPLAY_RESET: return "reset";
    case TD_REPLAY_CLOSED: return "closed";
    case TD_REPLAY_TIMEOUT: return "timeout";
    case TD_REPLAY_NOT_TLS: return "not TLS";
    case TD_REPLAY_MALFORMED: return "malformed";
    case TD_REPLAY_NO_CONNECT: return "no connection";
    case TD_REPLAY_LOCAL_ERROR: return "local error";
    }
    return "unknown";
}

const char *td_drop_kind_name(td_drop_kind k)
{
    switch (k) {
    case TD_DROP_NOTHING: return "nothing";
    case TD_DROP_PADDING: return "padding";
    case TD_DROP_EXTENSION: return "extension";
    case TD_DROP_SUITES: return "cipher suites";
    case TD_DROP_GROUP: return "group";
    case TD_DROP_SIGALGS: return "signature algorithms";
    }
    return "unknown";
}

/* ---- one connection ---- */

struct conn {
    td_flight f;
    td_io_result io;
};

static td_want on_data(void *ctx, const uint8_t *data, size_t len)
{
    struct conn *c = ctx;
    return td_flight_feed(&c->f, data, len) == TD_FEED_MORE ? TD_WANT_READ : TD_WANT_DONE;
}

static void on_done(void *ctx, const td_io_result *io)
{
    struct conn *c = ctx;
    c->io = *io;
}

/* Without a parsed answer, the socket tells what happened. */
static td_replay_outcome by_io(td_io_status st)
{
    switch (st) {
    case TD_IO_REFUSED:
    case TD_IO_CONNECT_TIMEOUT:
    case TD_IO_UNREACHABLE: return TD_REPLAY_NO_CONNECT;
    case TD_IO_RESET: return TD_REPLAY_RESET;
    case TD_IO_EOF: return TD_REPLAY_CLOSED;
    case TD_IO_DONE:
    case TD_IO_TIMEOUT:
    case TD_IO_DEADLINE: return TD_REPLAY_TIMEOUT;
    case TD_IO_ERROR:
    case TD_IO_LEADIN: return TD_REPLAY_LOCAL_ERROR; /* a replay goes straight to the server */
    }
    return TD_REPLAY_LOCAL_ERROR;
}

/* A ServerHello choosing what the hello did not offer breaks the
 * protocol: no client goes on with it. */
static void classify(struct conn *c, const td_offer *offer, td_replay_answer *a)
{
    td_flight *f = &c->f;
    a->io = c->io.status;
    if (c->io.status != TD_IO_DONE)
        (void)td_flight_eof(f);
    if (!td_offer_check(offer, f, a->detail, sizeof a->detail)) {
        a->outcome = TD_REPLAY_MALFORMED;
        return;
    }
    switch (f->kind) {
    case TD_FLIGHT_HELLO:
    case TD_FLIGHT_HRR:
    case TD_FLIGHT_SSLV2:
        a->outcome = TD_REPLAY_HELLO;
        a->version = f->kind == TD_FLIGHT_SSLV2 ? TD_SSL2 : f->version;
        a->suite = f->suite;
        a->group = f->group;
        a->hrr = f->kind == TD_FLIGHT_HRR;
        return;
    case TD_FLIGHT_ALERT:
        a->outcome = TD_REPLAY_ALERT;
        a->alert_level = f->alert_level;
        a->alert_desc = f->alert_desc;
        return;
    case TD_FLIGHT_NOT_TLS:
        a->outcome = TD_REPLAY_NOT_TLS;
        snprintf(a->detail, sizeof a->detail, "%s", td_sniff_protocol(f->first, f->n_first) ?: "not TLS");
        return;
    case TD_FLIGHT_MALFORMED:
        a->outcome = TD_REPLAY_MALFORMED;
        snprintf(a->detail, sizeof a->detail, "%s", f->error);
        return;
    case TD_FLIGHT_NONE:
        a->outcome = by_io(c->io.status);
        snprintf(a->detail, sizeof a->detail, "%s", td_io_status_name(c->io.status));
        return;
    }
}

/* Sends len bytes of hello, waits for the answer and holds it to what
 * the hello offered. */
static void send_hello(const td_replay_req *req, const uint8_t *buf, size_t len, const td_offer *offer,
                       td_replay_answer *a)
{
    a->hello_len = len;
    double step = req->timeout_s > 0 ? req->timeout_s : DEFAULT_TIMEOUT_S;
    td_sched_opts o = {.max_conns = 1, .step_timeout_s = step, .deadline_s = step * (TD_SCHED_JOB_STEPS + 2)};
    td_sched *s = td_sched_new(&o);
    struct conn c;
    memset(&c, 0, sizeof c);
    td_flight_init(&c.f, false, td_suite_kx);
    if (!s || td_sched_submit(s, &req->addr, buf, a->hello_len, on_data, on_done, &c) != 0 ||
        td_sched_run(s) != 0) {
        a->outcome = TD_REPLAY_LOCAL_ERROR;
        snprintf(a->detail, sizeof a->detail, "the scheduler failed");
    } else {
        classify(&c, offer, a);
    }
    td_flight_free(&c.f);
    td_sched_free(s);
}

static void local_error(td_replay_answer *a, const char *why)
{
    a->outcome = TD_REPLAY_LOCAL_ERROR;
    snprintf(a->detail, sizeof a->detail, "%s", why);
}

/* What the rebuilt hello in buf offers, read back from its bytes. */
static bool rebuilt_offer(const uint8_t *buf, size_t len, td_offer *offer)
{
    size_t n = 0;
    uint8_t *msg = malloc(HELLO_CAP);
    td_chello *h = malloc(sizeof *h);
    bool ok = msg && h && td_hello_unframe(buf, len, msg, HELLO_CAP, &n) && td_chello_parse(h, msg, n);
    if (ok)
        td_offer_from_chello(offer, h);
    free(h);
    free(msg);
    return ok;
}

/* Sends the captured hello with edit ed applied. */
static void attempt(const td_replay_req *req, const td_hello_edit *ed, td_replay_answer *a)
{
    memset(a, 0, sizeof *a);
    size_t len = 0;
    td_offer offer;
    uint8_t *buf = malloc(HELLO_CAP);
    if (buf && td_hello_rebuild(req->hello, ed, buf, HELLO_CAP, &len) == 0 && rebuilt_offer(buf, len, &offer))
        send_hello(req, buf, len, &offer, a);
    else
        local_error(a, "the hello could not be rebuilt");
    free(buf);
}

/* tlsdiag's own hello, as the simulation sends OpenSSL 3's, with the SNI
 * the replay sends. */
static void baseline(const td_replay_req *req, td_replay_answer *a)
{
    memset(a, 0, sizeof *a);
    const td_client *c = td_client_by_id("openssl-3");
    const char *sni = req->sni ? req->sni : req->hello->sni;
    td_hello_spec sp;
    td_offer offer;
    size_t len = 0;
    uint8_t *buf = malloc(HELLO_CAP);
    if (c) {
        td_client_hello_spec(c, sni, &sp);
        td_offer_from_spec(&offer, &sp);
    }
    if (c && buf && td_hello_build(&sp, buf, HELLO_CAP, &len) == 0)
        send_hello(req, buf, len, &offer, a);
    else
        local_error(a, "the baseline hello could not be built");
    free(buf);
}

/* ---- the bisection ---- */

struct bisect {
    const td_replay_req *req;
    td_replay_result *out;
    unsigned budget;
    td_hello_edit base;  /* what every step keeps: the SNI */
};

/* Sends one more step: the hello without what ed leaves out (kind and
 * values say what that is).  True when the server answered it. */
static bool try_step(struct bisect *b, const td_hello_edit *ed, td_drop_kind kind, const uint16_t *values, size_t n)
{
    td_replay_result *out = b->out;
    if (out->n_steps >= b->budget || out->n_steps >= TD_REPLAY_MAX_STEPS) {
        out->out_of_connections = true;
        return false;
    }
    td_replay_step *st = &out->steps[out->n_steps++];
    st->drop = kind;
    st->n_values = n;
    for (size_t i = 0; i < n && i < TD_REPLAY_MAX_VALUES; i++)
        st->values[i] = values[i];
    attempt(b->req, ed, &st->answer);
    return st->answer.outcome == TD_REPLAY_HELLO;
}

static bool culprit(struct bisect *b)
{
    b->out->found = true;
    b->out->culprit_step = b->out->n_steps - 1;
    return true;
}

static bool without_padding(struct bisect *b)
{
    td_hello_edit ed = b->base;
    ed.no_padding = true;
    return b->req->hello->has_padding && try_step(b, &ed, TD_DROP_PADDING, NULL, 0) && culprit(b);
}

/* One extension at a time, in the order the client sent them. */
static bool without_each_extension(struct bisect *b)
{
    const td_chello *h = b->req->hello;
    for (size_t i = 0; i < h->n_exts && !b->out->out_of_connections; i++) {
        uint16_t type = h->exts[i].type;
        /* Never sent by a replay, or tried already. */
        if (type == TD_EXT_PRE_SHARED_KEY || type == TD_EXT_EARLY_DATA || type == TD_EXT_PADDING)
            continue;
        td_hello_edit ed = b->base;
        ed.drop_exts = (uint64_t)1 << i;
        if (try_step(b, &ed, TD_DROP_EXTENSION, &type, 1))
            return culprit(b);
    }
    return false;
}

static bool without_each_group(struct bisect *b)
{
    const td_chello *h = b->req->hello;
    for (size_t i = 0; i < h->n_groups && !b->out->out_of_connections; i++) {
        td_hello_edit ed = b->base;
        ed.drop_group = h->groups[i];
        if (try_step(b, &ed, TD_DROP_GROUP, &h->groups[i], 1))
            return culprit(b);
    }
    return false;
}

/* Drops the list entries at the n positions pos[] (suites or sigalgs). */
static bool try_positions(struct bisect *b, td_drop_kind kind, const size_t *pos, size_t n)
{
    const td_chello *h = b->req->hello;
    const uint16_t *list = kind == TD_DROP_SUITES ? h->suites : h->sigalgs;
    td_hello_edit ed = b->base;
    bool *mask = kind == TD_DROP_SUITES ? ed.drop_suites : ed.drop_sigalgs;
    uint16_t values[TD_REPLAY_MAX_VALUES];
    for (size_t i = 0; i < n; i++) {
        mask[pos[i]] = true;
        if (i < TD_REPLAY_MAX_VALUES)
            values[i] = list[pos[i]];
    }
    return try_step(b, &ed, kind, values, n);
}

/* Halves the list until one entry is left whose removal alone lets the
 * hello through; false when neither half helps (no single culprit). */
static bool halving(struct bisect *b, td_drop_kind kind, size_t n)
{
    size_t pos[TD_CHELLO_MAX_SUITES];
    for (size_t i = 0; i < n; i++)
        pos[i] = i;
    while (n >= 2 && !b->out->out_of_connections) {
        size_t half = n / 2;
        if (try_positions(b, kind, pos, half)) {
            n = half;
        } else if (try_positions(b, kind, pos + half, n - half)) {
            memmove(pos, pos + half, (n - half) * sizeof pos[0]);
            n -= half;
        } else {
            return false;
        }
        if (n == 1)
            return culprit(b);
    }
    return false;
}

static void bisect(struct bisect *b)
{
    const td_chello *h = b->req->hello;
    if (without_padding(b) || without_each_extension(b) || without_each_group(b) ||
        halving(b, TD_DROP_SUITES, h->n_suites))
        return;
    halving(b, TD_DROP_SIGALGS, h->n_sigalgs);
}

/* The edit that leaves out what step st left out; false when it cannot
 * be told again (more values than a step records). */
static bool edit_of(const td_replay_req *req, const td_replay_step *st, td_hello_edit *ed)
{
    const td_chello *h = req->hello;
    memset(ed, 0, sizeof *ed);
    ed->sni = req->sni;
    if (st->n_values > TD_REPLAY_MAX_VALUES)
        return false;
    switch (st->drop) {
    case TD_DROP_NOTHING: return true;
    case TD_DROP_PADDING: ed->no_padding = true; return true;
    case TD_DROP_GROUP: ed->drop_group = st->values[0]; return true;
    case TD_DROP_EXTENSION:
        for (size_t i = 0; i < h->n_exts && i < 64; i++)
            if (h->exts[i].type == st->values[0])
                ed->drop_exts |= (uint64_t)1 << i;
        return ed->drop_exts != 0;
    case TD_DROP_SUITES:
    case TD_DROP_SIGALGS: {
        bool sui = st->drop == TD_DROP_SUITES;
        const uint16_t *list = sui ? h->suites : h->sigalgs;
        bool *mask = sui ? ed->drop_suites : ed->drop_sigalgs;
        for (size_t i = 0; i < (sui ? h->n_suites : h->n_sigalgs); i++)
            for (size_t k = 0; k < st->n_values; k++)
                mask[i] |= list[i] == st->values[k];
        return true;
    }
    }
    return false;
}

void td_replay_confirm(const td_replay_req *req, td_replay_result *out)
{
    td_hello_edit full, without;
    out->stable = false;
    if (!out->found || !edit_of(req, &out->steps[0], &full) ||
        !edit_of(req, &out->steps[out->culprit_step], &without))
        return;
    out->confirm_sent = true;
    attempt(req, &full, &out->confirm_full);
    attempt(req, &without, &out->confirm_without);
    out->stable = out->confirm_full.outcome != TD_REPLAY_HELLO &&
                  out->confirm_full.outcome != TD_REPLAY_NO_CONNECT &&
                  out->confirm_without.outcome == TD_REPLAY_HELLO;
}

int td_replay_run(const td_replay_req *req, td_replay_result *out)
{
    memset(out, 0, sizeof *out);
    if (!req || !req->hello) {
        snprintf(out->error, sizeof out->error, "no hello to replay");
        return -1;
    }
    if (req->hello->sslv2) {
        snprintf(out->error, sizeof out->error, "an SSLv2-format hello is not replayed");
        return -1;
    }
    struct bisect b = {.req = req, .out = out, .budget = req->max_conns ? req->max_conns : TD_REPLAY_DEFAULT_CONNS};
    b.base.sni = req->sni;
    try_step(&b, &b.base, TD_DROP_NOTHING, NULL, 0);
    const td_replay_answer *first = &out->steps[0].answer;
    if (first->outcome == TD_REPLAY_LOCAL_ERROR) {
        snprintf(out->error, sizeof out->error, "%s", first->detail);
        return -1;
    }
    out->rejected = first->outcome != TD_REPLAY_HELLO && first->outcome != TD_REPLAY_NO_CONNECT;
    if (!out->rejected || !req->bisect)
        return 0;
    /* The baseline takes one connection of the budget. */
    out->baseline_sent = true;
    b.budget = b.budget > 1 ? b.budget - 1 : 0;
    baseline(req, &out->baseline);
    bisect(&b);
    return 0;
}
