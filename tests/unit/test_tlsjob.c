/* TLS jobs against real OpenSSL servers on 127.0.0.1, run in threads of
 * this process with a key and certificate made at start-up: handshakes in
 * TLS 1.3 and 1.2, the peer chain, ALPN, SNI, client certificates,
 * resumption, every network-level ending, the shared concurrency cap and
 * the deadline.
 *
 * SIGPIPE keeps its default action in the main thread, which is the only
 * one running the scheduler: a write of the library's that raised it would
 * kill this test.  The server threads block it, since their OpenSSL writes
 * with SSL_set_fd's plain write(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "net/net.h"

/* ---- keys and certificates ------------------------------------------------ */

static EVP_PKEY *srv_key, *cli_key;
static X509 *srv_cert, *cli_cert;

static X509 *self_signed(EVP_PKEY *k, const char *cn, long serial)
{
    X509 *x = X509_new();
    if (!x)
        return NULL;
    X509_NAME *n = X509_get_subject_name(x);
    bool ok = X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), serial)
              && X509_gmtime_adj(X509_getm_notBefore(x), -3600)
              && X509_gmtime_adj(X509_getm_notAfter(x), 86400) && X509_set_pubkey(x, k)
              && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                            -1, 0)
              && X509_set_issuer_name(x, n) && X509_sign(x, k, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int group_setup(void **st)
{
    (void)st;
    srv_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    cli_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!srv_key || !cli_key)
        return -1;
    srv_cert = self_signed(srv_key, "server.test", 1);
    cli_cert = self_signed(cli_key, "client.test", 2);
    return srv_cert && cli_cert ? 0 : -1;
}

static int group_teardown(void **st)
{
    (void)st;
    X509_free(srv_cert);
    X509_free(cli_cert);
    EVP_PKEY_free(srv_key);
    EVP_PKEY_free(cli_key);
    return 0;
}

/* ---- helpers ------------------------------------------------------------- */

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

static int listen_local(uint16_t *port)
{
    td_addr a;
    if (!td_addr_from_ip("127.0.0.1", 0, &a))
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0 || listen(fd, 64) < 0) {
        close(fd);
        return -1;
    }
    struct sockaddr_in sin;
    socklen_t sl = sizeof sin;
    getsockname(fd, (struct sockaddr *)&sin, &sl);
    *port = ntohs(sin.sin_port);
    return fd;
}

static td_addr local(uint16_t port)
{
    td_addr a;
    assert_true(td_addr_from_ip("127.0.0.1", port, &a));
    return a;
}

/* ---- the servers ------------------------------------------------------------ */

typedef enum {
    TS_TLS,             /* OpenSSL handshake, then read until the client leaves */
    TS_TLS_CLOSE,       /* OpenSSL handshake, then close at once (no close_notify) */
    TS_TLS_RST_FLIGHT,  /* send the server's first flight, then RST */
    TS_READ_RST,        /* read the ClientHello record, RST */
    TS_READ_CLOSE,      /* read the ClientHello record, FIN */
    TS_SILENT,          /* read, then say nothing until the client leaves */
    TS_HTTP,            /* read, answer in plain-text HTTP */
    TS_PLAIN_HOLD,      /* byte jobs: read the request, answer "ok" */
    TS_UPGRADE          /* "ready\n", read "go\n", then as TS_TLS (a STARTTLS in small) */
} ts_mode;

/* Connections open at once, shared by servers.  A handler counts itself
 * from accept until just before it answers: the client cannot finish that
 * job (and start the next) before the answer, so a count above the cap
 * means the cap was broken, never a late decrement. */
typedef struct conc {
    pthread_mutex_t mu;
    int cur, max, total;
} conc;

#define TS_MAX_CONNS 64

typedef struct tsrv {
    ts_mode mode;
    SSL_CTX *ctx;
    int lfd;
    uint16_t port;
    pthread_t acceptor;
    pthread_t handlers[TS_MAX_CONNS];
    int n_handlers;
    atomic_bool stop;
    conc *count;
    pthread_mutex_t mu;
    char sni[64];
    int handshakes, reused;
} tsrv;

typedef struct targ {
    tsrv *s;
    int fd;
} targ;

static bool wait_readable(tsrv *s, int fd)
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

static bool read_n(tsrv *s, int fd, uint8_t *buf, size_t n)
{
    while (n) {
        if (!wait_readable(s, fd))
            return false;
        ssize_t r = recv(fd, buf, n, 0);
        if (r <= 0)
            return false;
        buf += r;
        n -= (size_t)r;
    }
    return true;
}

/* Reads one whole TLS record (the ClientHello) into buf, so that a close
 * after it leaves nothing unread and is a FIN, not an RST. */
static size_t read_record(tsrv *s, int fd, uint8_t *buf, size_t cap)
{
    if (cap < 5 || !read_n(s, fd, buf, 5))
        return 0;
    size_t len = (size_t)buf[3] << 8 | buf[4];
    if (len > cap - 5 || !read_n(s, fd, buf + 5, len))
        return 0;
    return 5 + len;
}

static void skip_record(tsrv *s, int fd)
{
    uint8_t buf[16384 + 2048];
    read_record(s, fd, buf, sizeof buf);
}

static void until_client_leaves(tsrv *s, int fd)
{
    while (wait_readable(s, fd)) {
        uint8_t b[4096];
        if (recv(fd, b, sizeof b, 0) <= 0)
            break;
    }
}

static void rst_close(int fd)
{
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

static void count_in(conc *c)
{
    pthread_mutex_lock(&c->mu);
    c->cur++;
    c->total++;
    if (c->cur > c->max)
        c->max = c->cur;
    pthread_mutex_unlock(&c->mu);
    sleep_ms(40);
    pthread_mutex_lock(&c->mu);
    c->cur--;
    pthread_mutex_unlock(&c->mu);
}

static void serve_tls(tsrv *s, int fd, bool linger)
{
    /* Blocking OpenSSL on this side, bounded so teardown never hangs. */
    struct timeval tv = {3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL *ssl = SSL_new(s->ctx);
    if (!ssl || !SSL_set_fd(ssl, fd)) {
        SSL_free(ssl);
        close(fd);
        return;
    }
    SSL_set_app_data(ssl, s);
    if (SSL_accept(ssl) == 1) {
        pthread_mutex_lock(&s->mu);
        s->handshakes++;
        if (SSL_session_reused(ssl))
            s->reused++;
        pthread_mutex_unlock(&s->mu);
        uint8_t b[4096];
        while (linger && SSL_read(ssl, b, sizeof b) > 0)
            ;
    } else {
        /* Read what the client still sends so the close is a FIN. */
        until_client_leaves(s, fd);
    }
    SSL_free(ssl);
    close(fd);
}

/* The server reads the ClientHello itself and gives it to OpenSSL through
 * a memory BIO: SSL_accept then writes the whole first flight to the
 * socket and stops for want of the client's answer, which it can never
 * have read (a socket read there would race with a fast client), and the
 * RST goes out. */
static void serve_rst_after_flight(tsrv *s, int fd)
{
    uint8_t hello[16384 + 2048];
    size_t n = read_record(s, fd, hello, sizeof hello);
    SSL *ssl = SSL_new(s->ctx);
    BIO *in = BIO_new(BIO_s_mem());
    BIO *out = BIO_new_socket(fd, BIO_NOCLOSE);
    if (n && ssl && in && out) {
        BIO_set_mem_eof_return(in, -1); /* empty means "wait", not EOF */
        BIO_write(in, hello, (int)n);
        SSL_set_bio(ssl, in, out);
        in = out = NULL;
        SSL_accept(ssl);
    }
    BIO_free(in);
    BIO_free(out);
    ERR_clear_error();
    SSL_free(ssl);
    rst_close(fd);
}

static void *serve(void *arg)
{
    targ *ta = arg;
    tsrv *s = ta->s;
    int fd = ta->fd;
    free(ta);
    switch (s->mode) {
    case TS_TLS:
        if (s->count)
            count_in(s->count);
        serve_tls(s, fd, true);
        break;
    case TS_TLS_CLOSE:
        serve_tls(s, fd, false);
        break;
    case TS_TLS_RST_FLIGHT:
        serve_rst_after_flight(s, fd);
        break;
    case TS_READ_RST:
        skip_record(s, fd);
        rst_close(fd);
        break;
    case TS_READ_CLOSE:
        skip_record(s, fd);
        close(fd);
        break;
    case TS_SILENT:
        until_client_leaves(s, fd);
        close(fd);
        break;
    case TS_HTTP: {
        static const char resp[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        skip_record(s, fd);
        send(fd, resp, sizeof resp - 1, MSG_NOSIGNAL);
        until_client_leaves(s, fd);
        close(fd);
        break;
    }
    case TS_UPGRADE: {
        uint8_t go[3];
        send(fd, "ready\n", 6, MSG_NOSIGNAL);
        if (read_n(s, fd, go, sizeof go) && memcmp(go, "go\n", 3) == 0)
            serve_tls(s, fd, true);
        else
            close(fd);
        break;
    }
    case TS_PLAIN_HOLD: {
        uint8_t req[4];
        if (s->count)
            count_in(s->count);
        if (read_n(s, fd, req, sizeof req))
            send(fd, "ok", 2, MSG_NOSIGNAL);
        until_client_leaves(s, fd);
        close(fd);
        break;
    }
    }
    return NULL;
}

static void *accept_loop(void *arg)
{
    tsrv *s = arg;
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, NULL); /* handlers inherit it */
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {s->lfd, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0)
            continue;
        int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        targ *ta = malloc(sizeof *ta);
        if (!ta || s->n_handlers >= TS_MAX_CONNS) {
            free(ta);
            close(fd);
            continue;
        }
        ta->s = s;
        ta->fd = fd;
        if (pthread_create(&s->handlers[s->n_handlers], NULL, serve, ta) != 0) {
            free(ta);
            close(fd);
            continue;
        }
        s->n_handlers++;
    }
    for (int i = 0; i < s->n_handlers; i++)
        pthread_join(s->handlers[i], NULL);
    return NULL;
}

static int record_sni(SSL *ssl, int *al, void *arg)
{
    (void)al;
    tsrv *s = arg;
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    pthread_mutex_lock(&s->mu);
    snprintf(s->sni, sizeof s->sni, "%s", name ? name : "");
    pthread_mutex_unlock(&s->mu);
    return SSL_TLSEXT_ERR_OK;
}

/* Picks "h2" when the client offers it, and nothing otherwise. */
static int select_h2(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                     const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)ssl;
    (void)arg;
    for (unsigned i = 0; i < inlen;) {
        unsigned n = in[i];
        if (i + 1 + n > inlen)
            break;
        if (n == 2 && memcmp(in + i + 1, "h2", 2) == 0) {
            *out = in + i + 1;
            *outlen = 2;
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + n;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

static int accept_any_cert(int ok, X509_STORE_CTX *x)
{
    (void)ok;
    (void)x;
    return 1;
}

typedef struct srv_cfg {
    int min_version, max_version;
    bool alpn_h2;
    bool require_client_cert; /* SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT */
    bool request_client_cert; /* SSL_VERIFY_PEER only */
    int num_tickets;          /* -1: OpenSSL's default */
} srv_cfg;

static tsrv *start(ts_mode mode, const srv_cfg *cfg, conc *count)
{
    tsrv *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->mode = mode;
    s->count = count;
    pthread_mutex_init(&s->mu, NULL);
    atomic_init(&s->stop, false);
    if (cfg) {
        s->ctx = SSL_CTX_new(TLS_server_method());
        assert_non_null(s->ctx);
        assert_int_equal(SSL_CTX_use_certificate(s->ctx, srv_cert), 1);
        assert_int_equal(SSL_CTX_use_PrivateKey(s->ctx, srv_key), 1);
        if (cfg->min_version)
            SSL_CTX_set_min_proto_version(s->ctx, cfg->min_version);
        if (cfg->max_version)
            SSL_CTX_set_max_proto_version(s->ctx, cfg->max_version);
        SSL_CTX_set_tlsext_servername_callback(s->ctx, record_sni);
        SSL_CTX_set_tlsext_servername_arg(s->ctx, s);
        if (cfg->alpn_h2)
            SSL_CTX_set_alpn_select_cb(s->ctx, select_h2, NULL);
        if (cfg->require_client_cert)
            SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                               accept_any_cert);
        else if (cfg->request_client_cert)
            SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, accept_any_cert);
        if (cfg->num_tickets >= 0)
            SSL_CTX_set_num_tickets(s->ctx, (size_t)cfg->num_tickets);
        /* Resumption must not depend on a test-wide session id context. */
        SSL_CTX_set_session_id_context(s->ctx, (const unsigned char *)"tlsjob", 6);
    }
    s->lfd = listen_local(&s->port);
    assert_true(s->lfd >= 0);
    assert_int_equal(pthread_create(&s->acceptor, NULL, accept_loop, s), 0);
    return s;
}

/* Ends the server's threads; its counters are final from here on. */
static void halt(tsrv *s)
{
    if (s->lfd < 0)
        return;
    atomic_store(&s->stop, true);
    pthread_join(s->acceptor, NULL);
    close(s->lfd);
    s->lfd = -1;
}

static void stop(tsrv *s)
{
    halt(s);
    SSL_CTX_free(s->ctx);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* ---- the client side -------------------------------------------------------- */

typedef struct tres {
    int calls;
    td_io_result io;
    td_tls_result tls;
    bool had_ssl;
    int version;
    bool reused;
    char alpn[16];
    int chain_len;
    bool leaf_is_server_cert;
    bool keep_session;
    SSL_SESSION *sess;
    bool resumable;
} tres;

static void on_tls(void *ctx, const td_io_result *io, const td_tls_result *tls, SSL *ssl)
{
    tres *r = ctx;
    r->calls++;
    r->io = *io;
    r->tls = *tls;
    r->had_ssl = ssl != NULL;
    if (!ssl)
        return;
    r->version = SSL_version(ssl);
    r->reused = SSL_session_reused(ssl) == 1;
    const unsigned char *p = NULL;
    unsigned plen = 0;
    SSL_get0_alpn_selected(ssl, &p, &plen);
    if (p && plen < sizeof r->alpn) {
        memcpy(r->alpn, p, plen);
        r->alpn[plen] = '\0';
    }
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    r->chain_len = chain ? sk_X509_num(chain) : 0;
    r->leaf_is_server_cert = r->chain_len > 0 && X509_cmp(sk_X509_value(chain, 0), srv_cert) == 0;
    SSL_SESSION *cur = SSL_get_session(ssl);
    r->resumable = cur && SSL_SESSION_is_resumable(cur);
    if (r->keep_session)
        r->sess = SSL_get1_session(ssl);
}

static SSL_CTX *client_ctx(int max_version, bool with_cert)
{
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    assert_non_null(c);
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
    if (max_version)
        SSL_CTX_set_max_proto_version(c, max_version);
    if (with_cert) {
        assert_int_equal(SSL_CTX_use_certificate(c, cli_cert), 1);
        assert_int_equal(SSL_CTX_use_PrivateKey(c, cli_key), 1);
    }
    return c;
}

/* One TLS job on its own scheduler. */
static void run_tls(uint16_t port, const td_tls_opts *o, double step, tres *r)
{
    td_sched_opts so = {.max_conns = 2, .step_timeout_s = step, .deadline_s = 20};
    td_sched *s = td_sched_new(&so);
    assert_non_null(s);
    td_addr a = local(port);
    assert_int_equal(td_sched_submit_tls(s, &a, o, on_tls, r), 0);
    assert_int_equal(td_sched_run(s), 0);
    assert_int_equal(td_sched_connections(s), 1);
    td_sched_free(s);
    assert_int_equal(r->calls, 1);
}

static void assert_success(const tres *r)
{
    if (r->io.status != TD_IO_DONE || !r->tls.handshake_done)
        fail_msg("status %s, error \"%s\"", td_io_status_name(r->io.status), r->tls.error);
    assert_true(r->had_ssl);
    assert_int_equal(r->tls.alert_received, -1);
    assert_int_equal(r->tls.alert_sent, -1);
    assert_int_equal(r->tls.ssl_err, 0);
    assert_string_equal(r->tls.error, "");
    assert_true(r->io.connect_ms >= 0);
    assert_true(r->io.first_ms >= 0);
    assert_true(r->io.bytes_in > 0);
}

/* ---- handshakes ------------------------------------------------------------ */

static void handshake_at(int version)
{
    srv_cfg cfg = {.max_version = version, .num_tickets = -1};
    tsrv *s = start(TS_TLS, &cfg, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c, .sni = "server.test"};
    tres r = {0};
    run_tls(s->port, &o, 5, &r);
    SSL_CTX_free(c);
    stop(s);
    assert_success(&r);
    assert_int_equal(r.version, version);
    assert_true(r.chain_len >= 1);
    assert_true(r.leaf_is_server_cert);
    assert_false(r.reused);
    assert_string_equal(r.alpn, "");
}

static void test_tls13_handshake(void **st)
{
    (void)st;
    handshake_at(TLS1_3_VERSION);
}

static void test_tls12_handshake(void **st)
{
    (void)st;
    handshake_at(TLS1_2_VERSION);
}

static void test_sni(void **st)
{
    (void)st;
    srv_cfg cfg = {.num_tickets = -1};
    tsrv *s = start(TS_TLS, &cfg, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c, .sni = "www.server.test"};
    tres r = {0};
    run_tls(s->port, &o, 5, &r);
    pthread_mutex_lock(&s->mu);
    char seen[64];
    memcpy(seen, s->sni, sizeof seen);
    pthread_mutex_unlock(&s->mu);
    assert_success(&r);
    assert_string_equal(seen, "www.server.test");

    /* "" means no server_name extension at all. */
    o.sni = "";
    memset(&r, 0, sizeof r);
    run_tls(s->port, &o, 5, &r);
    pthread_mutex_lock(&s->mu);
    memcpy(seen, s->sni, sizeof seen);
    pthread_mutex_unlock(&s->mu);
    SSL_CTX_free(c);
    stop(s);
    assert_success(&r);
    assert_string_equal(seen, "");
}

static void test_alpn(void **st)
{
    (void)st;
    static const unsigned char both[] = "\x02h2\x08http/1.1";
    static const unsigned char h11[] = "\x08http/1.1";
    srv_cfg cfg = {.alpn_h2 = true, .num_tickets = -1};
    tsrv *s = start(TS_TLS, &cfg, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c, .alpn = both, .alpn_len = sizeof both - 1};
    tres r = {0};
    run_tls(s->port, &o, 5, &r);
    assert_success(&r);
    assert_string_equal(r.alpn, "h2");

    o.alpn = h11;
    o.alpn_len = sizeof h11 - 1;
    memset(&r, 0, sizeof r);
    run_tls(s->port, &o, 5, &r);
    SSL_CTX_free(c);
    stop(s);
    assert_success(&r);
    assert_string_equal(r.alpn, "");
}

/* ---- client certificates ---------------------------------------------------- */

static void client_cert_required(int version, int alert)
{
    srv_cfg cfg = {.max_version = version, .require_client_cert = true, .num_tickets = -1};
    tsrv *s = start(TS_TLS, &cfg, NULL);

    SSL_CTX *bare = client_ctx(0, false);
    td_tls_opts o = {.ctx = bare};
    tres r = {0};
    run_tls(s->port, &o, 5, &r);
    SSL_CTX_free(bare);
    assert_int_equal(r.io.status, TD_IO_DONE);
    assert_false(r.tls.handshake_done);
    assert_int_equal(r.tls.alert_received, alert);
    assert_int_not_equal(r.tls.ssl_err, 0);
    assert_non_null(strstr(r.tls.error, "peer sent alert"));
    assert_true(r.had_ssl);
    assert_true(r.io.total_ms < 2000); /* the alert itself ended it, not a timeout */

    SSL_CTX *with = client_ctx(0, true);
    o.ctx = with;
    memset(&r, 0, sizeof r);
    run_tls(s->port, &o, 5, &r);
    SSL_CTX_free(with);
    stop(s);
    assert_success(&r);
    assert_int_equal(r.version, version);
    assert_true(r.io.total_ms < 2000); /* the server's tickets settled it */
}

static void test_client_cert_required_tls13(void **st)
{
    (void)st;
    client_cert_required(TLS1_3_VERSION, 116); /* certificate_required */
}

static void test_client_cert_required_tls12(void **st)
{
    (void)st;
    client_cert_required(TLS1_2_VERSION, 40); /* handshake_failure */
}

/* A TLS 1.3 server that asks for a certificate, accepts going without and
 * sends no tickets gives no verdict at all: the job waits one step timeout
 * for one, then reports the handshake as done. */
static void test_client_cert_optional_no_tickets(void **st)
{
    (void)st;
    srv_cfg cfg = {.max_version = TLS1_3_VERSION, .request_client_cert = true, .num_tickets = 0};
    tsrv *s = start(TS_TLS, &cfg, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c};
    tres r = {0};
    double t0 = mono_s();
    run_tls(s->port, &o, 0.4, &r);
    double took = mono_s() - t0;
    SSL_CTX_free(c);
    stop(s);
    assert_success(&r);
    assert_true(took >= 0.35);
    assert_true(took < 2.0);
}

/* ---- resumption ------------------------------------------------------------- */

static void resumption_at(int version, double ticket_wait)
{
    srv_cfg cfg = {.max_version = version, .num_tickets = -1};
    tsrv *s = start(TS_TLS, &cfg, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c, .sni = "server.test", .ticket_wait_s = ticket_wait};
    tres first = {.keep_session = true};
    run_tls(s->port, &o, 5, &first);
    assert_success(&first);
    assert_false(first.reused);
    assert_true(first.resumable);
    assert_non_null(first.sess);
    /* The ticket ends the wait, not the clock. */
    if (ticket_wait > 0)
        assert_true(first.io.total_ms < ticket_wait * 1000.0 * 0.8);

    o.session = first.sess;
    o.ticket_wait_s = 0;
    tres second = {0};
    run_tls(s->port, &o, 5, &second);
    SSL_SESSION_free(first.sess); /* the job held its own reference */
    SSL_CTX_free(c);
    /* In TLS 1.3 the client is done before the server's SSL_accept returns. */
    halt(s);
    int reused = s->reused;
    stop(s);
    assert_success(&second);
    assert_true(second.reused);
    assert_int_equal(reused, 1);
}

static void test_resumption_tls13(void **st)
{
    (void)st;
    resumption_at(TLS1_3_VERSION, 0.5);
}

static void test_resumption_tls12(void **st)
{
    (void)st;
    resumption_at(TLS1_2_VERSION, 0);
}

/* No tickets coming: the wait runs its full length, and the handshake
 * still stands. */
static void test_ticket_wait_expires(void **st)
{
    (void)st;
    srv_cfg cfg = {.max_version = TLS1_3_VERSION, .num_tickets = 0};
    tsrv *s = start(TS_TLS, &cfg, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c, .ticket_wait_s = 0.3};
    tres r = {0};
    double t0 = mono_s();
    run_tls(s->port, &o, 5, &r);
    double took = mono_s() - t0;
    SSL_CTX_free(c);
    stop(s);
    assert_success(&r);
    assert_false(r.resumable);
    assert_true(took >= 0.28);
    assert_true(took < 2.0);
}

/* A server that closes while we wait for tickets ends the wait; the
 * handshake stands, and a FIN is no reason for an alert. */
static void test_close_during_ticket_wait(void **st)
{
    (void)st;
    srv_cfg cfg = {.max_version = TLS1_3_VERSION, .num_tickets = 0};
    tsrv *s = start(TS_TLS_CLOSE, &cfg, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c, .ticket_wait_s = 3};
    tres r = {0};
    run_tls(s->port, &o, 5, &r);
    SSL_CTX_free(c);
    stop(s);
    assert_success(&r);
    assert_true(r.io.total_ms < 2000);
}

/* A server that asked for a certificate and closes instead of saying
 * anything after our Finished has not accepted the handshake. */
static void test_close_instead_of_verdict(void **st)
{
    (void)st;
    srv_cfg cfg = {.max_version = TLS1_3_VERSION, .request_client_cert = true, .num_tickets = 0};
    tsrv *s = start(TS_TLS_CLOSE, &cfg, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c};
    tres r = {0};
    run_tls(s->port, &o, 5, &r);
    SSL_CTX_free(c);
    stop(s);
    assert_int_equal(r.io.status, TD_IO_EOF);
    assert_false(r.tls.handshake_done);
    assert_int_equal(r.tls.alert_received, -1);
    assert_int_equal(r.tls.alert_sent, -1);
    assert_string_equal(r.tls.error, "EOF in answer to the client's certificate");
    assert_true(r.io.total_ms < 2000);
}

/* Without a wait, a TLS 1.3 job ends with the handshake: no ticket yet. */
static void test_tls13_no_wait(void **st)
{
    (void)st;
    srv_cfg cfg = {.max_version = TLS1_3_VERSION, .num_tickets = -1};
    tsrv *s = start(TS_TLS, &cfg, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c};
    tres r = {0};
    run_tls(s->port, &o, 5, &r);
    SSL_CTX_free(c);
    stop(s);
    assert_success(&r);
    assert_false(r.resumable);
}

/* ---- network-level endings -------------------------------------------------- */

static void test_reset(void **st)
{
    (void)st;
    tsrv *s = start(TS_READ_RST, NULL, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c};
    tres r = {0};
    run_tls(s->port, &o, 5, &r);
    SSL_CTX_free(c);
    stop(s);
    assert_int_equal(r.io.status, TD_IO_RESET);
    assert_int_equal(r.io.sys_errno, ECONNRESET);
    assert_false(r.tls.handshake_done);
    assert_int_equal(r.tls.alert_received, -1);
    assert_true(r.had_ssl);
    assert_string_equal(r.tls.error, "connection reset during the handshake");
}

/* The RST comes after the server's whole first flight, while the client
 * answers: whether our write or our next read meets it, it is a reset. */
static void test_reset_after_flight(void **st)
{
    (void)st;
    srv_cfg cfg = {.max_version = TLS1_2_VERSION, .num_tickets = -1};
    tsrv *s = start(TS_TLS_RST_FLIGHT, &cfg, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c};
    for (int i = 0; i < 5; i++) {
        tres r = {0};
        run_tls(s->port, &o, 5, &r);
        if (r.io.status != TD_IO_RESET)
            fail_msg("round %d: status %s, handshake_done %d, error \"%s\"", i,
                     td_io_status_name(r.io.status), r.tls.handshake_done, r.tls.error);
        assert_false(r.tls.handshake_done);
        assert_true(r.io.bytes_in > 0);
    }
    SSL_CTX_free(c);
    stop(s);
}

static void test_eof(void **st)
{
    (void)st;
    tsrv *s = start(TS_READ_CLOSE, NULL, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c};
    tres r = {0};
    run_tls(s->port, &o, 5, &r);
    SSL_CTX_free(c);
    stop(s);
    assert_int_equal(r.io.status, TD_IO_EOF);
    assert_false(r.tls.handshake_done);
    assert_int_equal(r.io.bytes_in, 0);
    assert_int_equal(r.tls.alert_received, -1);
    assert_int_equal(r.tls.alert_sent, -1);
    assert_string_equal(r.tls.error, "EOF during the handshake");
}

static void test_timeout(void **st)
{
    (void)st;
    tsrv *s = start(TS_SILENT, NULL, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c};
    tres r = {0};
    double t0 = mono_s();
    run_tls(s->port, &o, 0.3, &r);
    double took = mono_s() - t0;
    SSL_CTX_free(c);
    stop(s);
    assert_int_equal(r.io.status, TD_IO_TIMEOUT);
    assert_false(r.tls.handshake_done);
    assert_true(r.io.connect_ms >= 0);
    assert_true(r.io.first_ms < 0);
    assert_true(took >= 0.28);
    assert_true(took < 1.5);
}

static void test_refused(void **st)
{
    (void)st;
    /* Bound but not listening: connects to it are refused, and the port
     * stays ours for the test. */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    td_addr a = local(0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a.ss, a.len), 0);
    struct sockaddr_in sin;
    socklen_t sl = sizeof sin;
    getsockname(fd, (struct sockaddr *)&sin, &sl);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c};
    tres r = {0};
    run_tls(ntohs(sin.sin_port), &o, 2, &r);
    SSL_CTX_free(c);
    close(fd);
    assert_int_equal(r.io.status, TD_IO_REFUSED);
    assert_false(r.had_ssl);
    assert_false(r.tls.handshake_done);
    assert_true(r.io.connect_ms < 0);
    assert_string_equal(r.tls.error, "TCP connect: connection refused");
}

/* A plain-text answer is a TLS-level failure, described by OpenSSL. */
static void test_not_tls(void **st)
{
    (void)st;
    tsrv *s = start(TS_HTTP, NULL, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c};
    tres r = {0};
    run_tls(s->port, &o, 5, &r);
    SSL_CTX_free(c);
    stop(s);
    assert_int_equal(r.io.status, TD_IO_DONE);
    assert_false(r.tls.handshake_done);
    assert_int_not_equal(r.tls.ssl_err, 0);
    assert_int_equal(r.tls.alert_received, -1);
    assert_non_null(strstr(r.tls.error, "wrong version number"));
}

/* ---- one scheduler for both kinds of job ------------------------------------ */

typedef struct bres {
    int calls;
    td_io_result io;
    size_t got;
} bres;

static td_want on_bytes(void *ctx, const uint8_t *d, size_t n)
{
    (void)d;
    bres *b = ctx;
    b->got += n;
    return b->got >= 2 ? TD_WANT_DONE : TD_WANT_READ;
}

static void on_bytes_done(void *ctx, const td_io_result *io)
{
    bres *b = ctx;
    b->calls++;
    b->io = *io;
}

static void test_mixed_cap(void **st)
{
    (void)st;
    conc count = {.mu = PTHREAD_MUTEX_INITIALIZER};
    srv_cfg cfg = {.num_tickets = -1};
    tsrv *ts = start(TS_TLS, &cfg, &count);
    tsrv *ps = start(TS_PLAIN_HOLD, NULL, &count);
    SSL_CTX *c = client_ctx(0, false);
    td_sched_opts so = {.max_conns = 3, .step_timeout_s = 5, .deadline_s = 30};
    td_sched *s = td_sched_new(&so);
    assert_non_null(s);
    td_addr ta = local(ts->port), pa = local(ps->port);
    td_tls_opts o = {.ctx = c, .sni = "server.test"};
    tres tr[10];
    bres br[10];
    memset(tr, 0, sizeof tr);
    memset(br, 0, sizeof br);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(td_sched_submit_tls(s, &ta, &o, on_tls, &tr[i]), 0);
        assert_int_equal(td_sched_submit(s, &pa, (const uint8_t *)"ping", 4, on_bytes,
                                         on_bytes_done, &br[i]),
                         0);
    }
    /* The job holds its own reference: the context may go now. */
    SSL_CTX_free(c);
    assert_int_equal(td_sched_run(s), 0);
    assert_int_equal(td_sched_connections(s), 20);
    td_sched_free(s);
    stop(ts);
    stop(ps);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(tr[i].calls, 1);
        assert_success(&tr[i]);
        assert_int_equal(br[i].calls, 1);
        assert_int_equal(br[i].io.status, TD_IO_DONE);
    }
    assert_int_equal(count.total, 20);
    assert_true(count.max <= 3);
    assert_true(count.max >= 2); /* the cap was reached, not just respected */
    pthread_mutex_destroy(&count.mu);
}

/* A TLS job finished from inside another's callback chains like any job. */
typedef struct tchain {
    td_sched *s;
    td_addr a;
    td_tls_opts o;
    int left, ok, calls;
} tchain;

static void chain_tls(void *ctx, const td_io_result *io, const td_tls_result *tls, SSL *ssl)
{
    (void)ssl;
    tchain *c = ctx;
    c->calls++;
    if (io->status == TD_IO_DONE && tls->handshake_done)
        c->ok++;
    if (c->left-- > 0)
        assert_int_equal(td_sched_submit_tls(c->s, &c->a, &c->o, chain_tls, c), 0);
}

static void test_chaining(void **st)
{
    (void)st;
    srv_cfg cfg = {.num_tickets = -1};
    tsrv *ts = start(TS_TLS, &cfg, NULL);
    SSL_CTX *ctx = client_ctx(0, false);
    td_sched_opts so = {.max_conns = 1, .step_timeout_s = 5, .deadline_s = 20};
    tchain c = {.left = 3};
    c.s = td_sched_new(&so);
    assert_non_null(c.s);
    c.a = local(ts->port);
    c.o.ctx = ctx;
    assert_int_equal(td_sched_submit_tls(c.s, &c.a, &c.o, chain_tls, &c), 0);
    assert_int_equal(td_sched_run(c.s), 0);
    assert_int_equal(td_sched_connections(c.s), 4);
    td_sched_free(c.s);
    SSL_CTX_free(ctx);
    stop(ts);
    assert_int_equal(c.calls, 4);
    assert_int_equal(c.ok, 4);
}

/* ---- the deadline ------------------------------------------------------------ */

static void test_deadline(void **st)
{
    (void)st;
    tsrv *s = start(TS_SILENT, NULL, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_sched_opts so = {.max_conns = 1, .step_timeout_s = 5, .deadline_s = 0.3};
    td_sched *sc = td_sched_new(&so);
    assert_non_null(sc);
    td_addr a = local(s->port);
    td_tls_opts o = {.ctx = c};
    tres stuck = {0}, queued = {0};
    assert_int_equal(td_sched_submit_tls(sc, &a, &o, on_tls, &stuck), 0);
    assert_int_equal(td_sched_submit_tls(sc, &a, &o, on_tls, &queued), 0);
    double t0 = mono_s();
    assert_int_equal(td_sched_run(sc), 0);
    double took = mono_s() - t0;
    assert_int_equal(td_sched_connections(sc), 1);
    td_sched_free(sc);
    SSL_CTX_free(c);
    stop(s);
    assert_true(took >= 0.25);
    assert_true(took < 1.5);
    assert_int_equal(stuck.calls, 1);
    assert_int_equal(stuck.io.status, TD_IO_DEADLINE);
    assert_true(stuck.had_ssl); /* caught mid-handshake */
    assert_false(stuck.tls.handshake_done);
    assert_string_equal(stuck.tls.error, "deadline passed during the handshake");
    assert_int_equal(queued.calls, 1);
    assert_int_equal(queued.io.status, TD_IO_DEADLINE);
    assert_false(queued.had_ssl);
}

/* Queued TLS jobs of a scheduler freed without running still report once
 * and drop their references (ASan would see a leak otherwise). */
static void test_free_queued(void **st)
{
    (void)st;
    SSL_CTX *c = client_ctx(0, false);
    td_sched *s = td_sched_new(NULL);
    assert_non_null(s);
    td_addr a = local(9);
    static const unsigned char h2[] = "\x02h2";
    td_tls_opts o = {.ctx = c, .sni = "x.test", .alpn = h2, .alpn_len = 3};
    tres r = {0};
    assert_int_equal(td_sched_submit_tls(s, &a, &o, on_tls, &r), 0);
    td_sched_free(s);
    SSL_CTX_free(c);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.io.status, TD_IO_ERROR);
    assert_int_equal(r.io.sys_errno, ECANCELED);
    assert_false(r.had_ssl);
}

static void test_bad_options(void **st)
{
    (void)st;
    SSL_CTX *c = client_ctx(0, false);
    td_sched *s = td_sched_new(NULL);
    assert_non_null(s);
    td_addr a = local(9);
    tres r = {0};
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    static const unsigned char empty_name[] = "\x02h2\x00";
    static const unsigned char overrun[] = "\x05h2";
    td_tls_opts o = {.ctx = c};

    assert_int_equal(td_sched_submit_tls(s, &a, NULL, on_tls, &r), -1);
    assert_int_equal(td_sched_submit_tls(s, &a, &o, NULL, &r), -1);
    assert_int_equal(td_sched_submit_tls(NULL, &a, &o, on_tls, &r), -1);
    assert_int_equal(td_sched_submit_tls(s, NULL, &o, on_tls, &r), -1);
    o.ctx = NULL;
    assert_int_equal(td_sched_submit_tls(s, &a, &o, on_tls, &r), -1);
    o.ctx = c;
    o.sni = longname;
    assert_int_equal(td_sched_submit_tls(s, &a, &o, on_tls, &r), -1);
    o.sni = NULL;
    o.alpn = empty_name;
    o.alpn_len = 4;
    assert_int_equal(td_sched_submit_tls(s, &a, &o, on_tls, &r), -1);
    o.alpn = overrun;
    o.alpn_len = 3;
    assert_int_equal(td_sched_submit_tls(s, &a, &o, on_tls, &r), -1);
    o.alpn = NULL;
    o.alpn_len = 0;
    o.ticket_wait_s = -1;
    assert_int_equal(td_sched_submit_tls(s, &a, &o, on_tls, &r), -1);
    o.ticket_wait_s = NAN;
    assert_int_equal(td_sched_submit_tls(s, &a, &o, on_tls, &r), -1);

    td_sched_free(s);
    SSL_CTX_free(c);
    assert_int_equal(r.calls, 0);
}

/* ---- lead-ins --------------------------------------------------------------- */

/* Waits for "ready\n", answers "go\n": done (or, told to, refuses). */
typedef struct upg {
    char line[16];
    size_t n;
    bool refuse;
} upg;

static td_leadin_rc upg_start(void *st, const void *cfg, const td_addr *target, td_leadin_io *io)
{
    (void)target;
    (void)io;
    ((upg *)st)->refuse = cfg != NULL;
    return TD_LEADIN_MORE;
}

static td_leadin_rc upg_feed(void *st, const uint8_t *in, size_t len, td_leadin_io *io)
{
    upg *u = st;
    for (size_t i = 0; i < len; i++) {
        if (in[i] != '\n') {
            if (u->n + 1 < sizeof u->line)
                u->line[u->n++] = (char)in[i];
            continue;
        }
        if (u->refuse) {
            snprintf(io->why, sizeof io->why, "refused after \"%.*s\"", (int)u->n, u->line);
            return TD_LEADIN_FAIL;
        }
        memcpy(io->out, "go\n", 3);
        io->out_len = 3;
        io->used = i + 1;
        return TD_LEADIN_DONE;
    }
    return TD_LEADIN_MORE;
}

static const td_leadin_ops UPG_OPS = {"upgrade", sizeof(upg), false, upg_start, upg_feed};

static void run_upgrade(bool refuse, tres *r)
{
    srv_cfg cfg = {.num_tickets = -1};
    tsrv *s = start(TS_UPGRADE, &cfg, NULL);
    SSL_CTX *c = client_ctx(0, false);
    td_tls_opts o = {.ctx = c, .sni = "server.test"};
    td_sched *sc = td_sched_new(&(td_sched_opts){.max_conns = 1, .step_timeout_s = 5, .deadline_s = 20});
    td_leadin l = {&UPG_OPS, refuse ? "refuse" : NULL, NULL};
    assert_int_equal(td_sched_set_leadins(sc, &l, 1), 0);
    td_addr a = local(s->port);
    assert_int_equal(td_sched_submit_tls(sc, &a, &o, on_tls, r), 0);
    assert_int_equal(td_sched_run(sc), 0);
    td_sched_free(sc);
    SSL_CTX_free(c);
    stop(s);
    assert_int_equal(r->calls, 1);
}

/* The handshake runs on the connection the lead-in upgraded. */
static void test_leadin_handshake(void **st)
{
    (void)st;
    tres r = {0};
    run_upgrade(false, &r);
    assert_success(&r);
    assert_true(r.leaf_is_server_cert);
    assert_true(r.io.leadin_ms >= 0);
    assert_int_equal(r.io.leadin_index, -1);
}

static void test_leadin_refused(void **st)
{
    (void)st;
    tres r = {0};
    run_upgrade(true, &r);
    assert_int_equal(r.io.status, TD_IO_LEADIN);
    assert_int_equal(r.io.leadin_index, 0);
    assert_string_equal(r.io.leadin_why, "refused after \"ready\"");
    assert_false(r.tls.handshake_done);
    assert_false(r.had_ssl);
    assert_string_equal(r.tls.error, "upgrade lead-in failed: refused after \"ready\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls13_handshake),
        cmocka_unit_test(test_tls12_handshake),
        cmocka_unit_test(test_sni),
        cmocka_unit_test(test_alpn),
        cmocka_unit_test(test_client_cert_required_tls13),
        cmocka_unit_test(test_client_cert_required_tls12),
        cmocka_unit_test(test_client_cert_optional_no_tickets),
        cmocka_unit_test(test_resumption_tls13),
        cmocka_unit_test(test_resumption_tls12),
        cmocka_unit_test(test_ticket_wait_expires),
        cmocka_unit_test(test_tls13_no_wait),
        cmocka_unit_test(test_close_during_ticket_wait),
        cmocka_unit_test(test_close_instead_of_verdict),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_reset_after_flight),
        cmocka_unit_test(test_eof),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_not_tls),
        cmocka_unit_test(test_mixed_cap),
        cmocka_unit_test(test_chaining),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_free_queued),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_leadin_handshake),
        cmocka_unit_test(test_leadin_refused),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
