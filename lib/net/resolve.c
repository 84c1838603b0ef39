/* Name resolution with c-ares.
 *
 * This runs once per target, before any probing, so a blocking wait bounded
 * by the timeout is acceptable: a small poll() loop drives the channel.
 * c-ares rather than getaddrinfo() because its errors say what the DNS
 * answered (NXDOMAIN vs no answer vs refused), which is itself a finding,
 * and because it can be pointed at one given server. */
#include "net/net.h"

#include <arpa/inet.h>
#include <ares.h>
#include <ev.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DEF_TIMEOUT_S 5.0
/* 253 is the longest DNS name, plus an optional root dot. */
#define MAX_HOST_LEN 254

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_rc = ARES_ENOTINITIALIZED;

static void lib_init(void)
{
    /* Process-wide and never undone: c-ares keeps no per-init state worth
     * releasing, and tearing it down under a concurrent resolve would be
     * worse than the few bytes it holds. */
    lib_rc = ares_library_init(ARES_LIB_INIT_ALL);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* c-ares takes its servers as text, "IP:PORT" or "[IPv6]:PORT"; the
 * address is typed everywhere else. */
static bool server_csv(const td_addr *server, char *csv, size_t csvlen)
{
    if (server->ss.ss_family != AF_INET && server->ss.ss_family != AF_INET6)
        return false;
    return td_hostport(csv, csvlen, server->text, td_addr_port(server));
}

static bool is_localhost(const char *host)
{
    size_t n = strnlen(host, MAX_HOST_LEN + 1);
    if (n && host[n - 1] == '.')
        n--;
    static const char lh[] = "localhost";
    size_t l = sizeof lh - 1;
    if (n < l || strncasecmp(host + n - l, lh, l) != 0)
        return false;
    return n == l || host[n - l - 1] == '.';
}

typedef struct lookup {
    bool done;
    int status;
    uint16_t port;
    td_addr *out;
    size_t max, n;
} lookup;

static bool same_addr(const td_addr *a, const td_addr *b)
{
    if (a->ss.ss_family != b->ss.ss_family)
        return false;
    if (a->ss.ss_family == AF_INET)
        return !memcmp(&((const struct sockaddr_in *)&a->ss)->sin_addr,
                       &((const struct sockaddr_in *)&b->ss)->sin_addr, sizeof(struct in_addr));
    return !memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
                   &((const struct sockaddr_in6 *)&b->ss)->sin6_addr, sizeof(struct in6_addr));
}

static void add_node(lookup *lk, const struct ares_addrinfo_node *nd)
{
    td_addr a;
    if (!td_addr_from_sockaddr(nd->ai_addr, (socklen_t)nd->ai_addrlen, lk->port, &a))
        return;
    /* The same address comes back once per socket type or per hosts line;
     * probing it twice would only cost time. */
    for (size_t i = 0; i < lk->n; i++)
        if (same_addr(&lk->out[i], &a))
            return;
    if (lk->n < lk->max)
        lk->out[lk->n++] = a;
}

static void on_result(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    (void)timeouts;
    lookup *lk = arg;
    lk->done = true;
    lk->status = status;
    if (status == ARES_SUCCESS && res)
        for (const struct ares_addrinfo_node *nd = res->nodes; nd; nd = nd->ai_next)
            add_node(lk, nd);
    if (res)
        ares_freeaddrinfo(res);
}

/* Waits for the lookup, at most until `deadline`.  Returns false when the
 * time ran out (the query is then cancelled, which completes it). */
static bool drive(ares_channel ch, lookup *lk, double deadline)
{
    while (!lk->done) {
        double left = deadline - mono_s();
        if (left <= 0) {
            ares_cancel(ch);
            return false;
        }
        ares_socket_t socks[ARES_GETSOCK_MAXNUM];
        struct pollfd pfd[ARES_GETSOCK_MAXNUM];
        /* Tested as unsigned by hand: c-ares' own macros shift a signed 1
         * into the sign bit for the last socket, which is undefined. */
        unsigned bits = (unsigned)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
        nfds_t n = 0;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
            short ev = 0;
            if (bits & (1u << i))
                ev |= POLLIN;
            if (bits & (1u << (i + ARES_GETSOCK_MAXNUM)))
                ev |= POLLOUT;
            if (ev) {
                pfd[n].fd = socks[i];
                pfd[n].events = ev;
                pfd[n].revents = 0;
                n++;
            }
        }

        struct timeval maxtv, tv;
        maxtv.tv_sec = (time_t)left;
        maxtv.tv_usec = (suseconds_t)((left - (double)maxtv.tv_sec) * 1e6);
        struct timeval *tvp = ares_timeout(ch, &maxtv, &tv);
        long ms = (long)tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000;
        if (ms < 0)
            ms = 0;

        int r = poll(pfd, n, (int)ms);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            ares_cancel(ch);
            return true; /* reported as whatever the cancel says */
        }
        if (r == 0) {
            /* Nothing arrived: let c-ares retry or give up on its timers. */
            ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            continue;
        }
        for (nfds_t i = 0; i < n && !lk->done; i++) {
            if (!pfd[i].revents)
                continue;
            ares_socket_t rd = (pfd[i].revents & (POLLIN | POLLERR | POLLHUP)) ? pfd[i].fd
                                                                               : ARES_SOCKET_BAD;
            ares_socket_t wr = (pfd[i].revents & (POLLOUT | POLLERR)) ? pfd[i].fd : ARES_SOCKET_BAD;
            ares_process_fd(ch, rd, wr);
        }
    }
    return true;
}

static void status_err(int status, double timeout_s, char *err, size_t errlen)
{
    switch (status) {
    case ARES_ENOTFOUND:
    case ARES_ENODATA:
        set_err(err, errlen, "no such host (NXDOMAIN or no A/AAAA records)");
        break;
    case ARES_ETIMEOUT:
    case ARES_ECANCELLED:
        set_err(err, errlen, "DNS server did not answer within %g s", timeout_s);
        break;
    case ARES_EREFUSED:
        set_err(err, errlen, "DNS server refused the query");
        break;
    case ARES_ESERVFAIL:
        set_err(err, errlen, "DNS server failure (SERVFAIL)");
        break;
    case ARES_ECONNREFUSED:
        /* c-ares also lands here when every server answered REFUSED or
         * SERVFAIL and it ran out of servers to try. */
        set_err(err, errlen, "no DNS server gave a usable answer (refused, server failure, "
                             "or not listening)");
        break;
    default:
        set_err(err, errlen, "DNS lookup failed: %s", ares_strerror(status));
        break;
    }
}

/* A channel as td_resolve and the fleet resolver both use it: two tries
 * within timeout_s, and with dns_server that server alone, asked for the
 * name exactly as given (DNS only, except for a localhost name: c-ares never
 * sends those to a server, RFC 6761).  sock_cb, when given, is told of the
 * channel's sockets.  False with err filled on failure. */
static bool channel_open(ares_channel *ch, const td_addr *dns_server, bool localhost, double timeout_s,
                         ares_sock_state_cb sock_cb, void *sock_arg, char *err, size_t errlen)
{
    char csv[80];
    if (dns_server && !server_csv(dns_server, csv, sizeof csv)) {
        set_err(err, errlen, "bad DNS server address: %.64s", dns_server->text);
        return false;
    }
    pthread_once(&lib_once, lib_init);
    if (lib_rc != ARES_SUCCESS) {
        set_err(err, errlen, "DNS library init failed: %s", ares_strerror(lib_rc));
        return false;
    }

    struct ares_options opt;
    memset(&opt, 0, sizeof opt);
    int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS;
    /* Two tries, the second with c-ares' doubled wait: t + 2t fits the
     * budget, and one lost UDP datagram does not fail the lookup. */
    double per_try_ms = timeout_s * 1000.0 / 3.0;
    opt.timeout = per_try_ms < 1 ? 1 : per_try_ms > 60000 ? 60000 : (int)per_try_ms;
    opt.tries = 2;
    char lookups[3];
    memcpy(lookups, "fb", 3);
    if (dns_server) {
        /* The name exactly as given, and no retrying elsewhere on REFUSED
         * or SERVFAIL: with one named server its answer is the result.
         * (This c-ares would otherwise turn those into ECONNREFUSED.) */
        mask |= ARES_OPT_DOMAINS | ARES_OPT_FLAGS;
        opt.domains = NULL;
        opt.ndomains = 0;
        opt.flags = ARES_FLAG_NOCHECKRESP;
        /* DNS only, so the named server (a test's, or the one the user
         * suspects) is really asked rather than /etc/hosts.  Except for
         * localhost, which c-ares never sends to a server (RFC 6761) and
         * would then fail to resolve at all. */
        if (!localhost)
            memcpy(lookups, "b", 2);
    }
    opt.lookups = lookups;
    if (sock_cb) {
        mask |= ARES_OPT_SOCK_STATE_CB;
        opt.sock_state_cb = sock_cb;
        opt.sock_state_cb_data = sock_arg;
    }

    int rc = ares_init_options(ch, &opt, mask);
    if (rc != ARES_SUCCESS) {
        set_err(err, errlen, "DNS resolver setup failed: %s", ares_strerror(rc));
        return false;
    }
    if (dns_server && ares_set_servers_ports_csv(*ch, csv) != ARES_SUCCESS) {
        ares_destroy(*ch);
        set_err(err, errlen, "bad DNS server address: %.64s", dns_server->text);
        return false;
    }
    return true;
}

int td_resolve(const char *host, uint16_t port, const td_addr *dns_server, double timeout_s,
               td_addr *out, size_t max, size_t *n_out, char *err, size_t errlen)
{
    if (n_out)
        *n_out = 0;
    if (err && errlen)
        err[0] = '\0';
    if (!out || !max || !n_out) {
        set_err(err, errlen, "internal error: no room for addresses");
        return -1;
    }
    if (!host || !host[0]) {
        set_err(err, errlen, "empty host name");
        return -1;
    }
    size_t hlen = strnlen(host, MAX_HOST_LEN + 3);
    if (hlen > MAX_HOST_LEN + 2) {
        set_err(err, errlen, "host name too long");
        return -1;
    }
    if (!isfinite(timeout_s) || timeout_s <= 0)
        timeout_s = DEF_TIMEOUT_S;

    /* Numeric hosts need no resolver at all, and "[::1]" is how people
     * write IPv6 next to a port. */
    if (td_addr_from_ip(host, port, &out[0])) {
        *n_out = 1;
        return 0;
    }
    if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
        char inner[MAX_HOST_LEN + 3];
        memcpy(inner, host + 1, hlen - 2);
        inner[hlen - 2] = '\0';
        if (td_addr_from_ip(inner, port, &out[0])) {
            *n_out = 1;
            return 0;
        }
        set_err(err, errlen, "not an IPv6 address: %s", host);
        return -1;
    }

    char csv[80];
    if (dns_server && !server_csv(dns_server, csv, sizeof csv)) {
        set_err(err, errlen, "bad DNS server address: %.64s", dns_server->text);
        return -1;
    }

    ares_channel ch;
    if (!channel_open(&ch, dns_server, is_localhost(host), timeout_s, NULL, NULL, err, errlen))
        return -1;

    lookup lk;
    memset(&lk, 0, sizeof lk);
    lk.port = port;
    lk.out = out;
    lk.max = max;

    struct ares_addrinfo_hints hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* Default flags keep c-ares' RFC 6724 ordering, the same order the
     * system's getaddrinfo() would give, which is what users expect the
     * "first address" to be. */
    double deadline = mono_s() + timeout_s;
    ares_getaddrinfo(ch, host, NULL, &hints, on_result, &lk);
    bool in_time = drive(ch, &lk, deadline);
    ares_destroy(ch);

    if (!in_time || lk.status != ARES_SUCCESS) {
        status_err(in_time ? lk.status : ARES_ETIMEOUT, timeout_s, err, errlen);
        return -1;
    }
    if (lk.n == 0) {
        set_err(err, errlen, "no address: the name has no IPv4 or IPv6 address");
        return -1;
    }
    *n_out = lk.n;
    return 0;
}

/* ---- many names on a loop ------------------------------------------------
 *
 * A fleet names the same host many times (one line per port, a name behind
 * many services): each name is asked once, every asker gets the answer, and
 * the lookups of all names run at once on the caller's loop. */

#define CACHE_BUCKETS 1024
#define MAX_WATCHED   16 /* sockets c-ares keeps open at once: one per server and protocol */

typedef struct waiter {
    struct waiter *next;
    td_resolved cb;
    void *arg;
} waiter;

typedef struct entry {
    struct entry *next;
    struct td_resolver *owner;
    bool done;
    char err[128];
    td_addr addrs[TD_RESOLVER_MAX];
    size_t n;
    waiter *waiting;
    char name[];
} entry;

typedef struct watched {
    ev_io io;
    struct td_resolver *owner;
} watched;

struct td_resolver {
    struct ev_loop *loop;
    ares_channel ch;
    bool have_server;
    td_addr server;
    double timeout_s;
    ev_timer tm;
    watched socks[MAX_WATCHED];
    entry *cache[CACHE_BUCKETS];
    size_t pending;
};

/* c-ares' own timers: wake up when the soonest of them is due. */
static void arm(td_resolver *r)
{
    ev_timer_stop(r->loop, &r->tm);
    if (!r->pending)
        return;
    struct timeval maxtv = {1, 0}, tv;
    struct timeval *tvp = ares_timeout(r->ch, &maxtv, &tv);
    ev_timer_set(&r->tm, (double)tvp->tv_sec + (double)tvp->tv_usec / 1e6, 0.);
    ev_timer_start(r->loop, &r->tm);
}

static void sock_ready(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    watched *ws = (watched *)w;
    td_resolver *r = ws->owner;
    ares_process_fd(r->ch, (revents & EV_READ) ? w->fd : ARES_SOCKET_BAD,
                    (revents & EV_WRITE) ? w->fd : ARES_SOCKET_BAD);
    arm(r);
}

static void timed_out(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    td_resolver *r = w->data;
    ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    arm(r);
}

static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    td_resolver *r = data;
    watched *free_slot = NULL;
    for (size_t i = 0; i < MAX_WATCHED; i++) {
        watched *ws = &r->socks[i];
        if (ev_is_active(&ws->io) && ws->io.fd == fd) {
            ev_io_stop(r->loop, &ws->io);
            free_slot = ws;
            break;
        }
        if (!free_slot && !ev_is_active(&ws->io))
            free_slot = ws;
    }
    int events = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);
    /* More sockets than slots does not happen with c-ares' one UDP and one
     * TCP socket per server; should it, the timer still drives the lookup. */
    if (!events || !free_slot)
        return;
    ev_io_set(&free_slot->io, fd, events);
    ev_io_start(r->loop, &free_slot->io);
}

td_resolver *td_resolver_new(struct ev_loop *loop, const td_addr *dns_server, double timeout_s, char *err,
                             size_t errlen)
{
    td_resolver *r = calloc(1, sizeof *r);
    if (!r) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    r->loop = loop;
    r->timeout_s = (isfinite(timeout_s) && timeout_s > 0) ? timeout_s : DEF_TIMEOUT_S;
    if (dns_server) {
        r->have_server = true;
        r->server = *dns_server;
    }
    for (size_t i = 0; i < MAX_WATCHED; i++) {
        ev_io_init(&r->socks[i].io, sock_ready, -1, EV_READ);
        r->socks[i].owner = r;
    }
    ev_timer_init(&r->tm, timed_out, 0., 0.);
    r->tm.data = r;
    if (!channel_open(&r->ch, dns_server, false, r->timeout_s, sock_state, r, err, errlen)) {
        free(r);
        return NULL;
    }
    return r;
}

static size_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32u : c)) * 1099511628211ull;
    }
    return (size_t)(h % CACHE_BUCKETS);
}

/* Tells every asker; each may ask for more names. */
static void settle(entry *e)
{
    e->done = true;
    while (e->waiting) {
        waiter *w = e->waiting;
        e->waiting = w->next;
        w->cb(w->arg, e->addrs, e->n, e->n ? NULL : e->err);
        free(w);
    }
}

static void fleet_result(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    entry *e = arg;
    lookup lk = { .out = e->addrs, .max = TD_RESOLVER_MAX };
    on_result(&lk, status, timeouts, res);
    e->n = lk.n;
    e->owner->pending--;
    if (status != ARES_SUCCESS)
        status_err(status, e->owner->timeout_s, e->err, sizeof e->err);
    else if (!lk.n)
        set_err(e->err, sizeof e->err, "no address: the name has no IPv4 or IPv6 address");
    settle(e);
}

int td_resolver_lookup(td_resolver *r, const char *host, td_resolved cb, void *arg)
{
    size_t h = name_hash(host);
    entry *e = r->cache[h];
    while (e && strcasecmp(e->name, host) != 0)
        e = e->next;
    bool fresh = !e;
    if (fresh) {
        size_t len = strlen(host);
        e = calloc(1, sizeof *e + len + 1);
        if (!e)
            return -1;
        memcpy(e->name, host, len + 1);
        e->owner = r;
        e->next = r->cache[h];
        r->cache[h] = e;
    }
    waiter *w = malloc(sizeof *w);
    if (!w)
        return -1;
    *w = (waiter){ .next = e->waiting, .cb = cb, .arg = arg };
    e->waiting = w;
    if (e->done) {
        settle(e);
    } else if (fresh && r->have_server && is_localhost(host)) {
        /* Never sent to a server (RFC 6761), so answered at once from the
         * local configuration, as td_resolve does. */
        if (td_resolve(host, 0, &r->server, r->timeout_s, e->addrs, TD_RESOLVER_MAX, &e->n, e->err,
                       sizeof e->err) != 0)
            e->n = 0;
        settle(e);
    } else if (fresh) {
        struct ares_addrinfo_hints hints;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        r->pending++;
        ares_getaddrinfo(r->ch, host, NULL, &hints, fleet_result, e);
        arm(r);
    }
    return 0;
}

size_t td_resolver_pending(const td_resolver *r)
{
    return r ? r->pending : 0;
}

void td_resolver_free(td_resolver *r)
{
    if (!r)
        return;
    /* Cancelling completes every lookup still under way (with ECANCELLED);
     * their askers hear of it as a failure. */
    ares_cancel(r->ch);
    ares_destroy(r->ch);
    ev_timer_stop(r->loop, &r->tm);
    for (size_t i = 0; i < MAX_WATCHED; i++)
        ev_io_stop(r->loop, &r->socks[i].io);
    for (size_t b = 0; b < CACHE_BUCKETS; b++) {
        while (r->cache[b]) {
            entry *e = r->cache[b];
            r->cache[b] = e->next;
            free(e);
        }
    }
    free(r);
}
