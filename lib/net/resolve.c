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

    pthread_once(&lib_once, lib_init);
    if (lib_rc != ARES_SUCCESS) {
        set_err(err, errlen, "DNS library init failed: %s", ares_strerror(lib_rc));
        return -1;
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
        if (!is_localhost(host))
            memcpy(lookups, "b", 2);
    }
    opt.lookups = lookups;

    ares_channel ch;
    int rc = ares_init_options(&ch, &opt, mask);
    if (rc != ARES_SUCCESS) {
        set_err(err, errlen, "DNS resolver setup failed: %s", ares_strerror(rc));
        return -1;
    }
    if (dns_server) {
        rc = ares_set_servers_ports_csv(ch, csv);
        if (rc != ARES_SUCCESS) {
            ares_destroy(ch);
            set_err(err, errlen, "bad DNS server address: %.64s", dns_server->text);
            return -1;
        }
    }

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
