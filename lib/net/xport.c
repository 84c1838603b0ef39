/* A job's transport: what its bytes travel over once TCP is up.  Usually
 * the socket itself; with an https:// proxy, a TLS session to the proxy
 * (tlspipe.h) carries the lead-ins, the byte jobs' hellos and the TLS
 * jobs' records alike, so a job has one code path whatever is under it.
 *
 * The session's ciphertext moves here, on the job's socket and under its
 * timers.  Two things the socket's readiness no longer says are covered:
 * records waiting to go out (td_job_watch adds EV_WRITE until they are
 * sent) and plaintext already decrypted (td_job_watch and td_job_recv
 * feed the job an EV_READ of its own, since no new bytes will arrive on
 * the socket to announce it). */
#include "net/sched_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/tlspipe.h"

#define CIPHER_CHUNK 16384

struct td_xport {
    td_tlspipe *pipe;
    const td_via_tls *cfg;
    bool up;            /* the handshake with the proxy is done */
    bool failed;        /* the session failed: why says how */
    char why[TD_LEADIN_WHY_MAX];
};

static ssize_t sock_send(td_job *j, const void *buf, size_t len)
{
    return send(j->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

int td_job_send_from(td_job *j, bool raw, const uint8_t *buf, size_t len, size_t *off)
{
    ssize_t (*snd)(td_job *, const void *, size_t) = raw ? sock_send : td_job_send;
    while (*off < len) {
        ssize_t n = snd(j, buf + *off, len - *off);
        if (n > 0) {
            *off += (size_t)n;
            td_job_step_timer(j);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n == 0)
            errno = EIO;
        return -1;
    }
    return 1;
}

/* Sends the session's waiting ciphertext as far as the socket takes it:
 * 0 (maybe with some left), -1 with errno on a hard error. */
static int flush(td_job *j)
{
    const uint8_t *data;
    size_t len = td_tlspipe_out(j->xp->pipe, &data), off = 0;
    int rc = td_job_send_from(j, true, data, len, &off);
    td_tlspipe_sent(j->xp->pipe, off);
    return rc < 0 ? -1 : 0;
}

static bool out_waiting(td_job *j)
{
    const uint8_t *data;
    return td_tlspipe_out(j->xp->pipe, &data) > 0;
}

/* One read of ciphertext from the socket into the session: as recv(). */
static ssize_t fill(td_job *j)
{
    uint8_t buf[CIPHER_CHUNK];
    ssize_t n = recv(j->fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0 && !td_tlspipe_put(j->xp->pipe, buf, (size_t)n)) {
        errno = ENOMEM;
        return -1;
    }
    return n;
}

/* The session to the proxy failed: the proxy's side is told (its stats),
 * and the job ends as a failed lead-in of the proxy. */
static void fail(td_job *j, td_pipe_fault fault, const char *why)
{
    td_xport *x = j->xp;
    x->failed = true;
    snprintf(x->why, sizeof x->why, "%s", why);
    if (x->cfg->failed)
        x->cfg->failed(x->cfg->arg, fault, why);
    td_job_finish(j, TD_IO_LEADIN, 0);
}

static void pipe_failed(td_job *j)
{
    char why[TD_LEADIN_WHY_MAX];
    td_pipe_fault f = td_tlspipe_fault(j->xp->pipe, why, sizeof why);
    fail(j, f, why);
}

ssize_t td_job_send(td_job *j, const void *buf, size_t len)
{
    if (!j->xp)
        return sock_send(j, buf, len);
    int n = td_tlspipe_write(j->xp->pipe, buf, len);
    if (n < 0 || flush(j) < 0)
        return -1;
    if (out_waiting(j))
        td_job_watch(j, j->want); /* adds EV_WRITE for the rest */
    return n;
}

ssize_t td_job_recv(td_job *j, void *buf, size_t len)
{
    if (!j->xp)
        return recv(j->fd, buf, len, MSG_DONTWAIT);
    for (;;) {
        int n = td_tlspipe_read(j->xp->pipe, buf, len);
        if (n > 0) {
            if (td_tlspipe_readable(j->xp->pipe))
                td_job_poke(j);
            return n;
        }
        if (n == 0)
            return 0;
        if (errno != EAGAIN)
            return -1;
        /* A read may need what a write left waiting (a TLS 1.3 client's
         * Finished goes out with its first data). */
        if (flush(j) < 0)
            return -1;
        ssize_t got = fill(j);
        if (got <= 0)
            return got;
    }
}

/* ---- the handshake with the proxy ----------------------------------------- */

static void handshake(td_job *j)
{
    td_xport *x = j->xp;
    for (;;) {
        int rc = td_tlspipe_handshake(x->pipe);
        if (flush(j) < 0) {
            int e = errno;
            td_job_finish(j, td_classify_io(e), e);
            return;
        }
        if (rc > 0) {
            x->up = true;
            td_job_transport_up(j);
            return;
        }
        if (rc < 0) {
            pipe_failed(j);
            return;
        }
        ssize_t n = fill(j);
        if (n > 0) {
            td_job_step_timer(j);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            td_job_watch(j, EV_READ);
            return;
        }
        if (n == 0) {
            fail(j, TD_PIPE_HANDSHAKE, "the proxy closed the connection during the TLS handshake");
            return;
        }
        int e = errno;
        td_job_finish(j, td_classify_io(e), e);
        return;
    }
}

void td_xport_connected(td_job *j)
{
    j->xp = calloc(1, sizeof *j->xp);
    if (j->xp) {
        j->xp->cfg = j->via_tls;
        j->xp->pipe = td_tlspipe_new(j->via_tls->ctx, j->via_tls->host);
    }
    if (!j->xp || !j->xp->pipe) {
        td_job_finish(j, TD_IO_ERROR, ENOMEM);
        return;
    }
    handshake(j);
}

void td_xport_ready(td_job *j, int revents)
{
    (void)revents;
    handshake(j);
}

int td_xport_pump(td_job *j, int revents)
{
    if (!(revents & EV_WRITE) || !out_waiting(j))
        return revents;
    if (flush(j) < 0) {
        int e = errno;
        td_job_finish(j, td_classify_io(e), e);
        return 0;
    }
    if (out_waiting(j))
        return revents & ~EV_WRITE;
    /* All out: back to what the job itself waits for. */
    td_job_watch(j, j->want);
    return j->want & EV_WRITE ? revents : revents & ~EV_WRITE;
}

int td_xport_events(td_job *j, int events)
{
    if (!j->xp || !j->xp->pipe)
        return events;
    return out_waiting(j) ? events | EV_WRITE : events;
}

bool td_xport_readable(const td_job *j)
{
    return j->xp && j->xp->up && td_tlspipe_readable(j->xp->pipe);
}

void td_xport_end(td_job *j, td_io_result *r)
{
    td_xport *x = j->xp;
    if (!x)
        return;
    char why[TD_LEADIN_WHY_MAX];
    /* A session that broke after its handshake is the proxy's doing too,
     * whatever the job above it made of the missing bytes. */
    if (!x->failed && x->pipe && td_tlspipe_fault(x->pipe, why, sizeof why) != TD_PIPE_OK) {
        x->failed = true;
        snprintf(x->why, sizeof x->why, "%s", why);
        if (x->cfg->failed)
            x->cfg->failed(x->cfg->arg, td_tlspipe_fault(x->pipe, NULL, 0), why);
        r->status = TD_IO_LEADIN;
    }
    if (!x->up || x->failed) {
        r->leadin_index = 0;
        r->leadin_name = j->leadins[0].ops->name;
        snprintf(r->leadin_why, sizeof r->leadin_why, "%s", x->failed ? x->why : "");
    }
    td_tlspipe_free(x->pipe);
    free(x);
    j->xp = NULL;
}
