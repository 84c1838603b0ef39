/* Confirming cuts before they count.
 *
 * A server, or a device in front of it, may cut connections it would
 * answer at another time: a limit of N connections per so many seconds
 * that resets the rest, an accept queue that leaves some unanswered.  A
 * probe whose connection is cut (reset, closed, left without an answer or
 * refused, no byte back) while the server answers other connections
 * therefore does not end there: its exact bytes (or handshake) go out
 * again on a fresh connection after a pause, and the cut counts only when
 * it repeats while the server keeps answering a hello it answered before
 * (a control).  When every connection is cut for a while (a spell), the
 * check slows down (the scheduler's rate) and asks again what was cut once
 * the server answers; when cuts come and go at random, no cut counts,
 * silence is taken for a cut sooner than the step timeout, and a probe cut
 * on every try ends LIMITED (not tested).  What was seen goes
 * into td_limit for the rules (RATE_LIMITED).
 *
 * The probes hand their jobs to this layer instead of the scheduler and
 * hear of each job once, when it is settled. */
#ifndef TD_PROBE_CONFIRM_H
#define TD_PROBE_CONFIRM_H

#include <stdbool.h>

#include "../net/net.h"
#include "../obs/obs.h"

typedef struct td_confirm td_confirm;

/* How a settled probe was asked: what goes into its observation. */
typedef struct td_tries {
    td_retry retry;
    bool limited; /* cut on every try while the server cut others it answers: not tested */
} td_tries;

/* Called once per probe when it is settled, with its last connection's
 * result.  tls and ssl as for td_on_tls_done; ssl is NULL for a result
 * settled after its connection was gone. */
typedef void (*td_confirm_done)(void *ctx, const td_io_result *io, const td_tries *t);
typedef void (*td_confirm_tls_done)(void *ctx, const td_io_result *io, const td_tls_result *tls, SSL *ssl,
                                    const td_tries *t);

/* For jobs to server (hellos; handshakes may go to other addresses too),
 * on s; fills lim.  NULL when out of memory. */
td_confirm *td_confirm_new(td_sched *s, const td_addr *server, td_limit *lim);
/* A hello to the server: as td_sched_submit (low: td_sched_submit_low).
 * Returns 0 or -1. */
int td_confirm_submit(td_confirm *c, bool low, const uint8_t *out, size_t len, td_on_data on_data,
                      td_confirm_done done, void *ctx);
/* A handshake: as td_sched_submit_tls.  Returns 0 or -1. */
int td_confirm_submit_tls(td_confirm *c, const td_addr *addr, const td_tls_opts *o, td_confirm_tls_done done,
                          void *ctx);
/* After td_sched_run returned: settles what is still held (cut before
 * anything was answered: asked once more when that costs no wait; held at
 * the deadline).  Returns true when it settled or resubmitted anything:
 * run the scheduler again, then flush again. */
bool td_confirm_flush(td_confirm *c);
/* Every probe must have been settled (flush until false). */
void td_confirm_free(td_confirm *c);

/* What a settled probe's observation says: the retry record, and LIMITED
 * instead of the cut when it was never answered cleanly. */
void td_tries_apply(const td_tries *t, td_outcome *out, td_retry *dst);

#endif
