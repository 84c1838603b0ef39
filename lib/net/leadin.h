/* Lead-ins: bytes exchanged on a fresh TCP connection before the job's own
 * work -- a proxy's CONNECT, a STARTTLS upgrade.
 *
 * A lead-in kind is an engine that does no I/O (in the manner of BearSSL's
 * engines): the scheduler moves the bytes, the engine only says what to send
 * and judges what came back.  Its state is a block of state_size bytes the
 * scheduler allocates (zeroed) per connection, so one engine serves any
 * number of connections at once.
 *
 * A scheduler has one chain of lead-ins (td_sched_set_leadins); every job
 * submitted afterwards, byte jobs and TLS jobs alike, runs the whole chain in
 * order on its own connection (a proxy first, then STARTTLS through it)
 * before its first byte.  Each wait for the peer is under the step timeout,
 * and the whole chain under the job's bound (TD_SCHED_JOB_STEPS step
 * timeouts from the connect); the job's own work then gets a fresh bound.
 *
 * Bytes the peer sent after a lead-in completed go to the next lead-in, and
 * after the last one to the job (its on_data, or OpenSSL's first reads),
 * unless the last lead-in says none may follow: a TLS server must not speak
 * before the ClientHello, and a STARTTLS server that does is answering
 * commands injected before the upgrade (CVE-2011-0411), so the job fails.
 *
 * A lead-in that fails ends the job with TD_IO_LEADIN; td_io_result then
 * says which (leadin_index, leadin_name) and why (leadin_why).  A network
 * failure during the chain (timeout, reset, close) keeps its own status, and
 * leadin_index says which lead-in was waiting then. */
#ifndef TD_LEADIN_H
#define TD_LEADIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obs/addr.h"

/* At most this many bytes per send: a CONNECT with its headers, an XMPP
 * stream header, a run of pipelined commands. */
#define TD_LEADIN_OUT_MAX 2048
#define TD_LEADIN_WHY_MAX 160
/* Lead-ins per chain. */
#define TD_LEADIN_MAX 4

typedef enum {
    TD_LEADIN_MORE, /* wants more bytes from the peer (maybe after sending io->out) */
    TD_LEADIN_DONE, /* complete: the connection is the job's (after sending io->out) */
    TD_LEADIN_FAIL  /* the peer refused or broke the protocol: io->why says how */
} td_leadin_rc;

/* What a call asks of the scheduler.  Zeroed before every call. */
typedef struct td_leadin_io {
    uint8_t out[TD_LEADIN_OUT_MAX]; /* bytes to send now, in order */
    size_t out_len;
    /* feed: bytes of the input used.  With MORE every byte counts as used
     * (the engine keeps partial lines in its state); with DONE the bytes
     * after `used` belong to what follows the lead-in. */
    size_t used;
    char why[TD_LEADIN_WHY_MAX]; /* FAIL: in the protocol's own terms,
                                    "STARTTLS not in the EHLO answer" */
} td_leadin_io;

typedef struct td_leadin_ops {
    const char *name;  /* "smtp", "http-connect", ...: shown with a failure */
    size_t state_size; /* bytes of state per connection, zeroed before start */
    bool trailing_ok;  /* bytes may follow the lead-in's last answer */
    /* On a fresh connection.  cfg is the chain entry's; target the address
     * the job was submitted for.  Usually MORE, with bytes to send or with
     * none (the server speaks first: a banner); DONE when there is nothing
     * to exchange. */
    td_leadin_rc (*start)(void *state, const void *cfg, const td_addr *target, td_leadin_io *io);
    /* Bytes read, in any split: a reply may come a byte at a time or several
     * replies in one read. */
    td_leadin_rc (*feed)(void *state, const uint8_t *in, size_t len, td_leadin_io *io);
} td_leadin_ops;

typedef struct td_leadin {
    const td_leadin_ops *ops;
    const void *cfg;     /* the engine's configuration; must outlive the jobs */
    const td_addr *via;  /* non-NULL: connect here rather than to the job's
                            address (a proxy); only the chain's first entry's counts */
} td_leadin;

/* For engines: writes the reason into io->why, printf-style, and returns
 * TD_LEADIN_FAIL. */
td_leadin_rc td_leadin_fail(td_leadin_io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Runs one engine over a whole script, as the scheduler would with every
 * read split at the given points: for tests and fuzzing, and a statement of
 * the protocol between the scheduler and an engine.  in is what the peer
 * sends; the engine's sends are appended to out (up to out_cap).  Returns
 * the final verdict (MORE when the input ran out first); *used is the
 * number of input bytes the engine took (the rest follows the lead-in). */
td_leadin_rc td_leadin_simulate(const td_leadin_ops *ops, const void *cfg, const td_addr *target, const uint8_t *in,
                           size_t in_len, size_t split, uint8_t *out, size_t out_cap, size_t *out_len,
                           size_t *used, char *why, size_t why_len);

#endif
