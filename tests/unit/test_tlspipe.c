/* Unit tests for lib/net/tlspipe.c, the TLS transform under an https://
 * proxy: a server in memory (OpenSSL with memory BIOs, a certificate made
 * here) on the other side; ciphertext moved whole or a byte at a time;
 * the proxy's CONNECT answer split over records and reads, then parsed by
 * the proxy's lead-in; the proxy's faults (untrusted, wrong name, not TLS).
 * Then the same through the scheduler (xport.c): a byte job through a TLS
 * proxy on a thread that answers in pieces, and one it does not trust. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "net/leadin.h"
#include "net/net.h"
#include "net/tlspipe.h"
#include "proxy/proxy.h"

typedef struct server {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *rbio, *wbio;
} server;

static EVP_PKEY *key;
static X509 *cert;
static char ca_file[64];

/* A self-signed certificate for the proxy at 127.0.0.1 and proxy.test. */
static int make_cert(void **state)
{
    (void)state;
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    if (!key || !cert)
        return -1;
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_NAME *n = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"proxy.test", -1, -1, 0);
    X509_set_issuer_name(cert, n);
    X509_set_pubkey(cert, key);
    X509V3_CTX v;
    X509V3_set_ctx(&v, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v, NID_subject_alt_name, "DNS:proxy.test,IP:127.0.0.1");
    X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, &v, NID_basic_constraints, "critical,CA:TRUE");
    if (!e || !bc || !X509_add_ext(cert, e, -1) || !X509_add_ext(cert, bc, -1))
        return -1;
    X509_EXTENSION_free(e);
    X509_EXTENSION_free(bc);
    if (!X509_sign(cert, key, EVP_sha256()))
        return -1;
    snprintf(ca_file, sizeof ca_file, "/tmp/test_tlspipe.XXXXXX");
    int fd = mkstemp(ca_file);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        return -1;
    PEM_write_X509(f, cert);
    fclose(f);
    return 0;
}

static int free_cert(void **state)
{
    (void)state;
    unlink(ca_file);
    X509_free(cert);
    EVP_PKEY_free(key);
    return 0;
}

static void server_init(server *s)
{
    s->ctx = SSL_CTX_new(TLS_server_method());
    assert_non_null(s->ctx);
    assert_int_equal(SSL_CTX_use_certificate(s->ctx, cert), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(s->ctx, key), 1);
    s->ssl = SSL_new(s->ctx);
    s->rbio = BIO_new(BIO_s_mem());
    s->wbio = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(s->rbio, -1);
    SSL_set_bio(s->ssl, s->rbio, s->wbio);
    SSL_set_accept_state(s->ssl);
}

static void server_free(server *s)
{
    SSL_free(s->ssl);
    SSL_CTX_free(s->ctx);
}

/* Moves the client's ciphertext to the server, and the server's back to
 * the client, `step` bytes per put (0: all at once). */
static void shuttle(td_tlspipe *p, server *s, size_t step)
{
    const uint8_t *data;
    size_t n = td_tlspipe_out(p, &data);
    if (n) {
        assert_int_equal(BIO_write(s->rbio, data, (int)n), (int)n);
        td_tlspipe_sent(p, n);
    }
    uint8_t buf[16384];
    int got;
    while ((got = BIO_read(s->wbio, buf, sizeof buf)) > 0)
        for (size_t off = 0; off < (size_t)got;) {
            size_t k = step && step < (size_t)got - off ? step : (size_t)got - off;
            assert_true(td_tlspipe_put(p, buf + off, k));
            off += k;
        }
}

/* Runs both handshakes; returns the client's verdict. */
static int handshake(td_tlspipe *p, server *s, size_t step)
{
    int rc = 0;
    for (int i = 0; i < 20 && rc == 0; i++) {
        rc = td_tlspipe_handshake(p);
        shuttle(p, s, step);
        (void)SSL_do_handshake(s->ssl);
        shuttle(p, s, step);
    }
    return rc;
}

static SSL_CTX *trusting(void)
{
    char err[200];
    SSL_CTX *ctx = td_tlspipe_ctx(ca_file, false, err, sizeof err);
    assert_non_null(ctx);
    return ctx;
}

static void test_round_trip(void **state)
{
    (void)state;
    for (size_t step = 0; step <= 1; step++) {
        SSL_CTX *ctx = trusting();
        td_tlspipe *p = td_tlspipe_new(ctx, "127.0.0.1");
        server s;
        server_init(&s);
        assert_int_equal(handshake(p, &s, step), 1);
        assert_string_equal(td_tlspipe_version(p), "TLSv1.3");

        static const char req[] = "CONNECT example.com:443 HTTP/1.1\r\n\r\n";
        assert_int_equal(td_tlspipe_write(p, (const uint8_t *)req, sizeof req - 1), (int)sizeof req - 1);
        shuttle(p, &s, step);
        char got[100];
        assert_int_equal(SSL_read(s.ssl, got, sizeof got), (int)sizeof req - 1);
        assert_memory_equal(got, req, sizeof req - 1);

        /* The answer in three records, the tunnel's first bytes in the
         * last one, handed over a byte at a time when step is 1. */
        static const char *const parts[] = { "HTTP/1.1 200 Connection", " established\r\n", "\r\n\x16\x03\x03" };
        for (size_t i = 0; i < 3; i++)
            assert_int_equal(SSL_write(s.ssl, parts[i], (int)strlen(parts[i])), (int)strlen(parts[i]));
        shuttle(p, &s, step);
        uint8_t plain[200];
        size_t n = 0;
        int r;
        while ((r = td_tlspipe_read(p, plain + n, 7)) > 0)
            n += (size_t)r;
        assert_int_equal(r, -1);
        assert_int_equal(errno, EAGAIN);
        assert_false(td_tlspipe_readable(p));
        static const char whole[] = "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03";
        assert_int_equal(n, sizeof whole - 1);
        assert_memory_equal(plain, whole, n);

        /* What came out is what the proxy's lead-in reads. */
        td_proxy_stats stats = { 0 };
        td_proxy_leadin_cfg cfg = { .port = 443, .stats = &stats };
        char err[100], why[TD_LEADIN_WHY_MAX];
        assert_true(td_proxy_parse_url(&cfg.px, "https://127.0.0.1:8443", err, sizeof err));
        strcpy(cfg.host, "example.com");
        td_addr a;
        assert_true(td_addr_from_ip("127.0.0.1", 443, &a));
        uint8_t out[600];
        size_t out_len, used;
        assert_int_equal(td_leadin_simulate(td_proxy_leadin_ops(TD_PROXY_HTTPS), &cfg, &a, plain, n, 5, out,
                                            sizeof out, &out_len, &used, why, sizeof why),
                         TD_LEADIN_DONE);
        assert_int_equal(used, n - 3);
        assert_memory_equal(out, req, sizeof req - 3); /* its request line; headers follow */

        /* The proxy's close_notify ends the stream. */
        SSL_shutdown(s.ssl);
        shuttle(p, &s, step);
        assert_int_equal(td_tlspipe_read(p, plain, sizeof plain), 0);
        server_free(&s);
        td_tlspipe_free(p);
        SSL_CTX_free(ctx);
    }
}

/* Two records waiting: the first read leaves the second readable without
 * more ciphertext; half a record is not readable. */
static void test_readable(void **state)
{
    (void)state;
    SSL_CTX *ctx = trusting();
    td_tlspipe *p = td_tlspipe_new(ctx, "proxy.test");
    server s;
    server_init(&s);
    assert_int_equal(handshake(p, &s, 0), 1);
    assert_int_equal(SSL_write(s.ssl, "abc", 3), 3);
    assert_int_equal(SSL_write(s.ssl, "def", 3), 3);
    shuttle(p, &s, 0);
    uint8_t b[8];
    assert_true(td_tlspipe_readable(p));
    assert_int_equal(td_tlspipe_read(p, b, 2), 2);
    assert_true(td_tlspipe_readable(p));
    assert_int_equal(td_tlspipe_read(p, b, sizeof b), 1);
    assert_int_equal(td_tlspipe_read(p, b, sizeof b), 3);
    assert_memory_equal(b, "def", 3);
    assert_false(td_tlspipe_readable(p) && td_tlspipe_read(p, b, sizeof b) > 0);

    assert_int_equal(SSL_write(s.ssl, "ghi", 3), 3);
    uint8_t rec[64];
    int k = BIO_read(s.wbio, rec, sizeof rec);
    assert_true(k > 4);
    assert_true(td_tlspipe_put(p, rec, 4));
    assert_int_equal(td_tlspipe_read(p, b, sizeof b), -1);
    assert_int_equal(errno, EAGAIN);
    assert_false(td_tlspipe_readable(p));
    assert_true(td_tlspipe_put(p, rec + 4, (size_t)k - 4));
    assert_true(td_tlspipe_readable(p));
    assert_int_equal(td_tlspipe_read(p, b, sizeof b), 3);
    server_free(&s);
    td_tlspipe_free(p);
    SSL_CTX_free(ctx);
}

static td_pipe_fault failed_with(SSL_CTX *ctx, const char *host, char *why, size_t len)
{
    td_tlspipe *p = td_tlspipe_new(ctx, host);
    assert_non_null(p);
    server s;
    server_init(&s);
    assert_int_equal(handshake(p, &s, 0), -1);
    td_pipe_fault f = td_tlspipe_fault(p, why, len);
    /* A failed session takes no more bytes. */
    assert_int_equal(td_tlspipe_write(p, (const uint8_t *)"x", 1), -1);
    server_free(&s);
    td_tlspipe_free(p);
    return f;
}

static void test_faults(void **state)
{
    (void)state;
    char why[200], err[200];
    /* An empty store: nothing vouches for the proxy. */
    SSL_CTX *none = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(none, SSL_VERIFY_PEER, NULL);
    assert_int_equal(failed_with(none, "127.0.0.1", why, sizeof why), TD_PIPE_UNTRUSTED);
    assert_non_null(strstr(why, "the proxy's certificate is not trusted"));
    SSL_CTX_free(none);

    SSL_CTX *ctx = trusting();
    assert_int_equal(failed_with(ctx, "other.test", why, sizeof why), TD_PIPE_NAME);
    assert_string_equal(why, "the proxy's certificate does not name other.test");
    assert_int_equal(failed_with(ctx, "127.0.0.2", why, sizeof why), TD_PIPE_NAME);
    SSL_CTX_free(ctx);

    /* Without verification any certificate will do. */
    SSL_CTX *insecure = td_tlspipe_ctx(NULL, true, err, sizeof err);
    td_tlspipe *p = td_tlspipe_new(insecure, "other.test");
    server s;
    server_init(&s);
    assert_int_equal(handshake(p, &s, 0), 1);
    server_free(&s);
    td_tlspipe_free(p);

    /* A plain HTTP proxy's answer to a ClientHello. */
    p = td_tlspipe_new(insecure, "127.0.0.1");
    assert_int_equal(td_tlspipe_handshake(p), 0);
    static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    assert_true(td_tlspipe_put(p, (const uint8_t *)bad, sizeof bad - 1));
    assert_int_equal(td_tlspipe_handshake(p), -1);
    assert_int_equal(td_tlspipe_fault(p, why, sizeof why), TD_PIPE_NOT_TLS);
    assert_non_null(strstr(why, "an http:// proxy?"));
    td_tlspipe_free(p);
    SSL_CTX_free(insecure);

    assert_null(td_tlspipe_ctx("/dev/null", false, err, sizeof err));
    assert_non_null(strstr(err, "no CA certificate"));
}

/* ---- through the scheduler --------------------------------------------- */

typedef struct proxy_srv {
    int lfd;
    uint16_t port;
    pthread_t th;
    char request[512]; /* the CONNECT request as received */
    char tunnel[16];   /* the job's bytes through the tunnel */
} proxy_srv;

static void pause_ms(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

/* One connection: TLS, the CONNECT answer in two records some time apart,
 * then "pong" for the job's "ping", again in two records. */
static void *proxy_serve(void *arg)
{
    proxy_srv *ps = arg;
    int fd = accept(ps->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    server s;
    server_init(&s);
    SSL_set_fd(s.ssl, fd);
    if (SSL_accept(s.ssl) == 1) {
        size_t n = 0;
        while (n + 1 < sizeof ps->request && !strstr(ps->request, "\r\n\r\n")) {
            int k = SSL_read(s.ssl, ps->request + n, (int)(sizeof ps->request - 1 - n));
            if (k <= 0)
                break;
            n += (size_t)k;
            ps->request[n] = 0;
        }
        SSL_write(s.ssl, "HTTP/1.1 200 Conn", 17);
        pause_ms(30);
        SSL_write(s.ssl, "ection established\r\n\r\n", 22);
        if (SSL_read(s.ssl, ps->tunnel, sizeof ps->tunnel - 1) > 0) {
            SSL_write(s.ssl, "po", 2);
            pause_ms(30);
            SSL_write(s.ssl, "ng", 2);
        }
        char b[8];
        SSL_read(s.ssl, b, sizeof b); /* until the job closes */
    }
    server_free(&s);
    close(fd);
    return NULL;
}

static void proxy_start(proxy_srv *ps)
{
    memset(ps, 0, sizeof *ps);
    ps->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(ps->lfd >= 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(ps->lfd, (struct sockaddr *)&sa, sl), 0);
    assert_int_equal(listen(ps->lfd, 4), 0);
    getsockname(ps->lfd, (struct sockaddr *)&sa, &sl);
    ps->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&ps->th, NULL, proxy_serve, ps), 0);
}

static void proxy_stop(proxy_srv *ps)
{
    pthread_join(ps->th, NULL);
    close(ps->lfd);
}

typedef struct got {
    char data[16];
    size_t n;
    td_io_result r;
} got;

static td_want on_data(void *ctx, const uint8_t *d, size_t len)
{
    got *g = ctx;
    size_t k = len < sizeof g->data - 1 - g->n ? len : sizeof g->data - 1 - g->n;
    memcpy(g->data + g->n, d, k);
    g->n += k;
    return g->n >= 4 ? TD_WANT_DONE : TD_WANT_READ;
}

static void on_done(void *ctx, const td_io_result *r)
{
    ((got *)ctx)->r = *r;
}

/* A byte job through a fresh proxy thread, verified with ctx (freed
 * here): what it sends and gets back. */
static void via_proxy(proxy_srv *ps, SSL_CTX *ctx, td_proxy_stats *stats, got *g)
{
    proxy_start(ps);
    memset(stats, 0, sizeof *stats);
    td_proxy_leadin_cfg cfg = { .port = 443, .stats = stats };
    char err[100];
    assert_true(td_proxy_parse_url(&cfg.px, "https://127.0.0.1", err, sizeof err));
    strcpy(cfg.host, "origin.test");
    td_addr proxy_addr, target;
    assert_true(td_addr_from_ip("127.0.0.1", ps->port, &proxy_addr));
    assert_true(td_addr_from_ip("192.0.2.1", 443, &target));
    td_via_tls vt = { .ctx = ctx, .host = "127.0.0.1", .failed = td_proxy_tls_failed, .arg = &cfg };
    td_leadin chain[] = { { td_proxy_leadin_ops(TD_PROXY_HTTPS), &cfg, &proxy_addr, &vt } };
    td_sched_opts o = { .max_conns = 1, .step_timeout_s = 2, .deadline_s = 10 };
    td_sched *s = td_sched_new(&o);
    assert_non_null(s);
    assert_int_equal(td_sched_set_leadins(s, chain, 1), 0);
    memset(g, 0, sizeof *g);
    assert_int_equal(td_sched_submit(s, &target, (const uint8_t *)"ping", 4, on_data, on_done, g), 0);
    assert_int_equal(td_sched_run(s), 0);
    td_sched_free(s);
    proxy_stop(ps);
    SSL_CTX_free(ctx);
}

static void test_sched_through(void **state)
{
    (void)state;
    proxy_srv ps;
    td_proxy_stats stats;
    got g;
    via_proxy(&ps, trusting(), &stats, &g);
    assert_int_equal(g.r.status, TD_IO_DONE);
    assert_string_equal(g.data, "pong");
    assert_non_null(strstr(ps.request, "CONNECT origin.test:443 HTTP/1.1\r\n"));
    assert_string_equal(ps.tunnel, "ping");
    assert_int_equal(stats.up, 1);
    assert_int_equal(stats.refused, 0);
    /* The job's own timings start after the TLS session and the CONNECT. */
    assert_true(g.r.leadin_ms >= 30);
    assert_true(g.r.first_ms >= 0 && g.r.first_ms < g.r.leadin_ms + 1000);
    assert_int_equal(g.r.bytes_in, 4);
    assert_int_equal(g.r.leadin_index, -1);
}

static void test_sched_untrusted(void **state)
{
    (void)state;
    proxy_srv ps;
    td_proxy_stats stats;
    got g;
    /* An empty store. */
    SSL_CTX *none = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(none, SSL_VERIFY_PEER, NULL);
    via_proxy(&ps, none, &stats, &g);
    assert_int_equal(g.r.status, TD_IO_LEADIN);
    assert_int_equal(g.r.leadin_index, 0);
    assert_string_equal(g.r.leadin_name, "https-connect");
    assert_non_null(strstr(g.r.leadin_why, "the proxy's certificate is not trusted"));
    assert_int_equal(stats.refused, 1);
    assert_int_equal(stats.first.kind, TD_PXF_TLS);
    assert_int_equal(stats.first.code, TD_PIPE_UNTRUSTED);
    assert_int_equal(ps.request[0], 0);
    assert_int_equal(g.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_readable),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_sched_through),
        cmocka_unit_test(test_sched_untrusted),
    };
    return cmocka_run_group_tests(tests, make_cert, free_cert);
}
