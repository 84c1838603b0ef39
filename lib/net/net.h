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

typedef struct td_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    char text[64]; /* "127.0.0.1" or "::1" */
} td_addr;

/* Parses a numeric IPv4/IPv6 address (no brackets). */
bool td_addr_from_ip(const char *ip, uint16_t port, td_addr *out);

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
    TD_IO_ERROR            /* anything else; see sys_errno */
} td_io_status;

typedef struct td_io_result {
    td_io_status status;
    int sys_errno;
    double connect_ms;  /* time to establish TCP, -1 if never */
    double first_ms;    /* time from sending to the first byte back, -1 if none */
    double total_ms;
    size_t bytes_in;
} td_io_result;

typedef enum { TD_WANT_READ, TD_WANT_DONE } td_want;

/* Gets every chunk read.  Must not block. */
typedef td_want (*td_on_data)(void *ctx, const uint8_t *data, size_t len);
/* Called exactly once per job, after the socket is closed. */
typedef void (*td_on_done)(void *ctx, const td_io_result *res);

typedef struct td_sched td_sched;

typedef struct td_sched_opts {
    unsigned max_conns;      /* concurrent connections, >= 1 (default 8) */
    double step_timeout_s;   /* connect, and each wait for bytes (default 5) */
    double deadline_s;       /* whole run (default 60); 0 = none */
} td_sched_opts;

td_sched *td_sched_new(const td_sched_opts *opts);
/* Queues a job; the bytes are copied.  Returns 0 or -1 (out of memory). */
int td_sched_submit(td_sched *s, const td_addr *addr, const uint8_t *out, size_t out_len,
                    td_on_data on_data, td_on_done on_done, void *ctx);
/* Runs until no job is queued or in flight, or the deadline passes (queued
 * jobs then finish with TD_IO_DEADLINE).  Returns 0, -1 on internal error. */
int td_sched_run(td_sched *s);
unsigned td_sched_connections(const td_sched *s); /* connect() calls made so far */
double td_sched_elapsed_ms(const td_sched *s);
void td_sched_free(td_sched *s);
const char *td_io_status_name(td_io_status st); /* "refused", "timeout", ... */

/* Resolves host (name or numeric) to at most max addresses.  dns_server is
 * "IP" or "IP:PORT" to ask that server instead of the system's (used by
 * tests with a resolver on loopback), NULL for the system configuration
 * (/etc/hosts, then resolv.conf).  Returns 0; or -1 with err filled:
 * "no such host", "no address", "timed out", ... */
int td_resolve(const char *host, uint16_t port, const char *dns_server, double timeout_s,
               td_addr *out, size_t max, size_t *n_out, char *err, size_t errlen);

#endif
