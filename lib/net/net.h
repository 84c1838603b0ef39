/* Sockets, time and names: the only place that does network I/O.
 *
 * The scheduler runs jobs on one libev loop: each job connects to an
 * address, writes its bytes, and hands whatever it reads to the job's
 * on_data callback (a wire-engine parser) until that says it is done, the
 * peer closes or resets, or a timeout fires.  At most max_conns jobs are in
 * flight; callbacks may submit further jobs, which is how probes chain. */
#ifndef TD_NET_H
#define TD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "net/leadin.h"
#include "obs/addr.h"


/* How a job ended, from the network's point of view. */
typedef enum {
    TD_IO_DONE,            /* on_data said done */
    TD_IO_REFUSED,         /* ECONNREFUSED on connect */
    TD_IO_CONNECT_TIMEOUT, /* no answer to SYN within the step timeout */
    TD_IO_UNREACHABLE,     /* EHOSTUNREACH / ENETUNREACH / EADDRNOTAVAIL */
    TD_IO_RESET,           /* ECONNRESET / EPIPE after connecting */
    TD_IO_EOF,             /* the peer closed (FIN) before on_data was done */
    TD_IO_TIMEOUT,         /* connected, but no (further) bytes within the step timeout */
    TD_IO_DEADLINE,        /* the run's total deadline passed */
    TD_IO_LEADIN,          /* a lead-in (proxy, STARTTLS) failed: see leadin_* */
    TD_IO_ERROR            /* anything else; see sys_errno */
} td_io_status;

typedef struct td_io_result {
    td_io_status status;
    int sys_errno;
    double connect_ms;  /* time to establish TCP, -1 if never */
    double first_ms;    /* time from sending to the first byte back, -1 if none */
    double total_ms;
    size_t bytes_in;
    unsigned seq;       /* the scheduler's seq-th connection (from 1, in the order they
                           started), 0 when the job never connected */
    double start_ms;    /* when it started, ms after the scheduler's first run; -1 if never */
    /* Lead-ins (leadin.h).  connect_ms is the TCP connect alone; first_ms,
     * bytes_in and the job's bound count from the end of the chain. */
    double leadin_ms;   /* from the connect to the end of the chain, -1 if it never ended (or none) */
    int leadin_index;   /* the lead-in that failed, or was waiting when the job ended; -1 none */
    const char *leadin_name;            /* its ops' name, NULL none */
    char leadin_why[TD_LEADIN_WHY_MAX]; /* TD_IO_LEADIN: why, in the protocol's terms */
} td_io_result;

typedef enum { TD_WANT_READ, TD_WANT_DONE } td_want;

/* Gets every chunk read.  Must not block. */
typedef td_want (*td_on_data)(void *ctx, const uint8_t *data, size_t len);
/* Called exactly once per job, after the socket is closed. */
typedef void (*td_on_done)(void *ctx, const td_io_result *res);

typedef struct td_sched td_sched;

/* Every wait (the connect, each read or write) ends after the step
 * timeout, and any bytes moved start a new one.  A peer that sends a byte
 * now and then would thus hold a job until the deadline, so a connected
 * job also ends, with TD_IO_TIMEOUT, once TD_SCHED_JOB_STEPS step timeouts
 * have passed since it connected, however much it is still moving: a
 * handshake takes a few round trips, none of them a whole step. */
#define TD_SCHED_JOB_STEPS 3

typedef struct td_sched_opts {
    unsigned max_conns;      /* concurrent connections, >= 1 (default 8) */
    double step_timeout_s;   /* connect, and each wait for bytes (default 5) */
    double deadline_s;       /* whole run (default 60); 0 = none */
    double rate;             /* new connections per second at most (default 0 = no limit) */
} td_sched_opts;

td_sched *td_sched_new(const td_sched_opts *opts);
/* Queues a job; the bytes are copied.  Returns 0 or -1 (out of memory). */
int td_sched_submit(td_sched *s, const td_addr *addr, const uint8_t *out, size_t out_len,
                    td_on_data on_data, td_on_done on_done, void *ctx);
/* The same at low priority: the job starts only when no normal job is
 * waiting for a slot.  For work nothing else waits on, so that it fills
 * idle slots without delaying the jobs a chain of probes depends on. */
int td_sched_submit_low(td_sched *s, const td_addr *addr, const uint8_t *out, size_t out_len,
                        td_on_data on_data, td_on_done on_done, void *ctx);
/* The same for a job that has waited once already (a repeat): it starts no
 * sooner than delay_s from now, and then goes to the front of its queue
 * (the normal one, or with low the low-priority one). */
int td_sched_submit_later(td_sched *s, double delay_s, bool low, const td_addr *addr, const uint8_t *out,
                          size_t out_len, td_on_data on_data, td_on_done on_done, void *ctx);
/* Limits how fast connections start, from now on: per_s connections a
 * second at most, one at a time (a token bucket one token deep); 0 lifts
 * the limit.  Connects waiting for their turn still end at the deadline. */
void td_sched_set_rate(td_sched *s, double per_s);
double td_sched_rate(const td_sched *s); /* 0 = no limit */
/* A new step timeout (> 0) for every wait that starts from now on, in
 * connections already open too; waits under way keep theirs. */
void td_sched_set_step_timeout(td_sched *s, double secs);
double td_sched_step_timeout(const td_sched *s);
/* The chain of lead-ins (leadin.h) every job submitted from now on runs
 * after its connect: n entries (0 clears it), copied, though each entry's
 * cfg and via must outlive the jobs.  Returns 0, or -1 for more than
 * TD_LEADIN_MAX entries or an entry without ops, start or feed. */
int td_sched_set_leadins(td_sched *s, const td_leadin *chain, size_t n);
/* The chain jobs submitted now would run: up to max entries copied to out;
 * returns how many there are.  A job that must not run all of it (a fetch
 * from another host) sets a shorter chain around its submission. */
size_t td_sched_get_leadins(const td_sched *s, td_leadin *out, size_t max);
/* Runs until no job is queued or in flight, or the deadline passes (queued
 * jobs then finish with TD_IO_DEADLINE).  Returns 0, -1 on internal error. */
int td_sched_run(td_sched *s);
unsigned td_sched_connections(const td_sched *s); /* connect() calls made so far */
double td_sched_elapsed_ms(const td_sched *s);
void td_sched_free(td_sched *s);
const char *td_io_status_name(td_io_status st); /* "refused", "timeout", ... */

/* ---- full TLS handshakes through OpenSSL ----------------------------------
 *
 * A TLS job is a job like the others (same queue, concurrency cap, step
 * timeout, deadline, connection count), but after the TCP connect OpenSSL
 * drives the socket: SSL_do_handshake on readiness, never blocking.  Used
 * where the local OpenSSL's own handshake is the point: the TLS 1.3
 * certificate chain, OCSP staples, client certificates, ALPN, resumption. */
typedef struct td_tls_opts {
    SSL_CTX *ctx;                 /* the caller's, referenced by the job: verification
                                     (typically SSL_VERIFY_NONE, so any chain arrives),
                                     versions, client certificate */
    const char *sni;              /* NULL or "": no SNI; at most 255 bytes; copied */
    const unsigned char *alpn;    /* ALPN protocol list in wire format (RFC 7301), or NULL; copied */
    size_t alpn_len;
    SSL_SESSION *session;         /* to offer for resumption, or NULL (the job takes its own reference) */
    double ticket_wait_s;         /* after a TLS 1.3 handshake, keep reading up to this long so
                                     NewSessionTicket messages arrive (0 = don't) */
    double delay_s;               /* > 0: a repeat, queued as td_sched_submit_later() does */
} td_tls_opts;

typedef struct td_tls_result {
    /* The handshake completed as far as the client can tell.  In TLS 1.3 the
     * client is done before the server has checked the client's second
     * flight (RFC 8446 section 4.4.2.4: a server may answer a missing or bad
     * client certificate with a fatal alert after that), so when the server
     * asked for a certificate the job reads on until the server's next
     * record; a fatal alert (or a close) instead of one means the server
     * rejected the handshake, and this is false. */
    bool handshake_done;
    bool cert_requested;          /* the server sent a CertificateRequest (RFC 8446 4.3.2, RFC 5246 7.4.4) */
    int alert_received;           /* alert description the peer sent (fatal or the first warning), -1 none */
    int alert_sent;               /* alert we sent (e.g. bad_certificate), -1 none */
    unsigned hrrs;                /* HelloRetryRequests received: a second one breaks RFC 8446
                                     section 4.1.4, and OpenSSL then aborts */
    unsigned long ssl_err;        /* first queued OpenSSL error at failure, 0 none */
    char error[160];              /* "peer sent alert handshake_failure(40)", "EOF during the
                                     handshake", "wrong version number", ...; "" when all went well */
} td_tls_result;

/* The job sets its own message callback on the SSL (to count
 * HelloRetryRequests), so one set on the caller's context is not called.
 *
 * Called exactly once, after the socket is closed.  ssl is valid only
 * during the call (NULL when no TLS object was made, e.g. the connect
 * failed or the job never left the queue); the callback may keep
 * references (SSL_get1_session, SSL_get1_peer_certificate, up_ref the chain
 * from SSL_get_peer_cert_chain).  io->status is TD_IO_DONE for every TLS
 * outcome, success or not (alert, protocol error), and the network-level
 * status otherwise (refused, reset, EOF, timeout, deadline, ...). */
typedef void (*td_on_tls_done)(void *ctx, const td_io_result *io, const td_tls_result *tls, SSL *ssl);
/* Queues a TLS job; o's pointers need to live only during the call.
 * Returns 0, or -1 on bad options (no ctx or cb, malformed ALPN list, SNI
 * over 255 bytes, negative or NaN ticket_wait_s or delay_s) or out of
 * memory. */
int td_sched_submit_tls(td_sched *s, const td_addr *addr, const td_tls_opts *o, td_on_tls_done cb,
                        void *ctx);

/* Resolves host (name or numeric) to at most max addresses.  dns_server is
 * the address and port of a server to ask instead of the system's (used by
 * tests with a resolver on loopback), NULL for the system configuration
 * (/etc/hosts, then resolv.conf).  Returns 0; or -1 with err filled:
 * "no such host", "no address", "timed out", ... */
int td_resolve(const char *host, uint16_t port, const td_addr *dns_server, double timeout_s,
               td_addr *out, size_t max, size_t *n_out, char *err, size_t errlen);

#endif
