/* Resolver tests.  Nothing here may reach the system's DNS server (it is
 * off-machine): names are numeric, come from /etc/hosts, or are asked of a
 * small UDP responder this test runs on 127.0.0.1. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ev.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/net.h"

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- a loopback DNS responder --------------------------------------------- */

typedef enum { DNS_NXDOMAIN, DNS_SILENT, DNS_ANSWER_A, DNS_REFUSED, DNS_SERVFAIL } dns_mode;

typedef struct dns_srv {
    dns_mode mode;
    int fd;
    uint16_t port;
    pthread_t th;
    atomic_bool stop;
    atomic_int queries;
    char last_name[256];
} dns_srv;

/* Length of the question section starting at off, 0 if malformed; the
 * dotted name goes to name. */
static size_t question_len(const uint8_t *p, size_t n, size_t off, char *name, size_t namelen)
{
    size_t i = off, o = 0;
    for (;;) {
        if (i >= n)
            return 0;
        uint8_t l = p[i++];
        if (l == 0)
            break;
        if (l > 63 || i + l > n)
            return 0;
        if (o && o + 1 < namelen)
            name[o++] = '.';
        for (uint8_t k = 0; k < l && o + 1 < namelen; k++)
            name[o++] = (char)p[i + k];
        i += l;
    }
    name[o] = '\0';
    if (i + 4 > n)
        return 0;
    return i + 4 - off;
}

static void *dns_run(void *arg)
{
    dns_srv *d = arg;
    while (!atomic_load(&d->stop)) {
        struct pollfd p = {d->fd, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0)
            continue;
        uint8_t q[512], r[600];
        struct sockaddr_storage from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(d->fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
        if (n < 12)
            continue;
        atomic_fetch_add(&d->queries, 1);
        char name[256];
        size_t ql = question_len(q, (size_t)n, 12, name, sizeof name);
        if (!ql)
            continue;
        memcpy(d->last_name, name, sizeof d->last_name);
        if (d->mode == DNS_SILENT)
            continue;

        uint16_t qtype = (uint16_t)(q[12 + ql - 4] << 8 | q[12 + ql - 3]);
        uint8_t rcode = d->mode == DNS_NXDOMAIN ? 3 : d->mode == DNS_REFUSED ? 5
                      : d->mode == DNS_SERVFAIL ? 2 : 0;
        bool answer = d->mode == DNS_ANSWER_A && qtype == 1;

        memcpy(r, q, 12 + ql);
        r[2] = (uint8_t)(0x80 | (q[2] & 0x79) | 0x04); /* QR, opcode, AA, RD */
        r[3] = (uint8_t)(0x80 | rcode);                /* RA */
        r[4] = 0, r[5] = 1;                            /* one question */
        r[6] = 0, r[7] = answer ? 1 : 0;
        memset(r + 8, 0, 4);
        size_t len = 12 + ql;
        if (answer) {
            static const uint8_t rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
                                         127, 0, 0, 2};
            memcpy(r + len, rr, sizeof rr);
            len += sizeof rr;
        }
        sendto(d->fd, r, len, 0, (struct sockaddr *)&from, fl);
    }
    return NULL;
}

static dns_srv *dns_start(dns_mode mode)
{
    dns_srv *d = calloc(1, sizeof *d);
    assert_non_null(d);
    d->mode = mode;
    atomic_init(&d->stop, false);
    atomic_init(&d->queries, 0);
    d->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(d->fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(d->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    getsockname(d->fd, (struct sockaddr *)&sa, &sl);
    d->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&d->th, NULL, dns_run, d), 0);
    return d;
}

/* Stops the thread; the counters can then be read without racing it. */
static void dns_halt(dns_srv *d)
{
    atomic_store(&d->stop, true);
    pthread_join(d->th, NULL);
    close(d->fd);
}

static void dns_stop(dns_srv *d)
{
    dns_halt(d);
    free(d);
}

static const td_addr *dns_addr(const dns_srv *d, td_addr *a)
{
    assert_true(td_addr_from_ip("127.0.0.1", d->port, a));
    return a;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_numeric_v4(void **st)
{
    (void)st;
    td_addr a[4];
    size_t n = 99;
    char err[160] = "x";
    /* The DNS server given must not matter for numeric hosts: it is never asked. */
    td_addr srv;
    assert_true(td_addr_from_ip("127.0.0.1", 1, &srv));
    assert_int_equal(td_resolve("127.0.0.1", 443, &srv, 1, a, 4, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].text, "127.0.0.1");
    assert_int_equal(a[0].ss.ss_family, AF_INET);
    assert_int_equal(ntohs(((struct sockaddr_in *)&a[0].ss)->sin_port), 443);
    assert_string_equal(err, "");
}

static void test_numeric_v6(void **st)
{
    (void)st;
    td_addr a[4];
    size_t n = 0;
    char err[160];
    assert_int_equal(td_resolve("::1", 8443, NULL, 1, a, 4, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].text, "::1");
    assert_int_equal(ntohs(((struct sockaddr_in6 *)&a[0].ss)->sin6_port), 8443);
    assert_int_equal(td_resolve("[::1]", 8443, NULL, 1, a, 4, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].text, "::1");
    assert_int_equal(td_resolve("[nope]", 1, NULL, 1, a, 4, &n, err, sizeof err), -1);
}

static void test_localhost_hosts_file(void **st)
{
    (void)st;
    td_addr a[8];
    size_t n = 0;
    char err[160];
    int rc = td_resolve("localhost", 8443, NULL, 2, a, 8, &n, err, sizeof err);
    if (rc != 0)
        fail_msg("localhost: %s", err);
    assert_true(n >= 1);
    bool seen = false;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(a[i].text, "127.0.0.1") || !strcmp(a[i].text, "::1"))
            seen = true;
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(a[i].text, a[j].text);
        uint16_t p = a[i].ss.ss_family == AF_INET
                         ? ((struct sockaddr_in *)&a[i].ss)->sin_port
                         : ((struct sockaddr_in6 *)&a[i].ss)->sin6_port;
        assert_int_equal(ntohs(p), 8443);
    }
    assert_true(seen);
}

static void test_nxdomain(void **st)
{
    (void)st;
    dns_srv *d = dns_start(DNS_NXDOMAIN);
    td_addr srv;
    char err[160];
    td_addr a[4];
    size_t n = 7;
    int rc = td_resolve("no-such-host.example", 443, dns_addr(d, &srv), 2,
                        a, 4, &n, err, sizeof err);
    dns_halt(d);
    assert_int_equal(rc, -1);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err, "no such host"));
    assert_true(atomic_load(&d->queries) >= 1);
    /* asked as given: no search domain appended */
    assert_string_equal(d->last_name, "no-such-host.example");
    free(d);
}

static void test_silent_server_times_out(void **st)
{
    (void)st;
    dns_srv *d = dns_start(DNS_SILENT);
    td_addr srv;
    char err[160];
    td_addr a[4];
    size_t n = 0;
    double t0 = mono_s();
    int rc = td_resolve("quiet.example", 443, dns_addr(d, &srv), 0.5, a, 4,
                        &n, err, sizeof err);
    double took = mono_s() - t0;
    int q = atomic_load(&d->queries);
    dns_stop(d);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "did not answer within 0.5 s"));
    assert_true(q >= 1);
    assert_true(took >= 0.3);
    assert_true(took < 1.2);
}

static void test_answer_a(void **st)
{
    (void)st;
    dns_srv *d = dns_start(DNS_ANSWER_A);
    td_addr srv;
    char err[160];
    td_addr a[4];
    size_t n = 0;
    /* A answered, AAAA empty: one address, with the port applied. */
    int rc = td_resolve("svc.example", 853, dns_addr(d, &srv), 2, a, 4, &n,
                        err, sizeof err);
    if (rc != 0)
        fail_msg("%s", err);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].text, "127.0.0.2");
    assert_int_equal(ntohs(((struct sockaddr_in *)&a[0].ss)->sin_port), 853);

    /* localhost never goes to a DNS server (RFC 6761), even a named one:
     * it still resolves, from /etc/hosts. */
    int before = atomic_load(&d->queries);
    rc = td_resolve("localhost", 853, dns_addr(d, &srv), 2, a, 4, &n, err,
                    sizeof err);
    int after = atomic_load(&d->queries);
    dns_stop(d);
    if (rc != 0)
        fail_msg("%s", err);
    assert_int_equal(before, after);
    assert_true(n >= 1);
    assert_string_not_equal(a[0].text, "127.0.0.2");
}

static void test_refused_and_servfail(void **st)
{
    (void)st;
    td_addr srv;
    char err[160];
    td_addr a[4];
    size_t n = 0;

    dns_srv *d = dns_start(DNS_REFUSED);
    int rc = td_resolve("x.example", 1, dns_addr(d, &srv), 2, a, 4, &n, err,
                        sizeof err);
    dns_stop(d);
    assert_int_equal(rc, -1);
    if (!strstr(err, "refused the query"))
        fail_msg("%s", err);

    d = dns_start(DNS_SERVFAIL);
    rc = td_resolve("x.example", 1, dns_addr(d, &srv), 2, a, 4, &n, err,
                    sizeof err);
    dns_stop(d);
    assert_int_equal(rc, -1);
    if (!strstr(err, "server failure"))
        fail_msg("%s", err);
}

static void test_bad_args(void **st)
{
    (void)st;
    char err[160];
    td_addr a[2];
    size_t n = 0;
    /* A server that holds no address (the text forms are the options'
     * business: test_check.c) */
    td_addr none;
    memset(&none, 0, sizeof none);
    assert_int_equal(td_resolve("x.example", 1, &none, 1, a, 2, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad DNS server"));
    assert_int_equal(td_resolve("", 1, NULL, 1, a, 2, &n, err, sizeof err), -1);
    assert_int_equal(td_resolve(NULL, 1, NULL, 1, a, 2, &n, err, sizeof err), -1);
    assert_int_equal(td_resolve("127.0.0.1", 1, NULL, 1, a, 0, &n, err, sizeof err), -1);
    char longname[400];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(td_resolve(longname, 1, NULL, 1, a, 2, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "too long"));
    /* a tiny error buffer is truncated, never overrun */
    char tiny[4];
    assert_int_equal(td_resolve("", 1, NULL, 1, a, 2, &n, tiny, sizeof tiny), -1);
    assert_int_equal(strlen(tiny), 3);
}

/* ---- many names on a loop (td_resolver) -------------------------------------- */

typedef struct answer {
    int calls;
    size_t n;
    char first[64];
    char err[160];
    int *pending;
    struct ev_loop *loop;
} answer;

static void got(void *arg, const td_addr *addrs, size_t n, const char *err)
{
    answer *a = arg;
    a->calls++;
    a->n = n;
    if (n)
        snprintf(a->first, sizeof a->first, "%s", addrs[0].text);
    if (err)
        snprintf(a->err, sizeof a->err, "%s", err);
    if (a->pending && --*a->pending == 0)
        ev_break(a->loop, EVBREAK_ONE);
}

/* 20 askers of 5 names: every name is asked of the server (A and AAAA),
 * once, all at once; each asker hears once; a name asked again after the
 * answer is answered from the cache, at once, with no query. */
static void test_resolver_many_names_once(void **st)
{
    (void)st;
    dns_srv *d = dns_start(DNS_ANSWER_A);
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    assert_non_null(loop);
    td_addr srv;
    char err[160];
    td_resolver *r = td_resolver_new(loop, dns_addr(d, &srv), 2, err, sizeof err);
    if (!r)
        fail_msg("%s", err);
    answer a[20];
    memset(a, 0, sizeof a);
    int pending = 20;
    double t0 = mono_s();
    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof name, "host%d.example", i % 5);
        a[i].pending = &pending;
        a[i].loop = loop;
        assert_int_equal(td_resolver_lookup(r, i % 2 ? name : "HOST0.example", got, &a[i]), 0);
    }
    assert_int_equal(td_resolver_pending(r), 5);
    ev_run(loop, 0);
    assert_true(mono_s() - t0 < 1.5);
    assert_int_equal(td_resolver_pending(r), 0);
    int queries = atomic_load(&d->queries);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(a[i].calls, 1);
        assert_int_equal(a[i].n, 1);
        assert_string_equal(a[i].first, "127.0.0.2");
    }
    /* one A and one AAAA query per name, case folded: 5 names */
    assert_int_equal(queries, 10);

    answer again = { 0 };
    assert_int_equal(td_resolver_lookup(r, "host3.example", got, &again), 0);
    assert_int_equal(again.calls, 1); /* before the call returned */
    assert_string_equal(again.first, "127.0.0.2");
    assert_int_equal(atomic_load(&d->queries), queries);
    td_resolver_free(r);
    ev_loop_destroy(loop);
    dns_stop(d);
}

/* A name that does not exist: every asker hears the failure, with
 * td_resolve's words. */
static void test_resolver_failure(void **st)
{
    (void)st;
    dns_srv *d = dns_start(DNS_NXDOMAIN);
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    td_addr srv;
    char err[160];
    td_resolver *r = td_resolver_new(loop, dns_addr(d, &srv), 2, err, sizeof err);
    assert_non_null(r);
    answer a[2];
    memset(a, 0, sizeof a);
    int pending = 2;
    for (int i = 0; i < 2; i++) {
        a[i].pending = &pending;
        a[i].loop = loop;
        assert_int_equal(td_resolver_lookup(r, "nosuch.example", got, &a[i]), 0);
    }
    ev_run(loop, 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(a[i].calls, 1);
        assert_int_equal(a[i].n, 0);
        assert_non_null(strstr(a[i].err, "no such host"));
    }
    td_resolver_free(r);
    ev_loop_destroy(loop);
    dns_stop(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric_v4),
        cmocka_unit_test(test_numeric_v6),
        cmocka_unit_test(test_localhost_hosts_file),
        cmocka_unit_test(test_nxdomain),
        cmocka_unit_test(test_silent_server_times_out),
        cmocka_unit_test(test_answer_a),
        cmocka_unit_test(test_refused_and_servfail),
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_resolver_many_names_once),
        cmocka_unit_test(test_resolver_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
