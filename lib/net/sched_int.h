/* Inside the scheduler: what a job kind other than "write bytes, feed
 * reads to on_data" (tlsjob.c) needs to share sched.c's one queue,
 * concurrency cap, step timeout and deadline.  Not part of the library's
 * interface; only lib/net/ includes it.
 *
 * sched.c still owns every job's life: it queues it, connects it, counts
 * the connection, and ends it in td_job_finish(), which closes the socket
 * and frees the job.  A kind takes over once TCP is up and supplies the
 * report that tells its owner. */
#ifndef TD_SCHED_INT_H
#define TD_SCHED_INT_H

#include "net/net.h"

#include <ev.h>

typedef enum {
    JOB_QUEUED,
    JOB_CONNECTING,
    JOB_WRITING,
    JOB_READING,
    JOB_LEADIN, /* connected, running the lead-ins (leadin.c) */
    JOB_KIND    /* connected, driven by j->kind */
} td_job_state;

typedef struct td_job td_job;
typedef struct td_leadin_run td_leadin_run;

typedef struct td_job_kind {
    /* TCP is up: state is JOB_KIND, t_connected is set and the step timer
     * runs.  May end the job. */
    void (*connected)(td_job *j);
    /* Readiness of the socket in JOB_KIND.  May end the job. */
    void (*ready)(td_job *j, int revents);
    /* The job's timer fired in JOB_KIND; NULL means "finish with TIMEOUT". */
    void (*timeout)(td_job *j);
    /* Called once from td_job_finish, socket closed and job unlinked: tell
     * the owner and release j->kstate (not j itself).  Runs for jobs that
     * never left the queue too (deadline, td_sched_free). */
    void (*report)(td_job *j, const td_io_result *r);
} td_job_kind;

struct td_job {
    td_job *next, *prev; /* in the queue (next only) or the in-flight list */
    td_sched *s;
    td_job_state state;
    int fd;
    ev_io io;
    ev_timer tm;
    td_addr addr;
    td_on_data on_data;
    td_on_done on_done;
    void *ctx;
    bool low;                /* queued behind every normal job */
    double due;              /* submitted for later: monotonic ms it may start at */
    unsigned seq;            /* its connection's number, 0 until it connects */
    const td_job_kind *kind; /* NULL: a byte job */
    void *kstate;            /* the kind's own state */
    /* Monotonic ms, -1 until it happens; a kind that does its own I/O keeps
     * t_sent, t_first and bytes_in up to date so td_io_result means the
     * same for every job. */
    double t_start, t_connected, t_sent, t_first;
    double t_bound;          /* when a connected job ends whatever it moves (TD_SCHED_JOB_STEPS); -1 none */
    size_t bytes_in;
    /* Lead-ins: the chain as it was when the job was submitted, and while
     * (and after) it runs, its state and the peer's bytes that followed it. */
    td_leadin leadins[TD_LEADIN_MAX];
    unsigned n_leadins;
    td_addr via;             /* where to connect when has_via (a proxy) */
    bool has_via;
    td_leadin_run *lr;       /* NULL until connected */
    double t_leadin;         /* when the chain ended, -1 until then */
    size_t out_len, out_off;
    uint8_t out[]; /* the copy of the caller's bytes */
};

double td_now_ms(void);

/* The token bucket behind td_sched_set_rate(): rate tokens a second, at
 * most burst of them; one is taken per connection started.  Times are
 * monotonic ms.  A rate of 0 means no limit (every take succeeds). */
typedef struct td_bucket {
    double rate, burst, tokens, t_ms;
} td_bucket;

/* Starts full: the first connection never waits. */
void td_bucket_init(td_bucket *b, double rate, double burst, double now_ms);
/* A new rate from now on; tokens earned so far are kept (up to burst),
 * except when going from no limit to one: then the bucket starts empty,
 * since connections were just being made freely. */
void td_bucket_set_rate(td_bucket *b, double rate, double now_ms);
/* Milliseconds until a token is there, 0 when one is. */
double td_bucket_wait_ms(td_bucket *b, double now_ms);
/* Takes a token when there is one. */
bool td_bucket_take(td_bucket *b, double now_ms);
td_io_status td_classify_io(int err);

/* A job in state JOB_QUEUED with room for out_len bytes, or NULL. */
td_job *td_job_new(td_sched *s, const td_addr *addr, size_t out_len);
/* Queues it and starts it at once if a slot is free. */
void td_sched_enqueue(td_sched *s, td_job *j);
/* Queues it for delay_s from now, then at the front of its queue. */
void td_sched_enqueue_later(td_sched *s, td_job *j, double delay_s);
/* Ends the job exactly once; j is freed on return. */
void td_job_finish(td_job *j, td_io_status st, int err);
/* Watches the socket for exactly these events (EV_READ, EV_WRITE). */
void td_job_watch(td_job *j, int events);
/* Restarts the job's timer for a full step timeout, or less when the job's
 * bound (TD_SCHED_JOB_STEPS) comes first. */
void td_job_step_timer(td_job *j);
/* The job's bound has passed: its timer fired for that, not for a quiet
 * step. */
bool td_job_overrun(const td_job *j);
/* Restarts the job's timer to fire after secs; later td_job_step_timer()
 * calls go back to the step timeout. */
void td_job_timer_in(td_job *j, double secs);
double td_job_step_s(const td_job *j);

/* ---- lead-ins (leadin.c) ---- */
/* TCP is up and the job has lead-ins: state JOB_LEADIN; runs them, then
 * calls td_job_proceed().  May end the job. */
void td_leadin_connected(td_job *j);
/* Readiness in JOB_LEADIN.  May end the job. */
void td_leadin_ready(td_job *j, int revents);
/* The bytes the peer sent after the chain, not yet taken: up to len of
 * them are copied to buf; returns how many. */
size_t td_leadin_take(td_job *j, uint8_t *buf, size_t len);
/* Fills the lead-in part of a result, and frees the run. */
void td_leadin_end(td_job *j, td_io_result *r);
/* The connection is the job's now (after its lead-ins, or at once without
 * any): a kind's connected(), or a byte job's writing.  May end the job. */
void td_job_proceed(td_job *j);

#endif
