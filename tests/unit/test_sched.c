/* Scheduler tests against real sockets on 127.0.0.1: every way a connection
 * can end, the concurrency cap, chaining from callbacks, the deadline, the
 * rate limit (and the token bucket behind it) and jobs submitted for later.
 * The peers are small servers run in threads of this process. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <math.h>
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
#include "net/sched_int.h"

/* ---- helpers ---------------------------------------------------------- */

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int listen_on(const char *ip, int backlog, uint16_t *port)
{
    td_addr a;
    if (!td_addr_from_ip(ip, 0, &a))
        return -1;
    int fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0 || listen(fd, backlog) < 0) {
        close(fd);
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    *port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                          : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* A port nothing listens on: bind one, note it, close it. */
static uint16_t closed_port(const char *ip)
{
    uint16_t port = 0;
    int fd = listen_on(ip, 1, &port);
    assert_true(fd >= 0);
    close(fd);
    return port;
}

/* ---- the test server ---------------------------------------------------- */

typedef enum {
    SRV_READ_CLOSE, /* read the request, close (FIN) */
    SRV_READ_RST,   /* read the request, close with SO_LINGER {1,0} (RST) */
    SRV_RST_NOW,    /* RST as soon as accepted, reading nothing */
    SRV_HANG,       /* read the request, then say nothing */
    SRV_ECHO,       /* send back whatever arrives */
    SRV_GREET,      /* speak first: "hello\n", then echo */
    SRV_HOLD,       /* read, count concurrency, hold 60 ms, answer "ok", close */
    SRV_DRIP        /* read the request, then one byte every 100 ms, for ever */
} srv_mode;

#define SRV_MAX_CONNS 64

typedef struct srv {
    srv_mode mode;
    size_t req_len; /* bytes the client sends */
    int lfd;
    uint16_t port;
    pthread_t acceptor;
    pthread_t handlers[SRV_MAX_CONNS];
    int n_handlers;
    atomic_bool stop;
    pthread_mutex_t mu;
    int cur, max, total;
} srv;

typedef struct conn_arg {
    srv *s;
    int fd;
} conn_arg;

/* Waits for fd to be readable, checking the stop flag so teardown never
 * hangs on a client that went away quietly. */
static bool wait_readable(srv *s, int fd)
{
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, 20);
        if (r > 0)
            return true;
        if (r < 0 && errno != EINTR)
            return false;
    }
    return false;
}

static bool read_exact(srv *s, int fd, size_t n)
{
    uint8_t buf[4096];
    while (n) {
        if (!wait_readable(s, fd))
            return false;
        ssize_t r = recv(fd, buf, n < sizeof buf ? n : sizeof buf, 0);
        if (r <= 0)
            return false;
        n -= (size_t)r;
    }
    return true;
}

static void rst_close(int fd)
{
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

static void *srv_conn(void *arg)
{
    conn_arg *ca = arg;
    srv *s = ca->s;
    int fd = ca->fd;
    free(ca);

    switch (s->mode) {
    case SRV_READ_CLOSE:
        read_exact(s, fd, s->req_len);
        close(fd);
        break;
    case SRV_READ_RST:
        read_exact(s, fd, s->req_len);
        rst_close(fd);
        break;
    case SRV_RST_NOW:
        rst_close(fd);
        break;
    case SRV_HANG:
        read_exact(s, fd, s->req_len);
        /* until the client gives up (EOF) or the test ends */
        while (wait_readable(s, fd)) {
            uint8_t b[256];
            if (recv(fd, b, sizeof b, 0) <= 0)
                break;
        }
        close(fd);
        break;
    case SRV_GREET:
        send(fd, "hello\n", 6, MSG_NOSIGNAL);
        /* fall through */
    case SRV_ECHO:
        while (wait_readable(s, fd)) {
            uint8_t b[4096];
            ssize_t r = recv(fd, b, sizeof b, 0);
            if (r <= 0 || send(fd, b, (size_t)r, MSG_NOSIGNAL) != r)
                break;
        }
        close(fd);
        break;
    case SRV_HOLD:
        pthread_mutex_lock(&s->mu);
        s->cur++;
        s->total++;
        if (s->cur > s->max)
            s->max = s->cur;
        pthread_mutex_unlock(&s->mu);
        read_exact(s, fd, s->req_len);
        sleep_ms(60);
        /* The count drops before the reply goes out, so the server never
         * counts a connection the client has already finished with. */
        pthread_mutex_lock(&s->mu);
        s->cur--;
        pthread_mutex_unlock(&s->mu);
        send(fd, "ok", 2, MSG_NOSIGNAL);
        close(fd);
        break;
    case SRV_DRIP:
        read_exact(s, fd, s->req_len);
        while (!atomic_load(&s->stop) && send(fd, "x", 1, MSG_NOSIGNAL) == 1)
            sleep_ms(100);
        close(fd);
        break;
    }
    return NULL;
}

static void *srv_accept(void *arg)
{
    srv *s = arg;
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {s->lfd, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0)
            continue;
        int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        conn_arg *ca = malloc(sizeof *ca);
        if (!ca || s->n_handlers >= SRV_MAX_CONNS) {
            free(ca);
            close(fd);
            continue;
        }
        ca->s = s;
        ca->fd = fd;
        if (pthread_create(&s->handlers[s->n_handlers], NULL, srv_conn, ca) != 0) {
            free(ca);
            close(fd);
            continue;
        }
        s->n_handlers++;
    }
    for (int i = 0; i < s->n_handlers; i++)
        pthread_join(s->handlers[i], NULL);
    return NULL;
}

static srv *srv_start(const char *ip, srv_mode mode, size_t req_len)
{
    srv *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->mode = mode;
    s->req_len = req_len;
    pthread_mutex_init(&s->mu, NULL);
    atomic_init(&s->stop, false);
    s->lfd = listen_on(ip, 64, &s->port);
    assert_true(s->lfd >= 0);
    assert_int_equal(pthread_create(&s->acceptor, NULL, srv_accept, s), 0);
    return s;
}

static void srv_stop(srv *s)
{
    atomic_store(&s->stop, true);
    pthread_join(s->acceptor, NULL);
    close(s->lfd);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- job bookkeeping ---------------------------------------------------- */

typedef struct res {
    int done_calls;
    td_io_result r;
    uint8_t got[256];
    size_t n_got;
    size_t want; /* on_data says DONE once this many bytes arrived; 0 = never */
    double t_done;
} res;

static td_want on_data(void *ctx, const uint8_t *d, size_t n)
{
    res *r = ctx;
    size_t room = sizeof r->got - r->n_got;
    memcpy(r->got + r->n_got, d, n < room ? n : room);
    r->n_got += n < room ? n : room;
    return (r->want && r->n_got >= r->want) ? TD_WANT_DONE : TD_WANT_READ;
}

static void on_done(void *ctx, const td_io_result *rr)
{
    res *r = ctx;
    r->done_calls++;
    r->r = *rr;
    r->t_done = mono_s();
}

static const uint8_t HELLO[] = "ping-0123456789";
#define HELLO_LEN (sizeof HELLO - 1)

static td_addr addr_of(const char *ip, uint16_t port)
{
    td_addr a;
    assert_true(td_addr_from_ip(ip, port, &a));
    return a;
}

/* One job, one run: the common case of most tests below. */
static void run_one(const char *ip, uint16_t port, double step, res *r, const uint8_t *out,
                    size_t out_len)
{
    td_sched_opts o = {.max_conns = 2, .step_timeout_s = step, .deadline_s = 10};
    td_sched *s = td_sched_new(&o);
    assert_non_null(s);
    td_addr a = addr_of(ip, port);
    assert_int_equal(td_sched_submit(s, &a, out, out_len, on_data, on_done, r), 0);
    assert_int_equal(td_sched_run(s), 0);
    assert_int_equal(td_sched_connections(s), 1);
    td_sched_free(s);
    assert_int_equal(r->done_calls, 1);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_status_names(void **st)
{
    (void)st;
    assert_string_equal(td_io_status_name(TD_IO_DONE), "done");
    assert_string_equal(td_io_status_name(TD_IO_REFUSED), "refused");
    assert_string_equal(td_io_status_name(TD_IO_CONNECT_TIMEOUT), "connect-timeout");
    assert_string_equal(td_io_status_name(TD_IO_UNREACHABLE), "unreachable");
    assert_string_equal(td_io_status_name(TD_IO_RESET), "reset");
    assert_string_equal(td_io_status_name(TD_IO_EOF), "closed");
    assert_string_equal(td_io_status_name(TD_IO_TIMEOUT), "timeout");
    assert_string_equal(td_io_status_name(TD_IO_DEADLINE), "deadline");
    assert_string_equal(td_io_status_name(TD_IO_ERROR), "error");
    assert_string_equal(td_io_status_name(TD_IO_LEADIN), "lead-in");
    assert_string_equal(td_io_status_name((td_io_status)99), "error");
}

static void test_addr(void **st)
{
    (void)st;
    td_addr a;
    assert_true(td_addr_from_ip("127.0.0.1", 443, &a));
    assert_string_equal(a.text, "127.0.0.1");
    assert_int_equal(a.ss.ss_family, AF_INET);
    assert_int_equal(ntohs(((struct sockaddr_in *)&a.ss)->sin_port), 443);
    assert_true(td_addr_from_ip("0:0:0:0:0:0:0:1", 8443, &a));
    assert_string_equal(a.text, "::1");
    assert_int_equal(a.ss.ss_family, AF_INET6);
    assert_int_equal(a.len, sizeof(struct sockaddr_in6));
    assert_int_equal(ntohs(((struct sockaddr_in6 *)&a.ss)->sin6_port), 8443);
    assert_false(td_addr_from_ip("localhost", 1, &a));
    assert_false(td_addr_from_ip("[::1]", 1, &a));
    assert_false(td_addr_from_ip("1.2.3", 1, &a));
    assert_false(td_addr_from_ip("", 1, &a));
    assert_false(td_addr_from_ip(NULL, 1, &a));

    /* From a socket address, as a resolver returns it: the port is the
     * caller's, the text canonical; other families and short lengths are
     * refused. */
    struct sockaddr_in6 s6;
    memset(&s6, 0, sizeof s6);
    s6.sin6_family = AF_INET6;
    s6.sin6_port = htons(9);
    assert_int_equal(inet_pton(AF_INET6, "2001:db8:0:0::1", &s6.sin6_addr), 1);
    assert_true(td_addr_from_sockaddr((struct sockaddr *)&s6, sizeof s6, 853, &a));
    assert_string_equal(a.text, "2001:db8::1");
    assert_int_equal(td_addr_port(&a), 853);
    assert_int_equal(a.len, sizeof s6);
    assert_false(td_addr_from_sockaddr((struct sockaddr *)&s6, sizeof(struct sockaddr_in), 853, &a));
    struct sockaddr_in s4;
    memset(&s4, 0, sizeof s4);
    s4.sin_family = AF_INET;
    s4.sin_addr.s_addr = htonl(0x7f000001);
    assert_true(td_addr_from_sockaddr((struct sockaddr *)&s4, sizeof s4, 443, &a));
    assert_string_equal(a.text, "127.0.0.1");
    assert_int_equal(td_addr_port(&a), 443);
    struct sockaddr un = { .sa_family = AF_UNIX };
    assert_false(td_addr_from_sockaddr(&un, sizeof un, 1, &a));
    assert_false(td_addr_from_sockaddr(NULL, 0, 1, &a));
}

/* td_addr_port reads the port back; td_hostport brackets IPv6 only. */
static void test_addr_port_and_hostport(void **st)
{
    (void)st;
    td_addr a;
    assert_true(td_addr_from_ip("192.0.2.1", 5353, &a));
    assert_int_equal(td_addr_port(&a), 5353);
    assert_true(td_addr_from_ip("::1", 853, &a));
    assert_int_equal(td_addr_port(&a), 853);
    memset(&a, 0, sizeof a);
    assert_int_equal(td_addr_port(&a), 0);
    assert_int_equal(td_addr_port(NULL), 0);

    char b[64];
    assert_true(td_hostport(b, sizeof b, "example.com", 443));
    assert_string_equal(b, "example.com:443");
    assert_true(td_hostport(b, sizeof b, "192.0.2.1", 53));
    assert_string_equal(b, "192.0.2.1:53");
    assert_true(td_hostport(b, sizeof b, "2001:db8::1", 8443));
    assert_string_equal(b, "[2001:db8::1]:8443");
    /* too small: cut, and said so */
    char tiny[8];
    assert_false(td_hostport(tiny, sizeof tiny, "2001:db8::1", 8443));
    assert_string_equal(tiny, "[2001:d");
    assert_true(td_hostport(tiny, sizeof tiny, "::1", 1));
    assert_string_equal(tiny, "[::1]:1");
}

static void test_refused(void **st)
{
    (void)st;
    res r = {0};
    run_one("127.0.0.1", closed_port("127.0.0.1"), 2, &r, HELLO, HELLO_LEN);
    assert_int_equal(r.r.status, TD_IO_REFUSED);
    assert_int_equal(r.r.sys_errno, ECONNREFUSED);
    assert_true(r.r.connect_ms < 0);
    assert_true(r.r.first_ms < 0);
}

static void test_refused_v6(void **st)
{
    (void)st;
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    if (probe < 0)
        skip();
    close(probe);
    res r = {0};
    run_one("::1", closed_port("::1"), 2, &r, HELLO, HELLO_LEN);
    assert_int_equal(r.r.status, TD_IO_REFUSED);
}

static void test_eof(void **st)
{
    (void)st;
    srv *s = srv_start("127.0.0.1", SRV_READ_CLOSE, HELLO_LEN);
    res r = {0};
    run_one("127.0.0.1", s->port, 2, &r, HELLO, HELLO_LEN);
    srv_stop(s);
    assert_int_equal(r.r.status, TD_IO_EOF);
    assert_true(r.r.connect_ms >= 0);
    assert_int_equal(r.r.bytes_in, 0);
}

static void test_reset(void **st)
{
    (void)st;
    srv *s = srv_start("127.0.0.1", SRV_READ_RST, HELLO_LEN);
    res r = {0};
    run_one("127.0.0.1", s->port, 2, &r, HELLO, HELLO_LEN);
    srv_stop(s);
    assert_int_equal(r.r.status, TD_IO_RESET);
    assert_int_equal(r.r.sys_errno, ECONNRESET);
}

/* The RST lands while we are still sending: a payload far bigger than the
 * socket buffers makes the write phase long enough to be hit. */
static void test_reset_during_write(void **st)
{
    (void)st;
    size_t n = 1u << 20;
    uint8_t *big = calloc(1, n);
    assert_non_null(big);
    srv *s = srv_start("127.0.0.1", SRV_RST_NOW, 0);
    res r = {0};
    run_one("127.0.0.1", s->port, 2, &r, big, n);
    srv_stop(s);
    free(big);
    assert_int_equal(r.r.status, TD_IO_RESET);
}

/* run_one against a fresh server in this mode, sending HELLO; how long it took. */
static double timed_one(srv_mode mode, double step, res *r)
{
    srv *s = srv_start("127.0.0.1", mode, HELLO_LEN);
    double t0 = mono_s();
    run_one("127.0.0.1", s->port, step, r, HELLO, HELLO_LEN);
    double took = mono_s() - t0;
    srv_stop(s);
    return took;
}

static void test_timeout(void **st)
{
    (void)st;
    res r = {0};
    double took = timed_one(SRV_HANG, 0.3, &r);
    assert_int_equal(r.r.status, TD_IO_TIMEOUT);
    assert_true(r.r.connect_ms >= 0);
    assert_true(r.r.first_ms < 0);
    assert_true(took >= 0.28);
    assert_true(took < 1.0);
}

static void test_drip_bounded(void **st)
{
    (void)st;
    /* a byte every 100 ms resets a 0.3 s step timer for ever: the job
     * still ends, TD_SCHED_JOB_STEPS step timeouts after it connected */
    res r = {0};
    double took = timed_one(SRV_DRIP, 0.3, &r);
    assert_int_equal(r.r.status, TD_IO_TIMEOUT);
    assert_true(r.r.bytes_in >= 5);
    assert_true(took >= TD_SCHED_JOB_STEPS * 0.3 - 0.02);
    assert_true(took < TD_SCHED_JOB_STEPS * 0.3 + 0.5);
}

static void test_echo_done(void **st)
{
    (void)st;
    srv *s = srv_start("127.0.0.1", SRV_ECHO, 0);
    res r = {.want = HELLO_LEN};
    run_one("127.0.0.1", s->port, 2, &r, HELLO, HELLO_LEN);
    srv_stop(s);
    assert_int_equal(r.r.status, TD_IO_DONE);
    assert_int_equal(r.n_got, HELLO_LEN);
    assert_memory_equal(r.got, HELLO, HELLO_LEN);
    assert_int_equal(r.r.bytes_in, HELLO_LEN);
    assert_true(r.r.connect_ms >= 0);
    assert_true(r.r.first_ms >= 0);
    assert_true(r.r.total_ms >= r.r.first_ms);
    assert_true(r.r.total_ms < 2000);
}

/* Nothing to send: the job just listens, for servers that speak first. */
static void test_read_only(void **st)
{
    (void)st;
    srv *s = srv_start("127.0.0.1", SRV_GREET, 0);
    res r = {.want = 6};
    run_one("127.0.0.1", s->port, 2, &r, NULL, 0);
    srv_stop(s);
    assert_int_equal(r.r.status, TD_IO_DONE);
    assert_memory_equal(r.got, "hello\n", 6);
}

/* Connect timeout on loopback: a listener with backlog 0 that never
 * accepts takes one connection into its accept queue; after that Linux
 * drops further SYNs (tcp_abort_on_overflow is 0 by default), so the next
 * connect sees no SYN-ACK at all, which is what a filtered port looks like.
 * Two extra fillers make sure the queue is full whatever the kernel's
 * off-by-one in counting the backlog. */
static void test_connect_timeout(void **st)
{
    (void)st;
    uint16_t port = 0;
    int lfd = listen_on("127.0.0.1", 0, &port);
    assert_true(lfd >= 0);
    td_addr a = addr_of("127.0.0.1", port);
    int fill[3];
    for (int i = 0; i < 3; i++) {
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        assert_true(fill[i] >= 0);
        connect(fill[i], (struct sockaddr *)&a.ss, a.len);
    }
    sleep_ms(100); /* let the handshakes that can complete complete */

    res r = {0};
    double t0 = mono_s();
    run_one("127.0.0.1", port, 0.3, &r, HELLO, HELLO_LEN);
    double took = mono_s() - t0;
    for (int i = 0; i < 3; i++)
        close(fill[i]);
    close(lfd);
    assert_int_equal(r.r.status, TD_IO_CONNECT_TIMEOUT);
    assert_true(r.r.connect_ms < 0);
    assert_true(took >= 0.28);
    assert_true(took < 1.0);
}

static void test_concurrency_cap(void **st)
{
    (void)st;
    srv *s = srv_start("127.0.0.1", SRV_HOLD, HELLO_LEN);
    td_sched_opts o = {.max_conns = 3, .step_timeout_s = 3, .deadline_s = 20};
    td_sched *sc = td_sched_new(&o);
    assert_non_null(sc);
    td_addr a = addr_of("127.0.0.1", s->port);
    res r[20];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 20; i++) {
        r[i].want = 2;
        assert_int_equal(td_sched_submit(sc, &a, HELLO, HELLO_LEN, on_data, on_done, &r[i]), 0);
    }
    assert_int_equal(td_sched_run(sc), 0);
    assert_int_equal(td_sched_connections(sc), 20);
    assert_true(td_sched_elapsed_ms(sc) > 0);
    td_sched_free(sc);
    pthread_mutex_lock(&s->mu);
    int max = s->max, total = s->total;
    pthread_mutex_unlock(&s->mu);
    srv_stop(s);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(r[i].done_calls, 1);
        assert_int_equal(r[i].r.status, TD_IO_DONE);
        assert_memory_equal(r[i].got, "ok", 2);
    }
    assert_int_equal(total, 20);
    assert_true(max <= 3);
    assert_true(max >= 2); /* the cap was actually reached, not just respected */
}

/* Each finished job submits the next, from inside on_done, with one slot:
 * the chain must keep going until it decides to stop. */
typedef struct chain {
    td_sched *s;
    td_addr a;
    int left, done;
    int bad;
    res r;
} chain;

static td_want chain_data(void *ctx, const uint8_t *d, size_t n);

static void chain_done(void *ctx, const td_io_result *rr)
{
    chain *c = ctx;
    c->done++;
    if (rr->status != TD_IO_DONE)
        c->bad++;
    if (c->left-- > 0) {
        c->r.n_got = 0;
        if (td_sched_submit(c->s, &c->a, HELLO, HELLO_LEN, chain_data, chain_done, c) != 0)
            c->bad++;
    }
}

static td_want chain_data(void *ctx, const uint8_t *d, size_t n)
{
    chain *c = ctx;
    return on_data(&c->r, d, n);
}

static void test_chaining(void **st)
{
    (void)st;
    srv *s = srv_start("127.0.0.1", SRV_ECHO, 0);
    td_sched_opts o = {.max_conns = 1, .step_timeout_s = 2, .deadline_s = 10};
    chain c;
    memset(&c, 0, sizeof c);
    c.s = td_sched_new(&o);
    assert_non_null(c.s);
    c.a = addr_of("127.0.0.1", s->port);
    c.left = 4;
    c.r.want = HELLO_LEN;
    assert_int_equal(td_sched_submit(c.s, &c.a, HELLO, HELLO_LEN, chain_data, chain_done, &c), 0);
    assert_int_equal(td_sched_run(c.s), 0);
    assert_int_equal(td_sched_connections(c.s), 5);
    td_sched_free(c.s);
    srv_stop(s);
    assert_int_equal(c.done, 5);
    assert_int_equal(c.bad, 0);
}

/* Chaining on failures that happen at once (refused on loopback), many
 * deep: must neither recurse per job nor stall. */
typedef struct rchain {
    td_sched *s;
    td_addr a;
    int left, done, refused;
} rchain;

static void rchain_done(void *ctx, const td_io_result *rr)
{
    rchain *c = ctx;
    c->done++;
    if (rr->status == TD_IO_REFUSED)
        c->refused++;
    if (c->left-- > 0)
        td_sched_submit(c->s, &c->a, HELLO, HELLO_LEN, NULL, rchain_done, c);
}

static void test_chaining_refused(void **st)
{
    (void)st;
    td_sched_opts o = {.max_conns = 1, .step_timeout_s = 2, .deadline_s = 20};
    rchain c;
    memset(&c, 0, sizeof c);
    c.s = td_sched_new(&o);
    assert_non_null(c.s);
    c.a = addr_of("127.0.0.1", closed_port("127.0.0.1"));
    c.left = 199;
    assert_int_equal(td_sched_submit(c.s, &c.a, HELLO, HELLO_LEN, NULL, rchain_done, &c), 0);
    assert_int_equal(td_sched_run(c.s), 0);
    assert_int_equal(td_sched_connections(c.s), 200);
    td_sched_free(c.s);
    assert_int_equal(c.done, 200);
    assert_int_equal(c.refused, 200);
}

/* Low-priority jobs wait while a normal job waits for a slot, even one
 * submitted after them from a chain, and still all run. */
typedef struct prio {
    td_sched *s;
    td_addr a;
    char order[16];
    size_t n;
    int normal_left;
} prio;

typedef struct prio_job {
    prio *p;
    char tag;
} prio_job;

static void prio_done(void *ctx, const td_io_result *rr)
{
    prio_job *j = ctx;
    prio *p = j->p;
    (void)rr;
    if (p->n + 1 < sizeof p->order)
        p->order[p->n++] = j->tag;
    if (j->tag == 'N' && p->normal_left-- > 0)
        td_sched_submit(p->s, &p->a, HELLO, HELLO_LEN, NULL, prio_done, j);
}

static void test_low_priority(void **st)
{
    (void)st;
    td_sched_opts o = {.max_conns = 1, .step_timeout_s = 2, .deadline_s = 10};
    prio p;
    memset(&p, 0, sizeof p);
    p.s = td_sched_new(&o);
    assert_non_null(p.s);
    p.a = addr_of("127.0.0.1", closed_port("127.0.0.1"));
    p.normal_left = 3;
    prio_job low = {&p, 'L'}, normal = {&p, 'N'};
    assert_int_equal(td_sched_submit_low(p.s, &p.a, HELLO, HELLO_LEN, NULL, prio_done, &low), 0);
    assert_int_equal(td_sched_submit_low(p.s, &p.a, HELLO, HELLO_LEN, NULL, prio_done, &low), 0);
    assert_int_equal(td_sched_submit(p.s, &p.a, HELLO, HELLO_LEN, NULL, prio_done, &normal), 0);
    assert_int_equal(td_sched_submit_low(p.s, NULL, HELLO, HELLO_LEN, NULL, prio_done, &low), -1);
    assert_int_equal(td_sched_run(p.s), 0);
    assert_int_equal(td_sched_connections(p.s), 6);
    assert_string_equal(p.order, "NNNNLL");
    td_sched_free(p.s);

    /* Freed before running: a queued low job hears of it too. */
    memset(&p, 0, sizeof p);
    p.s = td_sched_new(NULL);
    p.a = addr_of("127.0.0.1", 9);
    assert_int_equal(td_sched_submit_low(p.s, &p.a, HELLO, HELLO_LEN, NULL, prio_done, &low), 0);
    td_sched_free(p.s);
    assert_string_equal(p.order, "L");
}

static void test_deadline(void **st)
{
    (void)st;
    srv *s = srv_start("127.0.0.1", SRV_HANG, HELLO_LEN);
    td_sched_opts o = {.max_conns = 2, .step_timeout_s = 5, .deadline_s = 0.5};
    td_sched *sc = td_sched_new(&o);
    assert_non_null(sc);
    td_addr a = addr_of("127.0.0.1", s->port);
    res r[5];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 5; i++)
        assert_int_equal(td_sched_submit(sc, &a, HELLO, HELLO_LEN, on_data, on_done, &r[i]), 0);
    double t0 = mono_s();
    assert_int_equal(td_sched_run(sc), 0);
    double took = mono_s() - t0;
    assert_int_equal(td_sched_connections(sc), 2); /* the queued three never connected */
    assert_true(td_sched_elapsed_ms(sc) >= 450);

    /* The budget is spent: a later run ends new work at once. */
    res late = {0};
    assert_int_equal(td_sched_submit(sc, &a, HELLO, HELLO_LEN, on_data, on_done, &late), 0);
    assert_int_equal(td_sched_run(sc), 0);
    assert_int_equal(late.done_calls, 1);
    assert_int_equal(late.r.status, TD_IO_DEADLINE);
    assert_int_equal(td_sched_connections(sc), 2);

    td_sched_free(sc);
    srv_stop(s);
    assert_true(took >= 0.45);
    assert_true(took < 1.0);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(r[i].done_calls, 1);
        assert_int_equal(r[i].r.status, TD_IO_DEADLINE);
    }
    assert_true(r[0].r.connect_ms >= 0);
    assert_true(r[4].r.connect_ms < 0);
}

/* Work queued after the deadline from inside on_done still gets its one
 * on_done, with DEADLINE. */
typedef struct dchain {
    td_sched *s;
    td_addr a;
    int left, done, deadline;
} dchain;

static void dchain_done(void *ctx, const td_io_result *rr)
{
    dchain *c = ctx;
    c->done++;
    if (rr->status == TD_IO_DEADLINE)
        c->deadline++;
    if (c->left-- > 0)
        td_sched_submit(c->s, &c->a, HELLO, HELLO_LEN, NULL, dchain_done, c);
}

static void test_deadline_chain(void **st)
{
    (void)st;
    srv *s = srv_start("127.0.0.1", SRV_HANG, HELLO_LEN);
    td_sched_opts o = {.max_conns = 1, .step_timeout_s = 5, .deadline_s = 0.3};
    dchain c;
    memset(&c, 0, sizeof c);
    c.s = td_sched_new(&o);
    assert_non_null(c.s);
    c.a = addr_of("127.0.0.1", s->port);
    c.left = 3;
    assert_int_equal(td_sched_submit(c.s, &c.a, HELLO, HELLO_LEN, NULL, dchain_done, &c), 0);
    assert_int_equal(td_sched_run(c.s), 0);
    assert_int_equal(td_sched_connections(c.s), 1);
    td_sched_free(c.s);
    srv_stop(s);
    assert_int_equal(c.done, 4);
    assert_int_equal(c.deadline, 4);
}

/* Several schedulers coexist, each with its own loop. */
static void test_two_scheds(void **st)
{
    (void)st;
    srv *s = srv_start("127.0.0.1", SRV_ECHO, 0);
    td_sched *a = td_sched_new(NULL), *b = td_sched_new(NULL);
    assert_non_null(a);
    assert_non_null(b);
    td_addr ad = addr_of("127.0.0.1", s->port);
    res ra = {.want = HELLO_LEN}, rb = {.want = HELLO_LEN};
    assert_int_equal(td_sched_submit(a, &ad, HELLO, HELLO_LEN, on_data, on_done, &ra), 0);
    assert_int_equal(td_sched_submit(b, &ad, HELLO, HELLO_LEN, on_data, on_done, &rb), 0);
    assert_int_equal(td_sched_run(b), 0);
    assert_int_equal(rb.done_calls, 1);
    assert_int_equal(ra.done_calls, 0);
    assert_int_equal(td_sched_run(a), 0);
    assert_int_equal(ra.done_calls, 1);
    assert_int_equal(ra.r.status, TD_IO_DONE);
    assert_int_equal(rb.r.status, TD_IO_DONE);
    td_sched_free(a);
    td_sched_free(b);
    srv_stop(s);
}

/* Queued jobs of a scheduler that is freed without running still hear
 * about it once. */
static void test_free_queued(void **st)
{
    (void)st;
    td_sched *s = td_sched_new(NULL);
    assert_non_null(s);
    td_addr a = addr_of("127.0.0.1", 9);
    res r = {0};
    assert_int_equal(td_sched_submit(s, &a, HELLO, HELLO_LEN, on_data, on_done, &r), 0);
    assert_int_equal(td_sched_submit(s, NULL, HELLO, HELLO_LEN, on_data, on_done, &r), -1);
    assert_int_equal(td_sched_submit(s, &a, HELLO, HELLO_LEN, on_data, NULL, &r), -1);
    td_sched_free(s);
    assert_int_equal(r.done_calls, 1);
    assert_int_equal(r.r.status, TD_IO_ERROR);
    assert_int_equal(r.r.sys_errno, ECANCELED);
}

/* ---- the token bucket, on given times ------------------------------------ */

static void test_bucket(void **st)
{
    (void)st;
    td_bucket b;

    /* 2 a second, one deep: the first is free, then one every 500 ms */
    td_bucket_init(&b, 2, 1, 1000);
    assert_true(td_bucket_wait_ms(&b, 1000) == 0);
    assert_true(td_bucket_take(&b, 1000));
    assert_false(td_bucket_take(&b, 1000));
    assert_float_equal(td_bucket_wait_ms(&b, 1000), 500, 1e-6);
    assert_float_equal(td_bucket_wait_ms(&b, 1250), 250, 1e-6);
    assert_false(td_bucket_take(&b, 1499));
    assert_true(td_bucket_take(&b, 1500));
    /* a quiet spell earns one token, not a burst */
    assert_true(td_bucket_take(&b, 9000));
    assert_false(td_bucket_take(&b, 9000));
    /* a stale time takes nothing away and gives nothing */
    assert_float_equal(td_bucket_wait_ms(&b, 8000), 500, 1e-6);

    /* a slower rate from now on keeps what was earned: half a token at
     * 2/s, then the other half at 1/s */
    td_bucket_init(&b, 2, 1, 0);
    assert_true(td_bucket_take(&b, 0));
    td_bucket_set_rate(&b, 1, 250);
    assert_float_equal(td_bucket_wait_ms(&b, 250), 500, 1e-6);
    assert_true(td_bucket_take(&b, 750));

    /* no limit: every take succeeds */
    td_bucket_init(&b, 0, 1, 0);
    for (int i = 0; i < 100; i++)
        assert_true(td_bucket_take(&b, 0));
    /* a limit set after free use starts empty: the next start waits a
     * whole interval */
    td_bucket_set_rate(&b, 4, 100);
    assert_float_equal(td_bucket_wait_ms(&b, 100), 250, 1e-6);
    assert_false(td_bucket_take(&b, 300));
    assert_true(td_bucket_take(&b, 350));
    /* lifted again */
    td_bucket_set_rate(&b, 0, 360);
    assert_true(td_bucket_take(&b, 360));
    assert_true(td_bucket_take(&b, 360));

    /* deeper buckets allow that many at once, then pace */
    td_bucket_init(&b, 10, 3, 0);
    assert_true(td_bucket_take(&b, 0));
    assert_true(td_bucket_take(&b, 0));
    assert_true(td_bucket_take(&b, 0));
    assert_false(td_bucket_take(&b, 0));
    assert_float_equal(td_bucket_wait_ms(&b, 0), 100, 1e-6);

    /* nonsense rates mean no limit, nonsense depths one token */
    td_bucket_init(&b, -3, 0, 0);
    assert_true(td_bucket_take(&b, 0));
    assert_true(td_bucket_take(&b, 0));
    td_bucket_set_rate(&b, 5, 0);
    td_bucket_init(&b, 5, -1, 0);
    assert_true(td_bucket_take(&b, 0));
    assert_false(td_bucket_take(&b, 0));
}

/* ---- the rate, through real connections ----------------------------------- */

static int by_start(const void *a, const void *b)
{
    double x = ((const res *)a)->r.start_ms, y = ((const res *)b)->r.start_ms;
    return (x > y) - (x < y);
}

/* Connects start no faster than the rate, even with free slots and jobs
 * that end at once; each result says when it started and which connection
 * it was. */
static void test_rate(void **st)
{
    (void)st;
    srv *s = srv_start("127.0.0.1", SRV_ECHO, 0);
    td_sched_opts o = {.max_conns = 8, .step_timeout_s = 2, .deadline_s = 10, .rate = 10};
    td_sched *sc = td_sched_new(&o);
    assert_non_null(sc);
    assert_float_equal(td_sched_rate(sc), 10, 1e-9);
    td_addr a = addr_of("127.0.0.1", s->port);
    res r[6];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 6; i++) {
        r[i].want = HELLO_LEN;
        assert_int_equal(td_sched_submit(sc, &a, HELLO, HELLO_LEN, on_data, on_done, &r[i]), 0);
    }
    double t0 = mono_s();
    assert_int_equal(td_sched_run(sc), 0);
    double took = mono_s() - t0;
    assert_int_equal(td_sched_connections(sc), 6);
    td_sched_free(sc);
    srv_stop(s);
    qsort(r, 6, sizeof r[0], by_start);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(r[i].done_calls, 1);
        assert_int_equal(r[i].r.status, TD_IO_DONE);
        assert_int_equal(r[i].r.seq, (unsigned)i + 1);
        if (i)
            assert_true(r[i].r.start_ms - r[i - 1].r.start_ms >= 99);
    }
    assert_true(r[0].r.start_ms >= 0 && r[0].r.start_ms < 50); /* the first one at once */
    assert_true(took >= 0.49);
    assert_true(took < 2.0);
}

/* A rate set while jobs wait applies to the next start; lifting it lets
 * the rest go at once. */
typedef struct rerate {
    td_sched *s;
    int done;
    double t[4];
} rerate;

static void rerate_done(void *ctx, const td_io_result *rr)
{
    rerate *x = ctx;
    (void)rr;
    x->t[x->done++] = mono_s();
    if (x->done == 1)
        td_sched_set_rate(x->s, 2);
    else if (x->done == 2)
        td_sched_set_rate(x->s, 0);
}

static void test_rate_change(void **st)
{
    (void)st;
    td_sched_opts o = {.max_conns = 1, .step_timeout_s = 2, .deadline_s = 10};
    rerate x;
    memset(&x, 0, sizeof x);
    x.s = td_sched_new(&o);
    assert_non_null(x.s);
    assert_float_equal(td_sched_rate(x.s), 0, 1e-9);
    td_addr a = addr_of("127.0.0.1", closed_port("127.0.0.1"));
    for (int i = 0; i < 4; i++)
        assert_int_equal(td_sched_submit(x.s, &a, HELLO, HELLO_LEN, NULL, rerate_done, &x), 0);
    assert_int_equal(td_sched_run(x.s), 0);
    td_sched_free(x.s);
    assert_int_equal(x.done, 4);
    assert_true(x.t[1] - x.t[0] >= 0.45); /* waited for the new rate's token */
    assert_true(x.t[3] - x.t[1] < 0.2);   /* then no limit */
}

/* The deadline ends connects that wait for their turn. */
static void test_rate_deadline(void **st)
{
    (void)st;
    td_sched_opts o = {.max_conns = 4, .step_timeout_s = 2, .deadline_s = 0.3, .rate = 2};
    td_sched *sc = td_sched_new(&o);
    td_addr a = addr_of("127.0.0.1", closed_port("127.0.0.1"));
    res r[3];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 3; i++)
        assert_int_equal(td_sched_submit(sc, &a, HELLO, HELLO_LEN, NULL, on_done, &r[i]), 0);
    double t0 = mono_s();
    assert_int_equal(td_sched_run(sc), 0);
    double took = mono_s() - t0;
    assert_int_equal(td_sched_connections(sc), 1);
    td_sched_free(sc);
    assert_int_equal(r[0].r.status, TD_IO_REFUSED);
    assert_int_equal(r[1].r.status, TD_IO_DEADLINE);
    assert_int_equal(r[2].r.status, TD_IO_DEADLINE);
    assert_int_equal(r[1].r.seq, 0);
    assert_true(r[1].r.start_ms < 0);
    assert_true(took >= 0.25 && took < 1.0);
}

/* A shorter step timeout applies to the next wait, in a job already
 * submitted too; nonsense leaves it as it was. */
static void test_step_timeout_change(void **st)
{
    (void)st;
    srv *s = srv_start("127.0.0.1", SRV_HANG, HELLO_LEN);
    td_sched_opts o = {.max_conns = 2, .step_timeout_s = 5, .deadline_s = 10};
    td_sched *sc = td_sched_new(&o);
    td_addr a = addr_of("127.0.0.1", s->port);
    res r = {0};
    assert_int_equal(td_sched_submit(sc, &a, HELLO, HELLO_LEN, on_data, on_done, &r), 0);
    td_sched_set_step_timeout(sc, 0.2);
    td_sched_set_step_timeout(sc, 0);
    td_sched_set_step_timeout(sc, NAN);
    assert_float_equal(td_sched_step_timeout(sc), 0.2, 1e-9);
    double t0 = mono_s();
    assert_int_equal(td_sched_run(sc), 0);
    double took = mono_s() - t0;
    td_sched_free(sc);
    srv_stop(s);
    assert_int_equal(r.r.status, TD_IO_TIMEOUT);
    assert_true(took >= 0.18 && took < 1.5);
}

/* ---- jobs submitted for later ------------------------------------------- */

/* Recorded in start order, like the priorities above (prio_done; no job
 * here is tagged 'N', so none chains). */
static void test_later(void **st)
{
    (void)st;
    td_sched_opts o = {.max_conns = 1, .step_timeout_s = 2, .deadline_s = 10};
    prio p;
    memset(&p, 0, sizeof p);
    p.s = td_sched_new(&o);
    assert_non_null(p.s);
    p.a = addr_of("127.0.0.1", closed_port("127.0.0.1"));
    prio_job n = {&p, 'n'}, f = {&p, 'F'}, d = {&p, 'D'}, lo = {&p, 'L'}, lf = {&p, 'l'};
    assert_int_equal(td_sched_submit(p.s, &p.a, HELLO, HELLO_LEN, NULL, prio_done, &n), 0);
    assert_int_equal(td_sched_submit_low(p.s, &p.a, HELLO, HELLO_LEN, NULL, prio_done, &lo), 0);
    assert_int_equal(td_sched_submit(p.s, &p.a, HELLO, HELLO_LEN, NULL, prio_done, &n), 0);
    /* due now: the front of the queue; in 0.3 s: after all the others */
    assert_int_equal(td_sched_submit_later(p.s, 0.3, false, &p.a, HELLO, HELLO_LEN, NULL, prio_done, &d), 0);
    assert_int_equal(td_sched_submit_later(p.s, 0, false, &p.a, HELLO, HELLO_LEN, NULL, prio_done, &f), 0);
    assert_int_equal(td_sched_submit_later(p.s, 0, true, &p.a, HELLO, HELLO_LEN, NULL, prio_done, &lf), 0);
    assert_int_equal(td_sched_submit_later(p.s, NAN, false, &p.a, HELLO, HELLO_LEN, NULL, prio_done, &f), -1);
    double t0 = mono_s();
    assert_int_equal(td_sched_run(p.s), 0);
    double took = mono_s() - t0;
    assert_int_equal(td_sched_connections(p.s), 6);
    td_sched_free(p.s);
    assert_string_equal(p.order, "FnnlLD");
    assert_true(took >= 0.28 && took < 1.0); /* D, last, waited its 0.3 s */
}

/* A job waiting to become due still ends at the deadline, or when the
 * scheduler is freed, with its one on_done. */
static void test_later_deadline(void **st)
{
    (void)st;
    td_sched_opts o = {.max_conns = 2, .step_timeout_s = 2, .deadline_s = 0.2};
    td_sched *sc = td_sched_new(&o);
    td_addr a = addr_of("127.0.0.1", closed_port("127.0.0.1"));
    res r = {0}, r2 = {0};
    assert_int_equal(td_sched_submit_later(sc, 5, false, &a, HELLO, HELLO_LEN, NULL, on_done, &r), 0);
    double t0 = mono_s();
    assert_int_equal(td_sched_run(sc), 0);
    double took = mono_s() - t0;
    assert_int_equal(r.done_calls, 1);
    assert_int_equal(r.r.status, TD_IO_DEADLINE);
    assert_true(took >= 0.15 && took < 1.0);
    assert_int_equal(td_sched_connections(sc), 0);
    td_sched_free(sc);

    sc = td_sched_new(NULL);
    assert_int_equal(td_sched_submit_later(sc, 5, true, &a, HELLO, HELLO_LEN, NULL, on_done, &r2), 0);
    td_sched_free(sc);
    assert_int_equal(r2.done_calls, 1);
    assert_int_equal(r2.r.status, TD_IO_ERROR);
    assert_int_equal(r2.r.sys_errno, ECANCELED);
}

/* ---- lead-ins ------------------------------------------------------------ */

/* A line-based test engine: waits for the line `expect`, then sends `reply`
 * (if any) and, with `await_echo`, waits for the echo of it; `take` > 0
 * makes it done after that many bytes of the first read instead. */
typedef struct lcfg {
    const char *expect, *reply;
    bool await_echo;
    size_t take;
} lcfg;
typedef struct lstate {
    const lcfg *c;
    char line[64];
    size_t n;
    int phase;
} lstate;

static td_leadin_rc l_start(void *st, const void *cfg, const td_addr *target, td_leadin_io *io)
{
    (void)target;
    lstate *l = st;
    l->c = cfg;
    (void)io;
    return TD_LEADIN_MORE;
}

static td_leadin_rc l_feed(void *st, const uint8_t *in, size_t len, td_leadin_io *io)
{
    lstate *l = st;
    if (l->c->take) {
        io->used = l->c->take;
        return TD_LEADIN_DONE;
    }
    for (size_t i = 0; i < len; i++) {
        if (in[i] != '\n') {
            if (l->n + 1 < sizeof l->line)
                l->line[l->n++] = (char)in[i];
            continue;
        }
        l->line[l->n] = '\0';
        l->n = 0;
        const char *want = l->phase == 0 ? l->c->expect : l->c->reply;
        if (strcmp(l->line, want) != 0) {
            snprintf(io->why, sizeof io->why, "expected \"%s\", got \"%s\"", want, l->line);
            return TD_LEADIN_FAIL;
        }
        if (l->phase == 0 && l->c->reply) {
            io->out_len = (size_t)snprintf((char *)io->out, sizeof io->out, "%s\n", l->c->reply);
            if (l->c->await_echo) {
                l->phase = 1;
                continue;
            }
        }
        io->used = i + 1;
        return TD_LEADIN_DONE;
    }
    return TD_LEADIN_MORE;
}

static const td_leadin_ops L_OPS = {"greet", sizeof(lstate), true, l_start, l_feed};
static const td_leadin_ops L_OPS_STRICT = {"strict", sizeof(lstate), false, l_start, l_feed};

static void run_leadin(srv_mode mode, const td_leadin *lchain, size_t n, double step, res *r)
{
    srv *s = srv_start("127.0.0.1", mode, 0);
    td_sched_opts o = {.max_conns = 2, .step_timeout_s = step, .deadline_s = 10};
    td_sched *sc = td_sched_new(&o);
    assert_non_null(sc);
    assert_int_equal(td_sched_set_leadins(sc, lchain, n), 0);
    td_addr a = addr_of("127.0.0.1", s->port);
    assert_int_equal(td_sched_submit(sc, &a, HELLO, HELLO_LEN, on_data, on_done, r), 0);
    assert_int_equal(td_sched_run(sc), 0);
    td_sched_free(sc);
    srv_stop(s);
    assert_int_equal(r->done_calls, 1);
}

/* One lead-in (a banner, then a command echoed back), then the job's own
 * bytes: the job sees only its own exchange. */
static void test_leadin_one(void **st)
{
    (void)st;
    lcfg banner = {.expect = "hello", .reply = "go", .await_echo = true};
    td_leadin one[] = {{&L_OPS_STRICT, &banner, NULL}};
    res r = {.want = HELLO_LEN};
    run_leadin(SRV_GREET, one, 1, 2, &r);
    assert_int_equal(r.r.status, TD_IO_DONE);
    assert_int_equal(r.r.leadin_index, -1);
    assert_null(r.r.leadin_name);
    assert_true(r.r.leadin_ms >= 0);
    assert_int_equal(r.n_got, HELLO_LEN);
    assert_memory_equal(r.got, HELLO, HELLO_LEN);
    assert_int_equal(r.r.bytes_in, HELLO_LEN);
    assert_true(r.r.first_ms >= 0);
}

/* A lchain of two: the first takes "he" of the banner, the second sees the
 * rest ("llo"), answers "go" and waits for its echo. */
static void test_leadin_two(void **st)
{
    (void)st;
    lcfg first = {.take = 2};
    lcfg second = {.expect = "llo", .reply = "go", .await_echo = true};
    td_leadin lchain[] = {{&L_OPS, &first, NULL}, {&L_OPS_STRICT, &second, NULL}};
    res r = {.want = HELLO_LEN};
    run_leadin(SRV_GREET, lchain, 2, 2, &r);
    assert_int_equal(r.r.status, TD_IO_DONE);
    assert_int_equal(r.r.leadin_index, -1);
    assert_memory_equal(r.got, HELLO, HELLO_LEN);
}

static void test_leadin_fail(void **st)
{
    (void)st;
    lcfg c = {.expect = "bye", .reply = "go"};
    td_leadin lchain[] = {{&L_OPS, &c, NULL}};
    res r = {0};
    run_leadin(SRV_GREET, lchain, 1, 2, &r);
    assert_int_equal(r.r.status, TD_IO_LEADIN);
    assert_int_equal(r.r.leadin_index, 0);
    assert_string_equal(r.r.leadin_name, "greet");
    assert_string_equal(r.r.leadin_why, "expected \"bye\", got \"hello\"");
    assert_true(r.r.leadin_ms < 0);
    assert_int_equal(r.n_got, 0);
    assert_string_equal(td_io_status_name(TD_IO_LEADIN), "lead-in");
}

/* Bytes after the lead-in: the job's with trailing_ok, an error without. */
static void test_leadin_trailing(void **st)
{
    (void)st;
    lcfg c = {.take = 2};
    td_leadin ok[] = {{&L_OPS, &c, NULL}};
    res r = {.want = 4 + HELLO_LEN};
    run_leadin(SRV_GREET, ok, 1, 2, &r);
    assert_int_equal(r.r.status, TD_IO_DONE);
    assert_memory_equal(r.got, "llo\n", 4);
    assert_memory_equal(r.got + 4, HELLO, HELLO_LEN);

    td_leadin strict[] = {{&L_OPS_STRICT, &c, NULL}};
    res r2 = {.want = HELLO_LEN};
    run_leadin(SRV_GREET, strict, 1, 2, &r2);
    assert_int_equal(r2.r.status, TD_IO_LEADIN);
    assert_string_equal(r2.r.leadin_name, "strict");
    assert_non_null(strstr(r2.r.leadin_why, "4 unexpected bytes"));
}

/* A server that never speaks: the wait for its banner is a step timeout,
 * and the result says which lead-in was waiting. */
static void test_leadin_timeout(void **st)
{
    (void)st;
    lcfg c = {.expect = "hello"};
    td_leadin lchain[] = {{&L_OPS, &c, NULL}};
    res r = {0};
    double t0 = mono_s();
    run_leadin(SRV_HANG, lchain, 1, 0.3, &r);
    assert_int_equal(r.r.status, TD_IO_TIMEOUT);
    assert_int_equal(r.r.leadin_index, 0);
    assert_string_equal(r.r.leadin_name, "greet");
    assert_true(mono_s() - t0 < 2);
}

/* The connection goes to the first lead-in's via address. */
static void test_leadin_via(void **st)
{
    (void)st;
    srv *s = srv_start("127.0.0.1", SRV_GREET, 0);
    td_addr via = addr_of("127.0.0.1", s->port);
    lcfg c = {.expect = "hello"};
    td_leadin lchain[] = {{&L_OPS, &c, &via}};
    td_sched *sc = td_sched_new(&(td_sched_opts){.max_conns = 1, .step_timeout_s = 2, .deadline_s = 10});
    assert_int_equal(td_sched_set_leadins(sc, lchain, 1), 0);
    td_addr nowhere = addr_of("127.0.0.1", closed_port("127.0.0.1"));
    res r = {.want = HELLO_LEN};
    assert_int_equal(td_sched_submit(sc, &nowhere, HELLO, HELLO_LEN, on_data, on_done, &r), 0);
    assert_int_equal(td_sched_run(sc), 0);
    /* Bad chains are refused. */
    assert_int_equal(td_sched_set_leadins(sc, lchain, TD_LEADIN_MAX + 1), -1);
    td_leadin bad[] = {{NULL, NULL, NULL}};
    assert_int_equal(td_sched_set_leadins(sc, bad, 1), -1);
    td_sched_free(sc);
    srv_stop(s);
    assert_int_equal(r.r.status, TD_IO_DONE);
    assert_memory_equal(r.got, HELLO, HELLO_LEN);
}

/* td_leadin_simulate splits the input as told. */
static void test_leadin_simulate(void **st)
{
    (void)st;
    lcfg c = {.expect = "hello", .reply = "go"};
    static const uint8_t in[] = "hello\nrest";
    uint8_t out[16];
    size_t out_len, used;
    char why[64];
    for (size_t split = 0; split < 4; split++) {
        td_leadin_rc rc = td_leadin_simulate(&L_OPS, &c, NULL, in, sizeof in - 1, split, out, sizeof out, &out_len,
                                             &used, why, sizeof why);
        assert_int_equal(rc, TD_LEADIN_DONE);
        assert_int_equal(used, 6);
        assert_int_equal(out_len, 3);
        assert_memory_equal(out, "go\n", 3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_addr),
        cmocka_unit_test(test_addr_port_and_hostport),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_refused_v6),
        cmocka_unit_test(test_eof),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_reset_during_write),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_drip_bounded),
        cmocka_unit_test(test_echo_done),
        cmocka_unit_test(test_read_only),
        cmocka_unit_test(test_connect_timeout),
        cmocka_unit_test(test_concurrency_cap),
        cmocka_unit_test(test_chaining),
        cmocka_unit_test(test_chaining_refused),
        cmocka_unit_test(test_low_priority),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_deadline_chain),
        cmocka_unit_test(test_two_scheds),
        cmocka_unit_test(test_free_queued),
        cmocka_unit_test(test_bucket),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_rate_change),
        cmocka_unit_test(test_rate_deadline),
        cmocka_unit_test(test_step_timeout_change),
        cmocka_unit_test(test_later),
        cmocka_unit_test(test_later_deadline),
        cmocka_unit_test(test_leadin_one),
        cmocka_unit_test(test_leadin_two),
        cmocka_unit_test(test_leadin_fail),
        cmocka_unit_test(test_leadin_trailing),
        cmocka_unit_test(test_leadin_timeout),
        cmocka_unit_test(test_leadin_via),
        cmocka_unit_test(test_leadin_simulate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
