/* The scheduler's side of lead-ins (leadin.h): moves the bytes of each
 * engine in the job's chain over the job's socket, then hands the
 * connection to the job.
 *
 * One loop, run(), makes all the progress possible without waiting: send
 * what the engine asked for, move on to the next engine when one is done,
 * feed it what the previous one left over, else wait for the peer.  The
 * bytes read always land in the run's carry buffer, which after the chain
 * holds what the peer sent beyond it, for the job. */
#include "net/sched_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define CARRY_MAX 16384

struct td_leadin_run {
    unsigned at;            /* the lead-in under way; n_leadins once all are done */
    void *state;            /* its engine's state */
    bool step_done;         /* it said DONE: next one once out is sent */
    bool failed;
    uint8_t out[TD_LEADIN_OUT_MAX];
    size_t out_len, out_off;
    uint8_t carry[CARRY_MAX]; /* read, not yet fed (or, after the chain, not yet taken) */
    size_t carry_off, carry_len;
    char why[TD_LEADIN_WHY_MAX];
    td_leadin_io io;
};

static const td_leadin *current(const td_job *j)
{
    return &j->leadins[j->lr->at];
}

static void fail(td_job *j, const char *why)
{
    td_leadin_run *lr = j->lr;
    lr->failed = true;
    snprintf(lr->why, sizeof lr->why, "%s", why[0] ? why : "failed");
    td_job_finish(j, TD_IO_LEADIN, 0);
}

/* What an engine's call said: keep its bytes to send, note DONE.  Returns
 * false when the job was finished here. */
static bool take_verdict(td_job *j, td_leadin_rc rc)
{
    td_leadin_run *lr = j->lr;
    if (rc == TD_LEADIN_FAIL) {
        fail(j, lr->io.why);
        return false;
    }
    size_t n = lr->io.out_len < sizeof lr->out ? lr->io.out_len : sizeof lr->out;
    memcpy(lr->out, lr->io.out, n);
    lr->out_len = n;
    lr->out_off = 0;
    lr->step_done = rc == TD_LEADIN_DONE;
    return true;
}

static bool start_current(td_job *j)
{
    td_leadin_run *lr = j->lr;
    const td_leadin *l = current(j);
    free(lr->state);
    lr->state = calloc(1, l->ops->state_size ? l->ops->state_size : 1);
    if (!lr->state) {
        td_job_finish(j, TD_IO_ERROR, ENOMEM);
        return false;
    }
    memset(&lr->io, 0, sizeof lr->io);
    return take_verdict(j, l->ops->start(lr->state, l->cfg, &j->addr, &lr->io));
}

/* Feeds the carry to the current engine; on DONE the bytes it did not use
 * stay in the carry for what follows. */
static bool feed_carry(td_job *j)
{
    td_leadin_run *lr = j->lr;
    const td_leadin *l = current(j);
    const uint8_t *in = lr->carry + lr->carry_off;
    size_t len = lr->carry_len;
    memset(&lr->io, 0, sizeof lr->io);
    td_leadin_rc rc = l->ops->feed(lr->state, in, len, &lr->io);
    size_t used = rc == TD_LEADIN_DONE && lr->io.used < len ? lr->io.used : len;
    lr->carry_off += used;
    lr->carry_len -= used;
    if (!lr->carry_len)
        lr->carry_off = 0;
    return take_verdict(j, rc);
}

/* Sends what is left of out: 1 all sent, 0 would block, -1 job finished. */
static int send_out(td_job *j)
{
    td_leadin_run *lr = j->lr;
    while (lr->out_off < lr->out_len) {
        ssize_t n = send(j->fd, lr->out + lr->out_off, lr->out_len - lr->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            lr->out_off += (size_t)n;
            td_job_step_timer(j);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        int e = n < 0 ? errno : EIO;
        td_job_finish(j, td_classify_io(e), e);
        return -1;
    }
    return 1;
}

/* The chain is through: the rest is the job's. */
static void complete(td_job *j)
{
    td_leadin_run *lr = j->lr;
    const td_leadin *last = &j->leadins[j->n_leadins - 1];
    free(lr->state);
    lr->state = NULL;
    if (lr->carry_len && !last->ops->trailing_ok) {
        char why[TD_LEADIN_WHY_MAX];
        lr->at = j->n_leadins - 1;
        snprintf(why, sizeof why, "%zu unexpected bytes after the %s upgrade answer", lr->carry_len,
                 last->ops->name);
        fail(j, why);
        return;
    }
    lr->at = j->n_leadins;
    td_job_proceed(j);
}

static void run(td_job *j)
{
    td_leadin_run *lr = j->lr;
    for (;;) {
        int sent = send_out(j);
        if (sent < 0)
            return;
        if (sent == 0) {
            td_job_watch(j, EV_WRITE);
            return;
        }
        if (lr->step_done) {
            lr->step_done = false;
            if (lr->at + 1 == j->n_leadins) {
                complete(j);
                return;
            }
            lr->at++;
            if (!start_current(j))
                return;
            continue;
        }
        if (lr->carry_len) {
            if (!feed_carry(j))
                return;
            continue;
        }
        td_job_watch(j, EV_READ);
        return;
    }
}

void td_leadin_connected(td_job *j)
{
    j->lr = calloc(1, sizeof *j->lr);
    if (!j->lr) {
        td_job_finish(j, TD_IO_ERROR, ENOMEM);
        return;
    }
    if (start_current(j))
        run(j);
}

/* Reads once into the (empty) carry.  Returns false when the job was
 * finished here. */
static bool read_some(td_job *j)
{
    td_leadin_run *lr = j->lr;
    for (;;) {
        ssize_t n = recv(j->fd, lr->carry, sizeof lr->carry, MSG_DONTWAIT);
        if (n > 0) {
            lr->carry_off = 0;
            lr->carry_len = (size_t)n;
            td_job_step_timer(j);
            return true;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return true;
        if (n == 0) {
            td_job_finish(j, TD_IO_EOF, 0);
            return false;
        }
        int e = errno;
        td_job_finish(j, td_classify_io(e), e);
        return false;
    }
}

void td_leadin_ready(td_job *j, int revents)
{
    td_leadin_run *lr = j->lr;
    bool writing = lr->out_off < lr->out_len;
    if (writing && !(revents & EV_WRITE))
        return;
    if (!writing && (revents & EV_READ) && !read_some(j))
        return;
    run(j);
}

size_t td_leadin_take(td_job *j, uint8_t *buf, size_t len)
{
    td_leadin_run *lr = j->lr;
    if (!lr || !lr->carry_len || !len)
        return 0;
    size_t n = lr->carry_len < len ? lr->carry_len : len;
    memcpy(buf, lr->carry + lr->carry_off, n);
    lr->carry_off += n;
    lr->carry_len -= n;
    j->bytes_in += n;
    return n;
}

void td_leadin_end(td_job *j, td_io_result *r)
{
    td_leadin_run *lr = j->lr;
    r->leadin_ms = j->t_leadin >= 0 && j->t_connected >= 0 ? j->t_leadin - j->t_connected : -1;
    r->leadin_index = -1;
    r->leadin_name = NULL;
    r->leadin_why[0] = '\0';
    if (lr && lr->at < j->n_leadins) {
        r->leadin_index = (int)lr->at;
        r->leadin_name = j->leadins[lr->at].ops->name;
        if (lr->failed)
            snprintf(r->leadin_why, sizeof r->leadin_why, "%s", lr->why);
    }
    if (lr) {
        free(lr->state);
        free(lr);
        j->lr = NULL;
    }
}

td_leadin_rc td_leadin_fail(td_leadin_io *io, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(io->why, sizeof io->why, fmt, ap);
    va_end(ap);
    return TD_LEADIN_FAIL;
}

/* ---- the same protocol without a socket ---------------------------------- */

static void append(uint8_t *out, size_t cap, size_t *len, const td_leadin_io *io)
{
    size_t n = io->out_len;
    if (n > cap - *len)
        n = cap - *len;
    memcpy(out + *len, io->out, n);
    *len += n;
}

td_leadin_rc td_leadin_simulate(const td_leadin_ops *ops, const void *cfg, const td_addr *target, const uint8_t *in,
                           size_t in_len, size_t split, uint8_t *out, size_t out_cap, size_t *out_len,
                           size_t *used, char *why, size_t why_len)
{
    *out_len = 0;
    *used = 0;
    if (why_len)
        why[0] = '\0';
    void *state = calloc(1, ops->state_size ? ops->state_size : 1);
    td_leadin_io *io = calloc(1, sizeof *io);
    td_leadin_rc rc = TD_LEADIN_FAIL;
    if (!state || !io)
        goto out;
    rc = ops->start(state, cfg, target, io);
    append(out, out_cap, out_len, io);
    size_t off = 0;
    while (rc == TD_LEADIN_MORE && off < in_len) {
        size_t n = in_len - off;
        if (split && n > split)
            n = split;
        memset(io, 0, sizeof *io);
        rc = ops->feed(state, in + off, n, io);
        append(out, out_cap, out_len, io);
        off += rc == TD_LEADIN_DONE && io->used < n ? io->used : n;
    }
    *used = off;
    if (rc == TD_LEADIN_FAIL && why_len)
        snprintf(why, why_len, "%s", io->why);
out:
    free(state);
    free(io);
    return rc;
}
