/* The connection scheduler: one private libev loop, many short TCP jobs.
 *
 * A job goes QUEUED -> CONNECTING -> WRITING -> READING (or, for a job of
 * another kind such as a TLS handshake, CONNECTING -> KIND) and ends exactly
 * once in td_job_finish(), which closes the socket, frees the slot and only
 * then tells the owner.  Callbacks may submit more jobs at any point, so every
 * path that can run owner code is written to survive the job list changing
 * underneath it. */
#include "net/sched_int.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A ClientHello is a few KiB at most; refusing anything absurd keeps a bug
 * in a probe from turning into an unbounded allocation. */
#define TD_JOB_MAX_OUT (1u << 20)
#define TD_READ_CHUNK  16384
/* Reads per wake-up before yielding, so one chatty peer cannot starve the
 * others on the loop (level-triggered: the rest is picked up next round). */
#define TD_READS_PER_WAKE 4

#define DEF_MAX_CONNS 8u
#define DEF_STEP_S    5.0
#define DEF_DEADLINE  60.0

typedef td_job job;

struct td_sched {
    struct ev_loop *loop;
    td_sched_opts o;
    job *q_head, *q_tail;  /* FIFO of jobs not started yet */
    job *lq_head, *lq_tail; /* low priority: started only when q is empty */
    job *later;            /* submitted for later, soonest first; not in a queue yet */
    ev_timer later_tm;     /* fires when the first of them is due */
    td_bucket bucket;      /* paces connection starts (o.rate) */
    ev_timer rate_tm;      /* fires when the bucket has a token again */
    job *live;             /* in flight, most recent first */
    unsigned n_live;
    unsigned connections;
    ev_timer deadline;
    bool running;
    bool pumping;          /* pump() is on the stack: don't nest it */
    bool expired;          /* the total deadline has passed */
    bool started;
    double t0, t_end;      /* first run's start; end of the last run */
    td_leadin leadins[TD_LEADIN_MAX]; /* copied into every job submitted */
    unsigned n_leadins;
};

double td_now_ms(void)
{
    /* The timings are intervals, so the wall clock (which ev_time() reads)
     * would be wrong whenever it is stepped mid-run. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

const char *td_io_status_name(td_io_status st)
{
    switch (st) {
    case TD_IO_DONE: return "done";
    case TD_IO_REFUSED: return "refused";
    case TD_IO_CONNECT_TIMEOUT: return "connect-timeout";
    case TD_IO_UNREACHABLE: return "unreachable";
    case TD_IO_RESET: return "reset";
    case TD_IO_EOF: return "closed";
    case TD_IO_TIMEOUT: return "timeout";
    case TD_IO_DEADLINE: return "deadline";
    case TD_IO_LEADIN: return "lead-in";
    case TD_IO_ERROR: return "error";
    }
    return "error";
}

static void rate_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void later_cb(struct ev_loop *loop, ev_timer *w, int revents);

td_sched *td_sched_new(const td_sched_opts *opts)
{
    td_sched *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->o.max_conns = DEF_MAX_CONNS;
    s->o.step_timeout_s = DEF_STEP_S;
    s->o.deadline_s = DEF_DEADLINE;
    if (opts) {
        if (opts->max_conns >= 1)
            s->o.max_conns = opts->max_conns;
        if (isfinite(opts->step_timeout_s) && opts->step_timeout_s > 0)
            s->o.step_timeout_s = opts->step_timeout_s;
        /* Given options mean what they say: 0 (or nonsense) is "no deadline". */
        s->o.deadline_s = (isfinite(opts->deadline_s) && opts->deadline_s > 0)
                              ? opts->deadline_s : 0;
        s->o.rate = (isfinite(opts->rate) && opts->rate > 0) ? opts->rate : 0;
    }
    /* One token deep: a polite rate means evenly spaced connects, never a
     * burst of them after a quiet spell. */
    td_bucket_init(&s->bucket, s->o.rate, 1, td_now_ms());
    /* A private loop rather than the default one: several schedulers (one
     * per target in a later fleet mode, or per test) must not share state,
     * and the default loop would also claim SIGCHLD. */
    s->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
    if (!s->loop) {
        free(s);
        return NULL;
    }
    ev_set_userdata(s->loop, s);
    ev_timer_init(&s->later_tm, later_cb, 0., 0.);
    s->later_tm.data = s;
    ev_timer_init(&s->rate_tm, rate_cb, 0., 0.);
    s->rate_tm.data = s;
    return s;
}

static void live_unlink(td_sched *s, job *j)
{
    if (j->prev)
        j->prev->next = j->next;
    else
        s->live = j->next;
    if (j->next)
        j->next->prev = j->prev;
    j->next = j->prev = NULL;
    s->n_live--;
}

static void pump(td_sched *s);

/* Ready to start once a slot (and the rate) allows. */
static bool ready(const td_sched *s)
{
    return s->q_head || s->lq_head;
}

/* Still to start at all: ready, or waiting to become due. */
static bool queued(const td_sched *s)
{
    return ready(s) || s->later;
}

/* The oldest job of the normal queue, else of the low one, else the
 * soonest of those waiting to become due; NULL if none. */
static job *dequeue(td_sched *s)
{
    if (!ready(s)) {
        job *j = s->later;
        if (j) {
            s->later = j->next;
            j->next = NULL;
        }
        return j;
    }
    job **head = s->q_head ? &s->q_head : &s->lq_head;
    job **tail = s->q_head ? &s->q_tail : &s->lq_tail;
    job *j = *head;
    *head = j->next;
    if (!*head)
        *tail = NULL;
    j->next = NULL;
    return j;
}

static void maybe_stop(td_sched *s)
{
    if (s->running && !s->n_live && !queued(s))
        ev_break(s->loop, EVBREAK_ONE);
}

/* Ends a job: the socket is gone and the slot free before the owner hears
 * of it, so an on_done that submits the next job can start it at once. */
void td_job_finish(job *j, td_io_status st, int err)
{
    td_sched *s = j->s;
    td_io_result r;
    memset(&r, 0, sizeof r);

    if (j->state != JOB_QUEUED) {
        ev_io_stop(s->loop, &j->io);
        ev_timer_stop(s->loop, &j->tm);
        if (j->fd >= 0)
            close(j->fd);
        j->fd = -1;
        live_unlink(s, j);
    }

    double t = td_now_ms();
    r.status = st;
    r.sys_errno = err;
    r.connect_ms = j->t_connected >= 0 ? j->t_connected - j->t_start : -1;
    r.first_ms = j->t_first >= 0 ? j->t_first - j->t_sent : -1;
    r.total_ms = j->t_start >= 0 ? t - j->t_start : 0;
    r.bytes_in = j->bytes_in;
    r.seq = j->seq;
    r.start_ms = j->t_start >= 0 ? j->t_start - s->t0 : -1;
    td_leadin_end(j, &r);

    if (j->kind) {
        j->kind->report(j, &r);
        free(j);
    } else {
        td_on_done cb = j->on_done;
        void *ctx = j->ctx;
        free(j);
        cb(ctx, &r);
    }

    pump(s);
    maybe_stop(s);
}

static td_io_status classify_connect(int e)
{
    switch (e) {
    case ECONNREFUSED: return TD_IO_REFUSED;
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EADDRNOTAVAIL: return TD_IO_UNREACHABLE;
    /* The kernel's own SYN retries ran out before ours did. */
    case ETIMEDOUT: return TD_IO_CONNECT_TIMEOUT;
    case ECONNRESET: return TD_IO_RESET;
    default: return TD_IO_ERROR;
    }
}

td_io_status td_classify_io(int e)
{
    switch (e) {
    case ECONNRESET:
    case EPIPE: return TD_IO_RESET;
    case ETIMEDOUT: return TD_IO_TIMEOUT;
    case EHOSTUNREACH:
    case ENETUNREACH: return TD_IO_UNREACHABLE;
    default: return TD_IO_ERROR;
    }
}

/* Restarts the step timer: every phase, and every chunk of progress, gets a
 * fresh step_timeout_s, up to the job's bound. */
void td_job_step_timer(job *j)
{
    double secs = j->s->o.step_timeout_s;
    if (j->t_bound >= 0) {
        double left = (j->t_bound - td_now_ms()) / 1000.0;
        if (left < secs)
            secs = left > 0 ? left : 1e-3;
    }
    j->tm.repeat = secs;
    ev_timer_again(j->s->loop, &j->tm);
}

bool td_job_overrun(const job *j)
{
    /* A millisecond early still counts: the timer was armed for the bound. */
    return j->t_bound >= 0 && td_now_ms() >= j->t_bound - 1;
}

void td_job_timer_in(job *j, double secs)
{
    j->tm.repeat = secs > 0 ? secs : 1e-3;
    ev_timer_again(j->s->loop, &j->tm);
}

double td_job_step_s(const job *j)
{
    return j->s->o.step_timeout_s;
}

void td_job_watch(job *j, int events)
{
    /* A TLS job asks again after every record; re-arming an unchanged
     * watcher would cost two epoll_ctl calls each time. */
    if (ev_is_active(&j->io) && (j->io.events & (EV_READ | EV_WRITE)) == events)
        return;
    ev_io_stop(j->s->loop, &j->io);
    ev_io_set(&j->io, j->fd, events);
    ev_io_start(j->s->loop, &j->io);
}

/* Feeds every byte already waiting to on_data.  Returns true when the job
 * was finished here and must not be touched.  With drain, only data and
 * DONE count: the caller already has the real reason the connection died
 * (after an RST has been reported once, recv() says 0 as if it were a FIN). */
static bool do_read(job *j, bool drain)
{
    uint8_t buf[TD_READ_CHUNK];
    for (int i = 0; i < TD_READS_PER_WAKE; i++) {
        ssize_t n = recv(j->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            if (j->t_first < 0)
                j->t_first = td_now_ms();
            j->bytes_in += (size_t)n;
            if (j->on_data && j->on_data(j->ctx, buf, (size_t)n) == TD_WANT_DONE) {
                td_job_finish(j, TD_IO_DONE, 0);
                return true;
            }
            td_job_step_timer(j);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (drain || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)))
            return false;
        if (n == 0) {
            td_job_finish(j, TD_IO_EOF, 0);
            return true;
        }
        int e = errno;
        td_job_finish(j, td_classify_io(e), e);
        return true;
    }
    return false;
}

/* Hands over what the peer sent right after the lead-ins, before anything
 * read from the socket.  Returns true when the job was finished here. */
static bool read_pending(job *j)
{
    uint8_t buf[TD_READ_CHUNK];
    size_t n = td_leadin_take(j, buf, sizeof buf);
    if (!n)
        return false;
    if (j->t_first < 0)
        j->t_first = td_now_ms();
    if (j->on_data && j->on_data(j->ctx, buf, n) == TD_WANT_DONE) {
        td_job_finish(j, TD_IO_DONE, 0);
        return true;
    }
    return false;
}

static void start_reading(job *j)
{
    j->state = JOB_READING;
    j->t_sent = td_now_ms();
    if (read_pending(j))
        return;
    td_job_watch(j, EV_READ);
    td_job_step_timer(j);
}

/* Sends what is left.  Returns true when the job was finished here. */
static bool do_write(job *j)
{
    while (j->out_off < j->out_len) {
        /* send() with MSG_NOSIGNAL: a peer that resets mid-write must give
         * EPIPE here, not a SIGPIPE that kills the whole tool. */
        ssize_t n = send(j->fd, j->out + j->out_off, j->out_len - j->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            j->out_off += (size_t)n;
            td_job_step_timer(j);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return false;
        int e = n < 0 ? errno : EIO;
        /* A server that answers (say, with an alert) and resets before our
         * bytes are all out has still said something; hand that over first,
         * since it is what the probe is looking for. */
        if (j->t_sent < 0)
            j->t_sent = td_now_ms();
        if (do_read(j, true))
            return true;
        td_job_finish(j, td_classify_io(e), e);
        return true;
    }
    start_reading(j);
    return false;
}

static void on_connected(job *j)
{
    j->t_connected = td_now_ms();
    j->t_bound = j->t_connected + TD_SCHED_JOB_STEPS * j->s->o.step_timeout_s * 1000.0;
    int one = 1;
    /* Hellos go out as one segment, and nothing waits for more to coalesce. */
    (void)setsockopt(j->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    td_job_step_timer(j);
    if (j->n_leadins) {
        j->state = JOB_LEADIN;
        td_leadin_connected(j);
        return;
    }
    td_job_proceed(j);
}

void td_job_proceed(job *j)
{
    if (j->n_leadins) {
        /* The job's own exchange starts now: its bound, and the timings
         * its owner reads, leave the lead-ins out. */
        j->t_leadin = td_now_ms();
        j->t_bound = j->t_leadin + TD_SCHED_JOB_STEPS * j->s->o.step_timeout_s * 1000.0;
        j->t_sent = j->t_first = -1;
        j->bytes_in = 0;
        td_job_step_timer(j);
        /* The lead-in left the watcher on reads; the job writes first (a
         * byte job whose send would block waits for this). */
        td_job_watch(j, EV_WRITE);
    }
    j->state = JOB_WRITING;
    if (j->kind) {
        j->state = JOB_KIND;
        j->kind->connected(j);
        return;
    }
    if (j->out_len == 0) {
        start_reading(j);
        return;
    }
    do_write(j);
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    job *j = w->data;
    switch (j->state) {
    case JOB_CONNECTING: {
        int e = 0;
        socklen_t el = sizeof e;
        if (getsockopt(j->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
            e = errno;
        if (e == EINPROGRESS || e == EALREADY)
            return; /* spurious wake-up */
        if (e) {
            td_job_finish(j, classify_connect(e), e);
            return;
        }
        on_connected(j);
        return;
    }
    case JOB_WRITING:
        if (revents & EV_WRITE)
            do_write(j);
        return;
    case JOB_READING:
        if (revents & EV_READ)
            do_read(j, false);
        return;
    case JOB_LEADIN:
        td_leadin_ready(j, revents);
        return;
    case JOB_KIND:
        j->kind->ready(j, revents);
        return;
    case JOB_QUEUED:
        return;
    }
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    job *j = w->data;
    if (j->state == JOB_KIND && j->kind->timeout) {
        j->kind->timeout(j);
        return;
    }
    td_job_finish(j, j->state == JOB_CONNECTING ? TD_IO_CONNECT_TIMEOUT : TD_IO_TIMEOUT, ETIMEDOUT);
}

/* Takes a queued job in flight.  May finish it on the spot (socket or
 * connect failing synchronously). */
static void start_job(td_sched *s, job *j)
{
    j->state = JOB_CONNECTING;
    j->next = s->live;
    j->prev = NULL;
    if (s->live)
        s->live->prev = j;
    s->live = j;
    s->n_live++;

    ev_io_init(&j->io, io_cb, -1, EV_WRITE);
    j->io.data = j;
    ev_timer_init(&j->tm, timer_cb, 0., s->o.step_timeout_s);
    j->tm.data = j;
    /* Owner callbacks may have run for a while since the loop last woke;
     * without this the step timer would start from a stale "now" and fire
     * early. */
    ev_now_update(s->loop);
    j->t_start = td_now_ms();

    const td_addr *to = j->has_via ? &j->via : &j->addr;
    j->fd = socket(to->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (j->fd < 0) {
        int e = errno;
        td_job_finish(j, e == EAFNOSUPPORT ? TD_IO_UNREACHABLE : TD_IO_ERROR, e);
        return;
    }
    s->connections++;
    j->seq = s->connections;
    int rc = connect(j->fd, (const struct sockaddr *)&to->ss, to->len);
    /* EINTR on a non-blocking connect still leaves it in progress; retrying
     * would give EALREADY, so both wait for writability the same way. */
    if (rc < 0 && errno != EINPROGRESS && errno != EINTR) {
        int e = errno;
        td_job_finish(j, classify_connect(e), e);
        return;
    }
    ev_io_set(&j->io, j->fd, EV_WRITE);
    ev_io_start(s->loop, &j->io);
    td_job_step_timer(j);
    if (rc == 0)
        on_connected(j);
}

/* Fills free slots from the queue, oldest first, as fast as the rate
 * allows; when it does not, the rate timer picks up from there.  Not
 * re-entrant on purpose: a chain of jobs that each fail synchronously and
 * submit the next would otherwise recurse once per job; the outer
 * invocation's loop picks up whatever the inner callbacks queued. */
static void pump(td_sched *s)
{
    if (s->pumping || !s->running || s->expired)
        return;
    s->pumping = true;
    while (ready(s) && s->n_live < s->o.max_conns) {
        double now = td_now_ms();
        double wait = td_bucket_wait_ms(&s->bucket, now);
        if (wait > 0) {
            if (!ev_is_active(&s->rate_tm)) {
                ev_now_update(s->loop);
                ev_timer_set(&s->rate_tm, wait / 1000.0, 0.);
                ev_timer_start(s->loop, &s->rate_tm);
            }
            break;
        }
        td_bucket_take(&s->bucket, now);
        start_job(s, dequeue(s));
    }
    s->pumping = false;
}

/* The bucket has a token again. */
static void rate_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    td_sched *s = w->data;
    pump(s);
    maybe_stop(s);
}

static void push_front(td_sched *s, job *j)
{
    job **head = j->low ? &s->lq_head : &s->q_head;
    job **tail = j->low ? &s->lq_tail : &s->q_tail;
    j->next = *head;
    *head = j;
    if (!*tail)
        *tail = j;
}

static void arm_later(td_sched *s)
{
    ev_timer_stop(s->loop, &s->later_tm);
    if (!s->later || !s->running || s->expired)
        return;
    double wait = s->later->due - td_now_ms();
    ev_now_update(s->loop);
    ev_timer_set(&s->later_tm, wait > 0 ? wait / 1000.0 : 0., 0.);
    ev_timer_start(s->loop, &s->later_tm);
}

/* Moves the jobs that are due to the front of their queues, keeping their
 * order (the soonest ends up first). */
static void release_due(td_sched *s)
{
    double now = td_now_ms();
    job *due = NULL;
    while (s->later && s->later->due <= now) {
        job *j = s->later;
        s->later = j->next;
        j->next = due; /* reversed here, reversed back by push_front */
        due = j;
    }
    while (due) {
        job *j = due;
        due = j->next;
        push_front(s, j);
    }
    arm_later(s);
}

static void later_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    td_sched *s = w->data;
    release_due(s);
    pump(s);
    maybe_stop(s);
}

/* Ends everything still pending with DEADLINE.  Loops because the owners'
 * on_done may queue new jobs; those end the same way, each exactly once. */
static void expire_all(td_sched *s)
{
    for (;;) {
        if (s->live) {
            td_job_finish(s->live, TD_IO_DEADLINE, 0);
        } else if (queued(s)) {
            td_job_finish(dequeue(s), TD_IO_DEADLINE, 0);
        } else {
            break;
        }
    }
}

static void deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    td_sched *s = w->data;
    s->expired = true;
    expire_all(s);
    ev_break(loop, EVBREAK_ONE);
}

job *td_job_new(td_sched *s, const td_addr *addr, size_t out_len)
{
    if (!s || !addr || out_len > TD_JOB_MAX_OUT)
        return NULL;
    if (addr->len == 0 || addr->len > sizeof addr->ss)
        return NULL;
    job *j = malloc(sizeof *j + out_len);
    if (!j)
        return NULL;
    memset(j, 0, sizeof *j);
    j->s = s;
    j->state = JOB_QUEUED;
    j->fd = -1;
    j->addr = *addr;
    j->t_start = j->t_connected = j->t_sent = j->t_first = j->t_bound = j->t_leadin = -1;
    j->out_len = out_len;
    memcpy(j->leadins, s->leadins, sizeof j->leadins);
    j->n_leadins = s->n_leadins;
    if (j->n_leadins && j->leadins[0].via) {
        j->via = *j->leadins[0].via;
        j->has_via = true;
    }
    return j;
}

void td_sched_enqueue_later(td_sched *s, job *j, double delay_s)
{
    j->due = td_now_ms() + (delay_s > 0 ? delay_s * 1000.0 : 0);
    job **p = &s->later;
    while (*p && (*p)->due <= j->due)
        p = &(*p)->next;
    j->next = *p;
    *p = j;
    release_due(s);
    pump(s);
}

void td_sched_enqueue(td_sched *s, job *j)
{
    job **head = j->low ? &s->lq_head : &s->q_head;
    job **tail = j->low ? &s->lq_tail : &s->q_tail;
    if (*tail)
        (*tail)->next = j;
    else
        *head = j;
    *tail = j;

    /* From inside a callback: start it now if a slot is free, rather than
     * waiting for the next loop iteration. */
    pump(s);
}

/* delay_s < 0: an ordinary job, at the back of its queue. */
static int submit(td_sched *s, const td_addr *addr, const uint8_t *out, size_t out_len, td_on_data on_data,
                  td_on_done on_done, void *ctx, bool low, double delay_s)
{
    if (!on_done || (out_len && !out) || isnan(delay_s))
        return -1;
    job *j = td_job_new(s, addr, out_len);
    if (!j)
        return -1;
    j->low = low;
    j->on_data = on_data;
    j->on_done = on_done;
    j->ctx = ctx;
    if (out_len)
        memcpy(j->out, out, out_len);
    if (delay_s < 0)
        td_sched_enqueue(s, j);
    else
        td_sched_enqueue_later(s, j, delay_s);
    return 0;
}

int td_sched_submit(td_sched *s, const td_addr *addr, const uint8_t *out, size_t out_len,
                    td_on_data on_data, td_on_done on_done, void *ctx)
{
    return submit(s, addr, out, out_len, on_data, on_done, ctx, false, -1);
}

int td_sched_submit_low(td_sched *s, const td_addr *addr, const uint8_t *out, size_t out_len,
                        td_on_data on_data, td_on_done on_done, void *ctx)
{
    return submit(s, addr, out, out_len, on_data, on_done, ctx, true, -1);
}

int td_sched_submit_later(td_sched *s, double delay_s, bool low, const td_addr *addr, const uint8_t *out,
                          size_t out_len, td_on_data on_data, td_on_done on_done, void *ctx)
{
    if (isnan(delay_s))
        return -1;
    return submit(s, addr, out, out_len, on_data, on_done, ctx, low, delay_s > 0 ? delay_s : 0);
}

int td_sched_set_leadins(td_sched *s, const td_leadin *chain, size_t n)
{
    if (!s || n > TD_LEADIN_MAX || (n && !chain))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!chain[i].ops || !chain[i].ops->start || !chain[i].ops->feed)
            return -1;
    if (n && chain[0].via && (chain[0].via->len == 0 || chain[0].via->len > sizeof chain[0].via->ss))
        return -1;
    memset(s->leadins, 0, sizeof s->leadins);
    if (n)
        memcpy(s->leadins, chain, n * sizeof *chain);
    s->n_leadins = (unsigned)n;
    return 0;
}

size_t td_sched_get_leadins(const td_sched *s, td_leadin *out, size_t max)
{
    if (!s)
        return 0;
    for (size_t i = 0; i < s->n_leadins && i < max; i++)
        out[i] = s->leadins[i];
    return s->n_leadins;
}

void td_sched_set_rate(td_sched *s, double per_s)
{
    if (!s)
        return;
    s->o.rate = (isfinite(per_s) && per_s > 0) ? per_s : 0;
    td_bucket_set_rate(&s->bucket, s->o.rate, td_now_ms());
    /* The token being waited for is now due at another time. */
    ev_timer_stop(s->loop, &s->rate_tm);
    pump(s);
}

double td_sched_rate(const td_sched *s)
{
    return s ? s->o.rate : 0;
}

void td_sched_set_step_timeout(td_sched *s, double secs)
{
    if (s && isfinite(secs) && secs > 0)
        s->o.step_timeout_s = secs;
}

double td_sched_step_timeout(const td_sched *s)
{
    return s ? s->o.step_timeout_s : 0;
}

int td_sched_run(td_sched *s)
{
    if (!s || s->running)
        return -1;
    double t = td_now_ms();
    if (!s->started) {
        s->started = true;
        s->t0 = t;
    }
    s->running = true;

    /* The deadline covers the scheduler's whole life from its first run, so
     * a check split over several runs still gets one total budget. */
    if (s->o.deadline_s > 0 && !s->expired) {
        double left = s->o.deadline_s - (t - s->t0) / 1000.0;
        if (left <= 0) {
            s->expired = true;
        } else {
            ev_now_update(s->loop);
            ev_timer_init(&s->deadline, deadline_cb, left, 0.);
            s->deadline.data = s;
            ev_timer_start(s->loop, &s->deadline);
        }
    }

    if (s->expired) {
        expire_all(s);
    } else {
        release_due(s);
        pump(s);
        while (s->n_live || queued(s)) {
            ev_run(s->loop, 0);
            if (s->expired)
                break;
            pump(s);
        }
    }

    ev_timer_stop(s->loop, &s->deadline);
    ev_timer_stop(s->loop, &s->rate_tm);
    ev_timer_stop(s->loop, &s->later_tm);
    s->running = false;
    s->t_end = td_now_ms();
    return 0;
}

unsigned td_sched_connections(const td_sched *s)
{
    return s ? s->connections : 0;
}

double td_sched_elapsed_ms(const td_sched *s)
{
    if (!s || !s->started)
        return 0;
    return (s->running ? td_now_ms() : s->t_end) - s->t0;
}

void td_sched_free(td_sched *s)
{
    if (!s)
        return;
    /* Jobs that never ran still get their one on_done, so owners that free
     * their context there do not leak.  Freeing from inside a callback is
     * not supported (nothing can be in flight otherwise). */
    while (queued(s))
        td_job_finish(dequeue(s), TD_IO_ERROR, ECANCELED);
    ev_loop_destroy(s->loop);
    free(s);
}
