/* TLS handshakes through OpenSSL as scheduler jobs.
 *
 * sched.c connects the job like any other (queue, cap, connect timeout,
 * deadline) and hands over once TCP is up; from then on this file drives
 * SSL_do_handshake on readiness and, for TLS 1.3, SSL_read for a while
 * afterwards.  OpenSSL never blocks: the socket is non-blocking and every
 * SSL_ERROR_WANT_* becomes an ev_io wait under the step timeout.
 *
 * OpenSSL talks to the socket through a small BIO of our own rather than
 * SSL_set_fd's socket BIO:
 *  - that BIO writes with write(2), and a peer that resets mid-handshake
 *    turns the next write into SIGPIPE, which kills the process.  Library
 *    code must not change the process-wide SIGPIPE disposition under its
 *    caller, and blocking the signal per thread only moves the problem, so
 *    ours sends with MSG_NOSIGNAL;
 *  - it keeps the exact errno and whether recv() saw a FIN, which OpenSSL 3
 *    otherwise folds into SSL_R_UNEXPECTED_EOF_WHILE_READING or a bare
 *    SSL_ERROR_SYSCALL, and that is the difference between "closed" and
 *    "reset" that the diagnosis needs;
 *  - it counts bytes and the first byte's time, so td_io_result means the
 *    same for TLS jobs as for byte jobs;
 *  - the socket belongs to sched.c, which closes it before the owner is
 *    told; the BIO then sees fd -1 and fails instead of touching a
 *    descriptor number that a new job may already have reused. */
#include "net/sched_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "registry/registry.h"
#include "wire/alpn.h"
#include "wire/flight.h"
#include "wire/tls.h"

/* SSL_read calls per wake-up after the handshake.  Anything that keeps
 * SSL_read busy longer is application data we never asked for; by then
 * the server has plainly answered, so the job ends instead of starving the
 * loop. */
#define TD_TLS_READS_PER_WAKE 16
/* OpenSSL's limit for a host name (TLSEXT_MAXLEN_host_name). */
#define TD_SNI_MAX 255

typedef struct tls_job {
    td_job *j;
    SSL_CTX *ctx;           /* referenced */
    char *sni;              /* NULL: none */
    unsigned char *alpn;
    size_t alpn_len;
    SSL_SESSION *session;   /* referenced, NULL: none */
    double ticket_wait_s;
    td_on_tls_done cb;
    void *cb_ctx;

    SSL *ssl;
    void (*chained_info)(const SSL *ssl, int where, int ret);
    bool alert_in_fatal, alert_out_fatal;
    bool cert_requested;    /* the server sent a CertificateRequest */
    bool read_eof;          /* recv() returned 0 */
    int read_errno, write_errno;

    /* After the client's Finished (TLS 1.3 only). */
    bool after;
    bool record_after;      /* a record other than an alert arrived since */
    bool want_tickets, want_verdict;
    double tickets_end_ms, verdict_end_ms;

    td_tls_result res;
} tls_job;

/* ---- the socket BIO ------------------------------------------------------ */

/* Made once per process and never freed: BIO type indexes are a small
 * process-wide pool (BIO_get_new_index), so one per scheduler would run
 * out. */
static BIO_METHOD *sock_method;
static int ex_index = -1;
static CRYPTO_ONCE init_once = CRYPTO_ONCE_STATIC_INIT;

static void progress(tls_job *t)
{
    /* The step timeout is per wait: any bytes moved during the handshake
     * start a new one.  After the handshake the job's timer measures the
     * ticket / verdict window instead, which bytes must not stretch. */
    if (!t->after)
        td_job_step_timer(t->j);
}

/* The start of a BIO read or write: the job, or NULL with *ret the
 * answer when there is nothing to do (a length of 0: 0, since recv() of 0
 * bytes would return 0 and look like a FIN; no socket any more, as when
 * OpenSSL calls after the job ended: -1 with errno EBADF). */
static tls_job *bio_begin(BIO *b, int len, int *ret)
{
    BIO_clear_retry_flags(b);
    *ret = 0;
    if (len <= 0)
        return NULL;
    tls_job *t = BIO_get_data(b);
    if (!t || t->j->fd < 0) {
        errno = EBADF;
        *ret = -1;
        return NULL;
    }
    return t;
}

/* After send() or recv() failed: false to try again (EINTR); else true,
 * with the retry flag set for a socket that would block, or the first hard
 * error kept for the job's verdict. */
static bool io_failed(BIO *b, bool writing, int *first_errno)
{
    if (errno == EINTR)
        return false;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (writing)
            BIO_set_retry_write(b);
        else
            BIO_set_retry_read(b);
        return true;
    }
    if (!*first_errno)
        *first_errno = errno;
    return true;
}

static int sock_write(BIO *b, const char *buf, int len)
{
    int ret;
    tls_job *t = bio_begin(b, len, &ret);
    if (!t)
        return ret;
    for (;;) {
        ssize_t n = send(t->j->fd, buf, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            if (t->j->t_sent < 0)
                t->j->t_sent = td_now_ms();
            progress(t);
            return (int)n;
        }
        if (!io_failed(b, true, &t->write_errno))
            continue;
        return -1;
    }
}

static int sock_read(BIO *b, char *buf, int len)
{
    int ret;
    tls_job *t = bio_begin(b, len, &ret);
    if (!t)
        return ret;
    /* What the peer sent right after the lead-ins comes first. */
    size_t early = td_leadin_take(t->j, (uint8_t *)buf, (size_t)len);
    if (early) {
        if (t->j->t_first < 0)
            t->j->t_first = td_now_ms();
        progress(t);
        return (int)early;
    }
    for (;;) {
        ssize_t n = recv(t->j->fd, buf, (size_t)len, MSG_DONTWAIT);
        if (n > 0) {
            if (t->j->t_first < 0)
                t->j->t_first = td_now_ms();
            t->j->bytes_in += (size_t)n;
            progress(t);
            return (int)n;
        }
        if (n == 0) {
            t->read_eof = true;
            return 0;
        }
        if (!io_failed(b, false, &t->read_errno))
            continue;
        return -1;
    }
}

static long sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)num;
    tls_job *t = BIO_get_data(b);
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1; /* nothing is buffered here */
    case BIO_CTRL_EOF:
        /* OpenSSL asks this to tell a FIN from an error after a read of 0. */
        return t && t->read_eof;
    case BIO_C_GET_FD: {
        /* So that SSL_get_fd() works for owners that want the socket's
         * addresses in their callback. */
        int fd = t ? t->j->fd : -1;
        if (ptr)
            *(int *)ptr = fd;
        return fd;
    }
    default:
        return 0;
    }
}

static void info_cb(const SSL *ssl, int where, int ret);
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg);

static void do_init(void)
{
    int idx = BIO_get_new_index();
    if (idx < 0)
        return;
    /* BIO_TYPE_DESCRIPTOR: SSL_get_fd() looks for that flag. */
    BIO_METHOD *m = BIO_meth_new(idx | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "tlsdiag socket");
    if (!m)
        return;
    if (!BIO_meth_set_write(m, sock_write) || !BIO_meth_set_read(m, sock_read)
        || !BIO_meth_set_ctrl(m, sock_ctrl)) {
        BIO_meth_free(m);
        return;
    }
    /* Our own ex_data slot rather than SSL_set_app_data: the owner gets the
     * SSL in its callback and may use app data for its own purposes. */
    ex_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    if (ex_index < 0) {
        BIO_meth_free(m);
        return;
    }
    sock_method = m;
}

/* ---- alerts and handshake progress --------------------------------------- */

static bool alert_is_fatal(const SSL *ssl, int level, int desc)
{
    if (level == SSL3_AL_FATAL)
        return true;
    /* RFC 8446 section 6: in TLS 1.3 every alert except close_notify and
     * user_canceled is an error "regardless of the AlertLevel". */
    return SSL_version(ssl) == TLS1_3_VERSION && desc != TD_ALERT_CLOSE_NOTIFY && desc != TD_ALERT_USER_CANCELED;
}

/* Keeps the first fatal alert, or the first warning while no fatal one came. */
static void note_alert(int *slot, bool *slot_fatal, int desc, bool fatal)
{
    if (*slot < 0 || (fatal && !*slot_fatal)) {
        *slot = desc;
        *slot_fatal = fatal;
    }
}

static void info_cb(const SSL *ssl, int where, int ret)
{
    tls_job *t = SSL_get_ex_data(ssl, ex_index);
    if (t) {
        if (where & SSL_CB_ALERT) {
            int desc = ret & 0xff;
            bool fatal = alert_is_fatal(ssl, (ret >> 8) & 0xff, desc);
            if (where & SSL_CB_READ)
                note_alert(&t->res.alert_received, &t->alert_in_fatal, desc, fatal);
            else
                note_alert(&t->res.alert_sent, &t->alert_out_fatal, desc, fatal);
        }
        if (where & SSL_CB_LOOP) {
            /* The callback runs before each state change, so the state seen
             * is the message just handled: CertificateRequest read, or our
             * Certificate written in answer to one. */
            OSSL_HANDSHAKE_STATE st = SSL_get_state(ssl);
            if (st == TLS_ST_CR_CERT_REQ || st == TLS_ST_CW_CERT)
                t->cert_requested = true;
            /* After the handshake the state machine runs only for the
             * server's post-handshake messages (NewSessionTicket,
             * KeyUpdate). */
            if (t->after)
                t->record_after = true;
        }
    }
    /* Setting a callback on the SSL hides the context's; the owner's
     * context may have one for tracing, so it still gets every event. */
    if (t && t->chained_info)
        t->chained_info(ssl, where, ret);
}

/* OpenSSL refuses a second HelloRetryRequest (RFC 8446 section 4.1.4) with
 * the same unexpected_message as any message out of place; counting them
 * lets the owner say which it was. */
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg)
{
    (void)version;
    (void)ssl;
    tls_job *t = arg;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && td_flight_is_hrr(buf, len))
        t->res.hrrs++;
}

/* ---- outcomes ------------------------------------------------------------- */

static const char *alert_name(int desc)
{
    return td_alert_name(desc, "unknown");
}

static void set_error(tls_job *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(tls_job *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->res.error, sizeof t->res.error, fmt, ap);
    va_end(ap);
}

static void sys_error(tls_job *t, const char *when, int err)
{
    char buf[96];
    /* GNU strerror_r (_GNU_SOURCE): returns the message, maybe not in buf. */
    const char *msg = strerror_r(err, buf, sizeof buf);
    if (err == ECONNRESET || err == EPIPE)
        msg = "connection reset";
    if (when && when[0])
        set_error(t, "%s %s", msg, when);
    else
        set_error(t, "%s", msg);
}

/* The first queued OpenSSL error, in words: "wrong version number". */
static void ssl_reason(tls_job *t, char *out, size_t outlen)
{
    t->res.ssl_err = ERR_peek_error();
    const char *r = t->res.ssl_err ? ERR_reason_error_string(t->res.ssl_err) : NULL;
    if (r)
        snprintf(out, outlen, "%s", r);
    else if (t->res.ssl_err)
        snprintf(out, outlen, "OpenSSL error 0x%lx", t->res.ssl_err);
    else
        snprintf(out, outlen, "TLS error");
}

static void finish_tls(tls_job *t, td_io_status st, int err)
{
    /* OpenSSL's error queue is per thread: whatever is left would be taken
     * by the next job's SSL_get_error(), or the owner's next call, as its
     * own. */
    ERR_clear_error();
    td_job_finish(t->j, st, err);
}

/* SSL_do_handshake failed for good (e is SSL_get_error's verdict).  A fatal
 * alert from the peer is its answer whatever happened to the socket next;
 * otherwise what the socket saw decides between a network-level end and a
 * TLS-level one (a protocol error on our side, with or without an alert). */
static void handshake_failed(tls_job *t, int e)
{
    char reason[96];
    ssl_reason(t, reason, sizeof reason);
    if (t->alert_in_fatal) {
        set_error(t, "peer sent alert %s(%d)", alert_name(t->res.alert_received),
                  t->res.alert_received);
        finish_tls(t, TD_IO_DONE, 0);
    } else if (t->read_eof) {
        set_error(t, "EOF during the handshake");
        finish_tls(t, TD_IO_EOF, 0);
    } else if (t->read_errno) {
        sys_error(t, "during the handshake", t->read_errno);
        finish_tls(t, td_classify_io(t->read_errno), t->read_errno);
    } else if (e == SSL_ERROR_ZERO_RETURN) {
        /* A real close_notify: a FIN would have been read_eof. */
        set_error(t, "peer sent alert close_notify(0) during the handshake");
        finish_tls(t, TD_IO_DONE, 0);
    } else if (e == SSL_ERROR_SYSCALL) {
        int err = t->write_errno ? t->write_errno : EIO;
        sys_error(t, "during the handshake", err);
        finish_tls(t, t->write_errno ? td_classify_io(err) : TD_IO_ERROR, err);
    } else if (e == SSL_ERROR_SSL) {
        if (t->res.alert_sent >= 0)
            set_error(t, "%s (sent alert %s(%d))", reason, alert_name(t->res.alert_sent),
                      t->res.alert_sent);
        else
            set_error(t, "%s", reason);
        finish_tls(t, TD_IO_DONE, 0);
    } else {
        /* WANT_X509_LOOKUP, WANT_ASYNC, ...: the owner's context asked for
         * a callback style this job does not drive. */
        set_error(t, "OpenSSL wants to be called back (SSL_get_error %d), not supported", e);
        finish_tls(t, TD_IO_ERROR, EINVAL);
    }
}

/* SSL_read failed after the handshake.  Before the server's first
 * post-handshake record this is its reply to our Finished (and
 * certificate): a fatal alert, or a close when a certificate was asked
 * for, means it rejected the handshake. */
static void after_failed(tls_job *t)
{
    bool first = !t->record_after;
    if (t->alert_in_fatal) {
        char reason[96];
        ssl_reason(t, reason, sizeof reason);
        if (first)
            t->res.handshake_done = false;
        set_error(t, "peer sent alert %s(%d) %s", alert_name(t->res.alert_received),
                  t->res.alert_received,
                  first ? "in answer to the client's Finished" : "after the handshake");
        finish_tls(t, TD_IO_DONE, 0);
        return;
    }
    if (first && t->want_verdict && (t->read_eof || t->read_errno)) {
        t->res.handshake_done = false;
        int err = t->read_eof ? 0 : t->read_errno;
        if (t->read_eof)
            set_error(t, "EOF in answer to the client's certificate");
        else
            sys_error(t, "in answer to the client's certificate", err);
        finish_tls(t, t->read_eof ? TD_IO_EOF : td_classify_io(err), err);
        return;
    }
    /* The peer closing, or anything else once the handshake is settled,
     * only ends the wait for tickets. */
    finish_tls(t, TD_IO_DONE, 0);
}

/* ---- driving OpenSSL ------------------------------------------------------ */

static bool goals_met(tls_job *t)
{
    if (t->want_verdict && t->record_after)
        t->want_verdict = false;
    if (t->want_tickets && SSL_SESSION_is_resumable(SSL_get_session(t->ssl)))
        t->want_tickets = false;
    return !t->want_tickets && !t->want_verdict;
}

/* The job's timer covers the longest wait still open. */
static void arm_after_timer(tls_job *t)
{
    double now = td_now_ms(), end = now;
    if (t->want_tickets && t->tickets_end_ms > end)
        end = t->tickets_end_ms;
    if (t->want_verdict && t->verdict_end_ms > end)
        end = t->verdict_end_ms;
    td_job_timer_in(t->j, (end - now) / 1000.0);
}

static void after_step(tls_job *t)
{
    for (int i = 0; i < TD_TLS_READS_PER_WAKE; i++) {
        unsigned char buf[4096];
        ERR_clear_error();
        int n = SSL_read(t->ssl, buf, (int)sizeof buf);
        if (n > 0) {
            /* Application data nobody asked for: the server has answered,
             * the bytes themselves do not matter. */
            t->record_after = true;
            if (goals_met(t)) {
                finish_tls(t, TD_IO_DONE, 0);
                return;
            }
            continue;
        }
        int e = SSL_get_error(t->ssl, n);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            after_failed(t);
            return;
        }
        if (goals_met(t)) {
            finish_tls(t, TD_IO_DONE, 0);
            return;
        }
        td_job_watch(t->j, e == SSL_ERROR_WANT_READ ? EV_READ : EV_WRITE);
        return;
    }
    finish_tls(t, TD_IO_DONE, 0);
}

static void handshake_complete(tls_job *t)
{
    t->res.handshake_done = true;
    /* Before TLS 1.3 the client's handshake ends with the server's
     * Finished, so the server's verdict and any ticket are already in. */
    if (SSL_version(t->ssl) != TLS1_3_VERSION) {
        finish_tls(t, TD_IO_DONE, 0);
        return;
    }
    double now = td_now_ms();
    /* RFC 8446 section 4.6.1: tickets come after the handshake, in their
     * own post-handshake messages. */
    t->want_tickets = t->ticket_wait_s > 0;
    t->tickets_end_ms = now + t->ticket_wait_s * 1000.0;
    /* RFC 8446 section 4.4.2.4: the server judges the client's certificate
     * after the client is done, and may abort with certificate_required
     * (or another fatal alert) then.  Waiting for its next record tells a
     * rejection from an acceptance; a server that sends nothing at all
     * (no tickets) costs one step timeout. */
    t->want_verdict = t->cert_requested;
    t->verdict_end_ms = now + td_job_step_s(t->j) * 1000.0;
    t->after = true;
    if (goals_met(t)) {
        finish_tls(t, TD_IO_DONE, 0);
        return;
    }
    arm_after_timer(t);
    /* Straight to SSL_read: a record may already sit in OpenSSL's buffer
     * (read-ahead), where no readiness event would announce it. */
    after_step(t);
}

static void handshake_step(tls_job *t)
{
    ERR_clear_error();
    int rc = SSL_do_handshake(t->ssl);
    if (rc == 1) {
        handshake_complete(t);
        return;
    }
    int e = SSL_get_error(t->ssl, rc);
    if (e == SSL_ERROR_WANT_READ)
        td_job_watch(t->j, EV_READ);
    else if (e == SSL_ERROR_WANT_WRITE)
        td_job_watch(t->j, EV_WRITE);
    else
        handshake_failed(t, e);
}

/* ---- the job kind ----------------------------------------------------------- */

static void tls_local_failure(tls_job *t, const char *what, int err)
{
    char reason[96];
    ssl_reason(t, reason, sizeof reason);
    set_error(t, "%s failed: %s", what, reason);
    finish_tls(t, TD_IO_ERROR, err);
}

static void tls_connected(td_job *j)
{
    tls_job *t = j->kstate;
    ERR_clear_error();
    t->ssl = SSL_new(t->ctx);
    if (!t->ssl) {
        tls_local_failure(t, "SSL_new", ENOMEM);
        return;
    }
    BIO *b = BIO_new(sock_method);
    if (!b) {
        tls_local_failure(t, "BIO_new", ENOMEM);
        return;
    }
    BIO_set_data(b, t);
    BIO_set_init(b, 1);
    SSL_set_bio(t->ssl, b, b); /* one reference, for both directions */
    if (!SSL_set_ex_data(t->ssl, ex_index, t)) {
        tls_local_failure(t, "SSL_set_ex_data", ENOMEM);
        return;
    }
    t->chained_info = SSL_CTX_get_info_callback(t->ctx);
    SSL_set_info_callback(t->ssl, info_cb);
    SSL_set_msg_callback(t->ssl, msg_cb);
    SSL_set_msg_callback_arg(t->ssl, t);
    if (t->sni && !SSL_set_tlsext_host_name(t->ssl, t->sni)) {
        tls_local_failure(t, "SSL_set_tlsext_host_name", EINVAL);
        return;
    }
    /* SSL_set_alpn_protos returns 0 on success, unlike its neighbours. */
    if (t->alpn && SSL_set_alpn_protos(t->ssl, t->alpn, (unsigned)t->alpn_len) != 0) {
        tls_local_failure(t, "SSL_set_alpn_protos", EINVAL);
        return;
    }
    if (t->session && !SSL_set_session(t->ssl, t->session)) {
        tls_local_failure(t, "SSL_set_session", EINVAL);
        return;
    }
    /* The job never sends close_notify: it ends connections by closing
     * them, and an owner calling SSL_shutdown on the closed socket from its
     * callback must not try either. */
    SSL_set_quiet_shutdown(t->ssl, 1);
    /* Otherwise OpenSSL 3 answers a FIN with a decode_error alert written
     * into the closed connection, which would show up as an alert we
     * "sent"; the BIO has already recorded the FIN for the diagnosis. */
    SSL_set_options(t->ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_set_connect_state(t->ssl);
    /* A fresh connection is writable: the ClientHello goes out now. */
    handshake_step(t);
}

static void tls_ready(td_job *j, int revents)
{
    (void)revents;
    tls_job *t = j->kstate;
    if (t->after)
        after_step(t);
    else
        handshake_step(t);
}

static void tls_timeout(td_job *j)
{
    tls_job *t = j->kstate;
    if (!t->after) {
        if (td_job_overrun(j))
            set_error(t, "handshake not finished within %d step timeouts (%.3g s), though bytes kept coming",
                      TD_SCHED_JOB_STEPS, TD_SCHED_JOB_STEPS * td_job_step_s(j));
        else
            set_error(t, "no progress within %.3g s during the handshake", td_job_step_s(j));
        finish_tls(t, TD_IO_TIMEOUT, ETIMEDOUT);
        return;
    }
    /* A wait whose time is up is no longer wanted; the handshake stands. */
    double now = td_now_ms();
    if (t->want_tickets && now >= t->tickets_end_ms - 1)
        t->want_tickets = false;
    if (t->want_verdict && now >= t->verdict_end_ms - 1)
        t->want_verdict = false;
    if (!t->want_tickets && !t->want_verdict) {
        finish_tls(t, TD_IO_DONE, 0);
        return;
    }
    arm_after_timer(t);
}

static void tls_free(tls_job *t)
{
    SSL_free(t->ssl);
    SSL_SESSION_free(t->session);
    SSL_CTX_free(t->ctx);
    free(t->sni);
    free(t->alpn);
    free(t);
}

static void tls_report(td_job *j, const td_io_result *r)
{
    tls_job *t = j->kstate;
    if (!t->res.error[0] && r->leadin_index >= 0) {
        if (r->status == TD_IO_LEADIN)
            set_error(t, "%s lead-in failed: %s", r->leadin_name, r->leadin_why);
        else
            set_error(t, "%s during the %s lead-in", td_io_status_name(r->status), r->leadin_name);
    }
    if (!t->res.error[0]) {
        switch (r->status) {
        case TD_IO_DONE:
            break;
        case TD_IO_REFUSED: set_error(t, "TCP connect: connection refused"); break;
        case TD_IO_CONNECT_TIMEOUT: set_error(t, "TCP connect: no answer"); break;
        case TD_IO_UNREACHABLE: set_error(t, "TCP connect: unreachable"); break;
        case TD_IO_DEADLINE:
            set_error(t, "deadline passed %s",
                      r->connect_ms < 0 ? "before the connection was made"
                      : t->after        ? "while waiting after the handshake"
                                        : "during the handshake");
            break;
        default:
            sys_error(t, r->connect_ms < 0 ? "on connect" : NULL, r->sys_errno);
            break;
        }
    }
    /* SSL_free treats a connection closed without close_notify as a bad
     * one and marks its session not resumable, under the owner who may be
     * keeping it.  The close is deliberate, and since TLS 1.1 it is no
     * reason to refuse resumption (RFC 4346 section 7.2.1); only sessions
     * of failed handshakes should stay unusable. */
    if (t->ssl && t->res.handshake_done)
        SSL_set_shutdown(t->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    t->res.cert_requested = t->cert_requested;
    t->cb(t->cb_ctx, r, &t->res, t->ssl);
    tls_free(t);
}

static const td_job_kind tls_kind = {
    .connected = tls_connected,
    .ready = tls_ready,
    .timeout = tls_timeout,
    .report = tls_report,
};

int td_sched_submit_tls(td_sched *s, const td_addr *addr, const td_tls_opts *o, td_on_tls_done cb,
                        void *ctx)
{
    if (!s || !addr || !o || !o->ctx || !cb)
        return -1;
    if (!isfinite(o->ticket_wait_s) || o->ticket_wait_s < 0 || !isfinite(o->delay_s) || o->delay_s < 0)
        return -1;
    size_t sni_len = o->sni ? strlen(o->sni) : 0;
    if (sni_len > TD_SNI_MAX)
        return -1;
    if (o->alpn && o->alpn_len && !td_alpn_list_ok(o->alpn, o->alpn_len))
        return -1;
    if (!CRYPTO_THREAD_run_once(&init_once, do_init) || !sock_method)
        return -1;

    td_job *j = td_job_new(s, addr, 0);
    if (!j)
        return -1;
    tls_job *t = calloc(1, sizeof *t);
    if (!t) {
        free(j);
        return -1;
    }
    t->j = j;
    t->ticket_wait_s = o->ticket_wait_s;
    t->cb = cb;
    t->cb_ctx = ctx;
    t->res.alert_received = t->res.alert_sent = -1;
    if (sni_len) {
        t->sni = strdup(o->sni);
        if (!t->sni)
            goto oom;
    }
    if (o->alpn && o->alpn_len) {
        t->alpn = malloc(o->alpn_len);
        if (!t->alpn)
            goto oom;
        memcpy(t->alpn, o->alpn, o->alpn_len);
        t->alpn_len = o->alpn_len;
    }
    /* The owner may free its context and session once submitted; the job
     * holds both until its report is done. */
    if (!SSL_CTX_up_ref(o->ctx))
        goto oom;
    t->ctx = o->ctx;
    if (o->session) {
        if (!SSL_SESSION_up_ref(o->session))
            goto oom;
        t->session = o->session;
    }
    j->kind = &tls_kind;
    j->kstate = t;
    if (o->delay_s > 0)
        td_sched_enqueue_later(s, j, o->delay_s);
    else
        td_sched_enqueue(s, j);
    return 0;

oom:
    tls_free(t);
    free(j);
    return -1;
}
