/* Confirming cuts before they count: see confirm.h.
 *
 * Every probe is a record here.  Its connection ends either answered (a
 * byte came back: whatever it says, the server spoke) or cut (reset,
 * closed, unanswered, refused, with nothing back).  A cut is judged by a
 * control: the bytes of a hello the server answered earlier (the
 * reference), sent on a connection that starts after the cut one did.
 *
 *   - control answered: the server answers right now, so the cut is about
 *     this probe (a strike); it is asked again after a pause, and a second
 *     strike confirms it.
 *   - control cut, and so were the connections started around it (RUN in
 *     a row): a spell in which the server cuts everything.  The check slows
 *     to a trickle and holds every cut probe until a connection started
 *     later is answered, then sets a rate under what the server took before
 *     the spell and asks the held probes again.
 *   - control cut between answered connections, or a cut that counted as a
 *     strike and was answered on its next try: the server cuts at random.
 *     (A control whose neighbours are still open tells neither: the cuts it
 *     was to judge get another.)  From then on no
 *     cut counts; a probe is asked until it is answered, MAX_STRIKES times
 *     at most, and otherwise ends LIMITED; silence is taken for a cut
 *     sooner than the step timeout.
 *
 * Before anything is answered at all there is nothing to compare with: a
 * cut is held until the first answer (then judged as above), or, when the
 * run ends without one, asked once more if that costs no wait (a reset, a
 * close, a refusal; not a timeout) and then taken as it is: a server that
 * answers nobody is what the reach-layer rules describe.
 *
 * Connection numbers (td_io_result.seq) order the connections by their
 * start; times come from the scheduler.  Nothing here reads a clock. */
#include "confirm.h"

#include <stdlib.h>
#include <string.h>

#define PAUSE_S     1.0  /* before a probe is asked again */
#define TRICKLE     1.0  /* connections a second while the server cuts everything */
#define MIN_RATE    0.1  /* the slowest the check goes */
#define SAFETY      0.9  /* of the rate the server took before a spell */
#define BACKOFF     0.5  /* a second spell: at most half the rate that led to it */
#define RUN         3    /* cut connections in a row, the control last: a spell */
#define MAX_STRIKES 5    /* tries of a probe on a server that cuts at random */
#define QUICK_STEP  10   /* there, silence past this many times the slowest answer is a cut */
#define MIN_STEP_S  1.0  /* but never sooner than this */
#define RING        256  /* recent connections remembered, by number */

enum verdict { V_PENDING, V_ANSWERED, V_CUT, V_LOST };

struct control {
    unsigned after; /* connections started when it was submitted: it starts later */
    enum verdict verdict;
};

struct rec {
    td_confirm *c;
    struct rec *next;    /* in one of the held lists */
    bool tls, low, main, control;
    td_addr addr;
    uint8_t *out;        /* the hello, as sent every time */
    size_t len;
    td_on_data on_data;
    td_confirm_done done;
    td_confirm_tls_done tls_done;
    void *ctx;
    td_tls_opts tls_o;   /* its sni and alpn are this record's copies; ctx and session referenced */
    td_io_result io;     /* how the last connection ended */
    td_tls_result tres;
    bool have_tres;
    td_tries t;
    unsigned strikes;    /* cuts that count against the probe */
    size_t ctl;          /* 1 + the index of the control judging the last cut; 0 none */
};

struct td_confirm {
    td_sched *s;
    td_addr server;
    td_limit *lim;
    double user_rate;        /* the scheduler's rate at the start: never exceeded */
    unsigned answered;       /* connections to the server answered */
    unsigned spell_answers;  /* answered since the last spell ended (or the start) */
    double spell_start_ms;   /* when the first of those started */
    bool closed;             /* in a spell: the server cuts everything */
    double closed_ms;        /* when the spell was noticed */
    unsigned closed_seq;     /* by the cut of this connection: only a later one's answer ends it */
    double rate_open;        /* the rate before it */
    bool random;             /* cuts come and go: none counts */
    double slowest_ms;       /* the longest connect or wait for a first byte that was answered */
    unsigned first_cut_seq;  /* the earliest connection cut while others were answered */
    size_t probe;            /* the control out to find the spell's end, 0 none */
    uint8_t *ref;            /* the reference hello */
    size_t ref_len;
    struct control *ctls;
    size_t n_ctls, cap_ctls;
    struct rec *parked;      /* cut before anything was answered */
    struct rec *waiting;     /* for their control's verdict */
    struct rec *blocked;     /* cut in a spell: asked again when it ends */
    struct {
        unsigned seq;
        bool cut;
    } ring[RING];
};

/* ---- records and lists ------------------------------------------------------ */

static void rec_free(struct rec *r)
{
    if (!r)
        return;
    free(r->out);
    free((char *)r->tls_o.sni);
    free((unsigned char *)r->tls_o.alpn);
    SSL_CTX_free(r->tls_o.ctx);
    SSL_SESSION_free(r->tls_o.session);
    free(r);
}

static void push(struct rec **list, struct rec *r)
{
    r->next = NULL;
    while (*list)
        list = &(*list)->next;
    *list = r;
}

static struct rec *pop(struct rec **list)
{
    struct rec *r = *list;
    if (r) {
        *list = r->next;
        r->next = NULL;
    }
    return r;
}

/* The whole list, detached: callbacks run while it is worked through may
 * add to the real one. */
static struct rec *take(struct rec **list)
{
    struct rec *all = *list;
    *list = NULL;
    return all;
}

static bool same_addr(const td_addr *a, const td_addr *b)
{
    return a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0;
}

/* ---- what a connection's end says --------------------------------------- */

static bool answered(const td_io_result *io)
{
    return io->bytes_in > 0;
}

static bool is_cut(const td_io_result *io)
{
    if (answered(io))
        return false;
    switch (io->status) {
    case TD_IO_RESET:
    case TD_IO_EOF:
    case TD_IO_TIMEOUT:
    case TD_IO_REFUSED:
    case TD_IO_CONNECT_TIMEOUT: return true;
    default: return false;
    }
}

/* A cut that is known at once: asking again costs a pause, not a wait. */
static bool quick_cut(const td_io_result *io)
{
    return io->status == TD_IO_RESET || io->status == TD_IO_EOF || io->status == TD_IO_REFUSED;
}

static td_outcome cut_outcome(const td_io_result *io)
{
    switch (io->status) {
    case TD_IO_RESET: return TD_OUT_RESET;
    case TD_IO_EOF: return TD_OUT_CLOSED;
    case TD_IO_TIMEOUT: return TD_OUT_TIMEOUT;
    case TD_IO_REFUSED: return TD_OUT_REFUSED;
    case TD_IO_CONNECT_TIMEOUT: return TD_OUT_CONNECT_TIMEOUT;
    default: return TD_OUT_ERROR;
    }
}

void td_tries_apply(const td_tries *t, td_outcome *out, td_retry *dst)
{
    *dst = t->retry;
    if (t->limited)
        *out = TD_OUT_LIMITED;
}

/* ---- sending ---------------------------------------------------------------- */

static td_want on_chunk(void *ctx, const uint8_t *data, size_t len);
static void on_bytes(void *ctx, const td_io_result *io);
static void on_tls(void *ctx, const td_io_result *io, const td_tls_result *tls, SSL *ssl);

/* delay_s < 0: a first try, queued as the owner asked; else a repeat. */
static bool launch(struct rec *r, double delay_s)
{
    td_sched *s = r->c->s;
    if (r->tls) {
        td_tls_opts o = r->tls_o;
        o.delay_s = delay_s > 0 ? delay_s : 0;
        return td_sched_submit_tls(s, &r->addr, &o, on_tls, r) == 0;
    }
    if (delay_s < 0)
        return (r->low ? td_sched_submit_low : td_sched_submit)(s, &r->addr, r->out, r->len, on_chunk, on_bytes,
                                                                 r) == 0;
    return td_sched_submit_later(s, delay_s, r->low, &r->addr, r->out, r->len, on_chunk, on_bytes, r) == 0;
}

static void deliver(struct rec *r, SSL *ssl)
{
    if (r->t.limited)
        r->c->lim->limited++;
    if (r->tls)
        r->tls_done(r->ctx, &r->io, r->have_tres ? &r->tres : NULL, ssl, &r->t);
    else
        r->done(r->ctx, &r->io, &r->t);
    rec_free(r);
}

/* Asks again after the pause; a probe that cannot be queued is settled as
 * it stands. */
static void again(struct rec *r)
{
    if (!launch(r, PAUSE_S))
        deliver(r, NULL);
}

/* ---- the rate ------------------------------------------------------------ */

static double now_ms(const td_confirm *c)
{
    return td_sched_elapsed_ms(c->s);
}

static void set_rate(td_confirm *c, double per_s)
{
    if (per_s < MIN_RATE)
        per_s = MIN_RATE;
    if (c->user_rate > 0 && per_s > c->user_rate)
        per_s = c->user_rate;
    td_sched_set_rate(c->s, per_s);
    c->lim->rate = per_s;
}

/* The slowest of what is set and what is offered (0 = none set). */
static double slower(double set, double offered)
{
    return set > 0 && set < offered ? set : offered;
}

/* ---- controls ------------------------------------------------------------------ */

static struct control *ctl_at(td_confirm *c, size_t ctl)
{
    return ctl && ctl <= c->n_ctls ? &c->ctls[ctl - 1] : NULL;
}

/* Sends the reference hello at the front of the queue.  Returns its
 * number, 0 when there is no reference or no memory. */
static size_t send_control(td_confirm *c)
{
    if (!c->ref)
        return 0;
    if (c->n_ctls == c->cap_ctls) {
        size_t cap = c->cap_ctls ? c->cap_ctls * 2 : 16;
        struct control *n = realloc(c->ctls, cap * sizeof *n);
        if (!n)
            return 0;
        c->ctls = n;
        c->cap_ctls = cap;
    }
    struct rec *r = calloc(1, sizeof *r);
    uint8_t *out = malloc(c->ref_len);
    if (!r || !out) {
        free(r);
        free(out);
        return 0;
    }
    memcpy(out, c->ref, c->ref_len);
    r->c = c;
    r->main = r->control = true;
    r->addr = c->server;
    r->out = out;
    r->len = c->ref_len;
    c->ctls[c->n_ctls] = (struct control){td_sched_connections(c->s), V_PENDING};
    r->ctl = ++c->n_ctls;
    if (td_sched_submit_later(c->s, 0, false, &r->addr, r->out, r->len, on_chunk, on_bytes, r) != 0) {
        c->ctls[r->ctl - 1].verdict = V_LOST;
        rec_free(r);
    }
    return c->n_ctls;
}

/* The control that judges a cut of connection seq: the latest, when it was
 * submitted after that connection started and has not been cut; else a
 * new one. */
static size_t control_for(td_confirm *c, unsigned seq)
{
    const struct control *k = ctl_at(c, c->n_ctls);
    if (k && seq && seq <= k->after && (k->verdict == V_PENDING || k->verdict == V_ANSWERED))
        return c->n_ctls;
    return send_control(c);
}

/* ---- judging cuts --------------------------------------------------------------- */

static void judge(td_confirm *c, struct rec *r);

static void strike(td_confirm *c, struct rec *r)
{
    r->strikes++;
    if (r->strikes >= (c->random ? MAX_STRIKES : 2u)) {
        if (c->random)
            r->t.limited = true;
        else
            r->t.retry.confirmed = true;
        deliver(r, NULL);
        return;
    }
    again(r);
}

/* A cut of a probe, once something has been answered. */
static void settle(td_confirm *c, struct rec *r)
{
    r->ctl = 0;
    if (c->closed) {
        push(&c->blocked, r);
        return;
    }
    if (c->random) {
        strike(c, r);
        return;
    }
    r->ctl = control_for(c, r->io.seq);
    if (!r->ctl) {
        /* Nothing to compare with: the repeat alone decides. */
        strike(c, r);
        return;
    }
    judge(c, r);
}

static void judge(td_confirm *c, struct rec *r)
{
    const struct control *k = ctl_at(c, r->ctl);
    switch (k ? k->verdict : V_LOST) {
    case V_PENDING: push(&c->waiting, r); return;
    case V_ANSWERED:
    case V_LOST: strike(c, r); return;
    case V_CUT: settle(c, r); return; /* in a spell, random, or a new control */
    }
}

/* Controls have answered since these were held: judge them now. */
static void rejudge(td_confirm *c)
{
    struct rec *all = take(&c->waiting), *r;
    while ((r = pop(&all)))
        judge(c, r);
}

/* ---- what the server is doing ---------------------------------------------- */

enum mood { M_UNSURE, M_SPELL, M_RANDOM };

/* Walks from connection seq in one direction (step -1 or +1) over the
 * connections that ended cut; *answered tells whether the walk stopped at
 * one that was answered (rather than one still open, or not to the
 * server).  Returns how many cut ones it passed. */
static unsigned cut_run(const td_confirm *c, unsigned seq, int step, bool *answered)
{
    unsigned n = 0;
    *answered = false;
    for (unsigned s = seq + (unsigned)step; s > 0 && n < RING / 2; s += (unsigned)step) {
        if (c->ring[s % RING].seq != s)
            return n;
        if (!c->ring[s % RING].cut) {
            *answered = true;
            return n;
        }
        n++;
    }
    return n;
}

/* What the cut of control connection seq says: part of RUN or more
 * connections in a row that were all cut (a spell), or between answered
 * ones on both sides (random); unsure while its neighbours are open. */
static enum mood mood_at(const td_confirm *c, unsigned seq)
{
    bool below, above;
    unsigned run = 1 + cut_run(c, seq, -1, &below) + cut_run(c, seq, 1, &above);
    if (run >= RUN)
        return M_SPELL;
    return below && above ? M_RANDOM : M_UNSURE;
}

static void begin_spell(td_confirm *c, unsigned seq)
{
    c->closed = true;
    c->closed_ms = now_ms(c);
    c->closed_seq = seq;
    c->lim->blocks++;
    c->rate_open = td_sched_rate(c->s);
    double trickle = c->user_rate > 0 && c->user_rate < TRICKLE ? c->user_rate : TRICKLE;
    if (c->rate_open == 0 || c->rate_open > trickle)
        td_sched_set_rate(c->s, trickle);
}

/* A connection was answered in a spell: it is over.  The server took
 * spell_answers connections in the time from the first of them to now;
 * a little under that from here on (and at most half the rate that ran
 * into this spell, when one was set). */
static void end_spell(td_confirm *c, const td_io_result *io)
{
    c->closed = false;
    double t = now_ms(c);
    if (t - c->closed_ms > c->lim->block_ms)
        c->lim->block_ms = t - c->closed_ms;
    double span_s = (t - c->spell_start_ms) / 1000.0;
    double took = span_s > 0 ? c->spell_answers / span_s : TRICKLE;
    double next = SAFETY * took;
    if (c->rate_open > 0)
        next = slower(BACKOFF * c->rate_open, next);
    set_rate(c, next);
    c->spell_answers = 0;
    c->spell_start_ms = io->start_ms >= 0 ? io->start_ms : t;
    struct rec *all = take(&c->blocked), *r;
    while ((r = pop(&all)))
        again(r);
}

/* Cuts come and go.  No cut counts from now on, so waiting out the whole
 * step timeout for one tells nothing and costs the deadline: silence past
 * QUICK_STEP times the slowest answer seen is taken for a cut (a
 * connection the server dropped), and the probe is sent again.  The rate
 * stays: a server that drops one connection in so many does so at any
 * pace, and going slower would only leave more untested. */
static void turn_random(td_confirm *c)
{
    if (c->random)
        return;
    c->random = c->lim->random = true;
    double step = QUICK_STEP * c->slowest_ms / 1000.0;
    if (step < MIN_STEP_S)
        step = MIN_STEP_S;
    if (step < td_sched_step_timeout(c->s)) {
        td_sched_set_step_timeout(c->s, step);
        c->lim->quick_step_s = step;
    }
}

/* A control was cut: the server cuts a hello it answered before.  When
 * that does not tell a spell from random cuts yet, the cuts it was to
 * judge ask for another control. */
static void control_cut(td_confirm *c, const struct rec *k)
{
    if (!c->closed) {
        switch (mood_at(c, k->io.seq)) {
        case M_SPELL: begin_spell(c, k->io.seq); break;
        case M_RANDOM: turn_random(c); break;
        case M_UNSURE: break;
        }
    }
    if (c->closed && !c->probe) {
        /* One control at a time finds the end of the spell; the rate
         * spaces them. */
        c->probe = send_control(c);
    }
}

static void remember(td_confirm *c, const td_io_result *io, bool cut)
{
    if (io->seq) {
        c->ring[io->seq % RING].seq = io->seq;
        c->ring[io->seq % RING].cut = cut;
    }
}

/* Books a connection to the server that was answered. */
static void note_answer(td_confirm *c, const struct rec *r)
{
    td_limit *lim = c->lim;
    if (c->answered++ == 0)
        c->spell_start_ms = r->io.start_ms >= 0 ? r->io.start_ms : 0;
    double took = r->io.first_ms > r->io.connect_ms ? r->io.first_ms : r->io.connect_ms;
    if (took > c->slowest_ms)
        c->slowest_ms = took;
    if (lim->first_cut == TD_OUT_NOT_RUN || r->io.seq < c->first_cut_seq)
        lim->answered_first++;
    /* An answer to a connection that started before the spell was seen
     * says nothing about its end. */
    if (c->closed && r->io.seq > c->closed_seq)
        end_spell(c, &r->io);
    c->spell_answers++;
    if (!c->ref && !r->tls && !r->control && r->len) {
        c->ref = malloc(r->len);
        if (c->ref) {
            memcpy(c->ref, r->out, r->len);
            c->ref_len = r->len;
        }
    }
}

/* Books a cut while the server answers others.  The first cut is the one
 * that started first; what was answered before it counts by start too,
 * whatever order the answers came in. */
static void note_cut(td_confirm *c, const struct rec *r)
{
    td_limit *lim = c->lim;
    lim->cuts++;
    if (lim->first_cut != TD_OUT_NOT_RUN && r->io.seq >= c->first_cut_seq)
        return;
    lim->first_cut = cut_outcome(&r->io);
    lim->first_cut_ms = r->io.start_ms;
    c->first_cut_seq = r->io.seq;
    lim->answered_first = 0;
    for (unsigned i = 0; i < RING; i++)
        if (c->ring[i].seq && c->ring[i].seq < r->io.seq && !c->ring[i].cut)
            lim->answered_first++;
}

/* The first answer: what was cut before it can be judged now. */
static void release_parked(td_confirm *c)
{
    struct rec *all = take(&c->parked), *r;
    while ((r = pop(&all))) {
        note_cut(c, r);
        settle(c, r);
    }
}

/* ---- a connection ended ---------------------------------------------------- */

static void control_ended(td_confirm *c, struct rec *k, bool cut)
{
    struct control *ctl = ctl_at(c, k->ctl);
    if (k->ctl == c->probe)
        c->probe = 0;
    if (ctl)
        ctl->verdict = answered(&k->io) ? V_ANSWERED : cut ? V_CUT : V_LOST;
    if (cut)
        control_cut(c, k);
    rec_free(k);
    rejudge(c);
}

static void ended(struct rec *r, SSL *ssl)
{
    td_confirm *c = r->c;
    bool cut = is_cut(&r->io);
    if (r->io.seq)
        r->t.retry.tries++;
    if (cut && r->t.retry.tries <= 1)
        r->t.retry.first_out = cut_outcome(&r->io);
    if (r->main) {
        remember(c, &r->io, cut);
        if (answered(&r->io))
            note_answer(c, r);
        else if (cut && c->answered)
            note_cut(c, r);
    }
    if (r->control) {
        control_ended(c, r, cut);
        return;
    }
    if (!cut && r->io.status == TD_IO_DEADLINE && r->t.retry.first_out != TD_OUT_NOT_RUN &&
        (c->closed || c->random || c->lim->blocks))
        r->t.limited = true; /* cut, and asked again too late */
    if (!cut) {
        /* A probe cut before and answered now: the cut was the server's
         * mood, not the hello.  When a control had shown the server
         * answering right after that cut, the mood is random. */
        if (r->t.retry.tries > 1 && answered(&r->io)) {
            c->lim->vanished++;
            if (r->strikes > 0)
                turn_random(c);
        }
        bool first = c->parked && c->answered;
        deliver(r, ssl);
        if (first)
            release_parked(c);
        rejudge(c);
        return;
    }
    if (!r->main) {
        /* Another address: nothing to compare with there; one repeat. */
        if (r->t.retry.tries < 2) {
            again(r);
        } else {
            r->t.retry.confirmed = true;
            deliver(r, ssl);
        }
        return;
    }
    if (!c->answered) {
        push(&c->parked, r);
        return;
    }
    settle(c, r);
}

static td_want on_chunk(void *ctx, const uint8_t *data, size_t len)
{
    struct rec *r = ctx;
    if (r->control)
        return TD_WANT_DONE; /* any byte back is an answer */
    return r->on_data ? r->on_data(r->ctx, data, len) : TD_WANT_READ;
}

static void on_bytes(void *ctx, const td_io_result *io)
{
    struct rec *r = ctx;
    r->io = *io;
    r->have_tres = false;
    ended(r, NULL);
}

static void on_tls(void *ctx, const td_io_result *io, const td_tls_result *tls, SSL *ssl)
{
    struct rec *r = ctx;
    r->io = *io;
    r->have_tres = tls != NULL;
    if (tls)
        r->tres = *tls;
    ended(r, ssl);
}

/* ---- the interface ----------------------------------------------------------------- */

td_confirm *td_confirm_new(td_sched *s, const td_addr *server, td_limit *lim)
{
    td_confirm *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->s = s;
    c->server = *server;
    c->lim = lim;
    c->user_rate = td_sched_rate(s);
    lim->user_rate = c->user_rate;
    lim->first_cut = TD_OUT_NOT_RUN;
    lim->first_cut_ms = -1;
    return c;
}

static struct rec *rec_new(td_confirm *c, const td_addr *addr, void *ctx)
{
    struct rec *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->c = c;
    r->addr = *addr;
    r->main = same_addr(addr, &c->server);
    r->ctx = ctx;
    return r;
}

int td_confirm_submit(td_confirm *c, bool low, const uint8_t *out, size_t len, td_on_data on_data,
                      td_confirm_done done, void *ctx)
{
    if (!c || !done || (len && !out))
        return -1;
    struct rec *r = rec_new(c, &c->server, ctx);
    if (!r)
        return -1;
    r->low = low;
    r->on_data = on_data;
    r->done = done;
    r->len = len;
    r->out = malloc(len ? len : 1);
    if (!r->out) {
        rec_free(r);
        return -1;
    }
    if (len)
        memcpy(r->out, out, len);
    if (!launch(r, -1)) {
        rec_free(r);
        return -1;
    }
    return 0;
}

int td_confirm_submit_tls(td_confirm *c, const td_addr *addr, const td_tls_opts *o, td_confirm_tls_done done,
                          void *ctx)
{
    if (!c || !addr || !o || !o->ctx || !done)
        return -1;
    struct rec *r = rec_new(c, addr, ctx);
    if (!r)
        return -1;
    r->tls = true;
    r->tls_done = done;
    /* Kept for the repeats: the owner's pointers live only during the call. */
    r->tls_o = (td_tls_opts){.ticket_wait_s = o->ticket_wait_s};
    bool ok = SSL_CTX_up_ref(o->ctx) == 1;
    r->tls_o.ctx = ok ? o->ctx : NULL;
    if (ok && o->session) {
        ok = SSL_SESSION_up_ref(o->session) == 1;
        r->tls_o.session = ok ? o->session : NULL;
    }
    if (ok && o->sni)
        ok = (r->tls_o.sni = strdup(o->sni)) != NULL;
    if (ok && o->alpn && o->alpn_len) {
        unsigned char *a = malloc(o->alpn_len);
        ok = a != NULL;
        if (a) {
            memcpy(a, o->alpn, o->alpn_len);
            r->tls_o.alpn = a;
            r->tls_o.alpn_len = o->alpn_len;
        }
    }
    if (!ok || !launch(r, -1)) {
        rec_free(r);
        return -1;
    }
    return 0;
}

bool td_confirm_flush(td_confirm *c)
{
    bool any = false;
    struct rec *all = take(&c->parked), *r;
    while ((r = pop(&all))) {
        any = true;
        if (r->t.retry.tries < 2 && quick_cut(&r->io) && launch(r, PAUSE_S))
            continue;
        r->t.retry.confirmed = r->t.retry.tries > 1;
        deliver(r, NULL);
    }
    /* Held past the end of the run: the deadline came first.  Cut while
     * the server limited connections, a probe is untested; waiting for a
     * control, it is unfinished. */
    struct rec *held = take(&c->waiting);
    while ((r = pop(&c->blocked)))
        push(&held, r);
    while ((r = pop(&held))) {
        any = true;
        if (c->closed || c->random || r->strikes)
            r->t.limited = true;
        else
            r->io.status = TD_IO_DEADLINE;
        deliver(r, NULL);
    }
    return any;
}

void td_confirm_free(td_confirm *c)
{
    if (!c)
        return;
    struct rec *r;
    while ((r = pop(&c->parked)))
        rec_free(r);
    while ((r = pop(&c->waiting)))
        rec_free(r);
    while ((r = pop(&c->blocked)))
        rec_free(r);
    free(c->ref);
    free(c->ctls);
    free(c);
}
