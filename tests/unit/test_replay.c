/* Unit tests for the replay of a captured hello: the rebuild
 * (lib/wire/hello.c td_hello_rebuild) as hex vectors and field by field,
 * and the engine (lib/probe/replay.c) against a server on loopback that
 * turns down hellos carrying one given extension or cipher suite. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "hellokit.h"
#include "hexkit.h"
#include "diag/replay.h"
#include "probe/replay.h"
#include "wire/bytes.h"
#include "wire/chello.h"
#include "wire/hello.h"
#include "wire/tls.h"

static td_chello H, R;
static td_replay_result RES;
static uint8_t OUT[1u << 17], MSG[1u << 17];

/* Rebuilds H with ed and parses the result (one record) into R. */
static size_t rebuild(const td_hello_edit *ed)
{
    size_t len = 0;
    assert_int_equal(td_hello_rebuild(&H, ed, OUT, sizeof OUT, &len), 0);
    td_rd r, frag;
    uint8_t type;
    uint16_t ver;
    td_rd_init(&r, OUT, len);
    assert_true(td_rd_u8(&r, &type) && td_rd_u16(&r, &ver) && td_rd_prefixed16(&r, &frag) && td_rd_empty(&r));
    assert_int_equal(type, TD_CT_HANDSHAKE);
    assert_int_equal(ver, TD_TLS10);
    if (!td_chello_parse(&R, td_rd_ptr(&frag), td_rd_left(&frag)))
        fail_msg("%s", R.error);
    return len;
}

static bool same_body(const td_chello_ext *a, const td_chello_ext *b)
{
    return td_rd_left(&a->body) == td_rd_left(&b->body) &&
           memcmp(td_rd_ptr(&a->body), td_rd_ptr(&b->body), td_rd_left(&a->body)) == 0;
}

static void parse_captured(const char *tool)
{
    const captured_hello *c = captured(tool);
    assert_non_null(c);
    assert_true(td_chello_parse(&H, c->msg, c->len));
}

/* The OpenSSL s_client hello: same offer, byte for byte, but for the
 * random, the session id and the key share. */
static void test_rebuild_same_offer(void **state)
{
    (void)state;
    static const uint8_t random[32] = {1, 2, 3};
    parse_captured("openssl");
    td_hello_edit ed = {.random = random};
    rebuild(&ed);
    assert_int_equal(R.size, H.size);
    assert_int_equal(R.legacy_version, H.legacy_version);
    assert_memory_equal(R.random, random, 32);
    assert_int_equal(R.session_id_len, 32);
    assert_memory_not_equal(R.session_id, H.session_id, 32);
    assert_int_equal(R.n_suites, H.n_suites);
    assert_memory_equal(R.suites, H.suites, H.n_suites * sizeof H.suites[0]);
    assert_int_equal(R.n_exts, H.n_exts);
    for (size_t i = 0; i < H.n_exts; i++) {
        assert_int_equal(R.exts[i].type, H.exts[i].type);
        if (H.exts[i].type != TD_EXT_KEY_SHARE)
            assert_true(same_body(&R.exts[i], &H.exts[i]));
    }
    assert_int_equal(R.n_shares, 1);
    assert_int_equal(R.share_groups[0], TD_GROUP_X25519);
    assert_int_equal(R.share_lens[0], 32);
    const td_chello_ext *a = td_chello_ext_find(&H, TD_EXT_KEY_SHARE), *b = td_chello_ext_find(&R, TD_EXT_KEY_SHARE);
    assert_false(same_body(a, b)); /* a fresh public value */
}

/* RFC 8446 section 4.2.11 and 4.2.10, RFC 5077: a resuming hello loses its
 * PSK and early data, sends session_ticket empty, and pads to its old
 * size; a GREASE key share keeps its bytes.  Random and session id fixed,
 * so the whole output is known. */
static const char resumed_hello[] =
    "010000a20303111111111111111111111111111111111111111111111111111111111111111120222222222222222222"
    "222222222222222222222222222222222222222222222200061301c02f00ff010000530000000e000c000009612e6578"
    "616d706c6500230004deadbeef000a00040002001d0033000700052a2a000100002a00000015000a0000000000000000"
    "000000290010000a0004aabbccdd0000000100020021";
static const char resumed_rebuilt[] =
    "16030100a6010000a2030333333333333333333333333333333333333333333333333333333333333333332044444444"
    "4444444444444444444444444444444444444444444444444444444400061301c02f00ff010000530000000e000c0000"
    "09612e6578616d706c6500230000000a00040002001d0033000700052a2a000100001500260000000000000000000000"
    "000000000000000000000000000000000000000000000000000000";

static void test_rebuild_resumption_stripped(void **state)
{
    (void)state;
    uint8_t random[32], sid[32], want[512];
    memset(random, 0x33, sizeof random);
    memset(sid, 0x44, sizeof sid);
    size_t n = unhex(resumed_hello, MSG, sizeof MSG);
    assert_true(td_chello_parse(&H, MSG, n));
    assert_true(H.psk && H.early_data && H.ticket_len == 4);
    td_hello_edit ed = {.random = random, .session_id = sid};
    size_t len = 0;
    assert_int_equal(td_hello_rebuild(&H, &ed, OUT, sizeof OUT, &len), 0);
    size_t wn = unhex(resumed_rebuilt, want, sizeof want);
    assert_int_equal(len, wn);
    assert_memory_equal(OUT, want, wn);
}

static void test_rebuild_edits(void **state)
{
    (void)state;
    parse_captured("curl");
    td_hello_edit ed = {0};
    size_t full = rebuild(&ed);
    assert_int_equal(R.size, H.size); /* padded to the captured 512 bytes */

    /* one extension out (ALPN, the fourth): the padding makes up for it */
    ed.drop_exts = 1u << 3;
    assert_int_equal(H.exts[3].type, TD_EXT_ALPN);
    assert_int_equal(rebuild(&ed), full);
    assert_null(td_chello_ext_find(&R, TD_EXT_ALPN));
    assert_int_equal(R.n_exts, H.n_exts - 1);

    /* no padding: smaller */
    memset(&ed, 0, sizeof ed);
    ed.no_padding = true;
    assert_true(rebuild(&ed) < full - 100);
    assert_false(R.has_padding);

    /* a group out of supported_groups and key_share */
    memset(&ed, 0, sizeof ed);
    ed.drop_group = TD_GROUP_X25519;
    rebuild(&ed);
    assert_int_equal(R.n_groups, H.n_groups - 1);
    assert_int_equal(R.groups[0], TD_GROUP_SECP256R1);
    assert_int_equal(R.n_shares, 0);
    assert_true(R.has_key_share);

    /* suites and signature algorithms by position */
    memset(&ed, 0, sizeof ed);
    ed.drop_suites[0] = ed.drop_suites[30] = true;
    ed.drop_sigalgs[1] = true;
    rebuild(&ed);
    assert_int_equal(R.n_suites, H.n_suites - 2);
    assert_int_equal(R.suites[0], H.suites[1]);
    assert_int_equal(R.n_sigalgs, H.n_sigalgs - 1);
    assert_int_equal(R.sigalgs[1], H.sigalgs[2]);

    /* another name, or none */
    memset(&ed, 0, sizeof ed);
    ed.sni = "staging.example.org";
    rebuild(&ed);
    assert_string_equal(R.sni, "staging.example.org");
    ed.sni = "";
    rebuild(&ed);
    assert_false(R.has_sni);

    /* every suite out: nothing to offer */
    memset(&ed, 0, sizeof ed);
    memset(ed.drop_suites, true, H.n_suites);
    size_t len = 0;
    assert_int_equal(td_hello_rebuild(&H, &ed, OUT, sizeof OUT, &len), -1);
    /* too small a buffer */
    memset(&ed, 0, sizeof ed);
    assert_int_equal(td_hello_rebuild(&H, &ed, OUT, 100, &len), -1);
}

static void test_rebuild_refuses_sslv2(void **state)
{
    (void)state;
    td_replay_req req = {.hello = &H};
    static const uint32_t specs[] = {0x00002f};
    uint8_t rec[64];
    size_t n = 0, len = 0;
    assert_int_equal(td_hello_build_sslv2(specs, 1, rec, sizeof rec, &n), 0);
    assert_true(td_chello_parse_sslv2(&H, rec, n));
    td_hello_edit ed = {0};
    assert_int_equal(td_hello_rebuild(&H, &ed, OUT, sizeof OUT, &len), -1);
    assert_int_equal(td_replay_run(&req, &RES), -1);
    assert_string_equal(RES.error, "an SSLv2-format hello is not replayed");
}

/* ---- a server on loopback that rejects one thing ---- */

typedef struct srv {
    int lfd;
    uint16_t port;
    uint16_t reject_ext, reject_suite; /* 0: none */
    uint16_t force_suite;              /* chosen whatever was offered; 0: an offered one */
    atomic_bool stop;
    atomic_int conns;
    pthread_t th;
} srv;

static bool read_exact(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t k = recv(fd, p, n, 0);
        if (k <= 0)
            return false;
        p += k;
        n -= (size_t)k;
    }
    return true;
}

/* Reads one ClientHello (in one or more records) into MSG-like buf. */
static bool read_hello(int fd, uint8_t *buf, size_t cap, size_t *len)
{
    *len = 0;
    for (;;) {
        uint8_t head[5];
        if (!read_exact(fd, head, 5) || head[0] != TD_CT_HANDSHAKE)
            return false;
        size_t n = (size_t)head[3] << 8 | head[4];
        if (*len + n > cap || !read_exact(fd, buf + *len, n))
            return false;
        *len += n;
        td_rd r, body;
        uint8_t type;
        td_rd_init(&r, buf, *len);
        if (td_rd_u8(&r, &type) && td_rd_prefixed24(&r, &body))
            return true;
    }
}

static bool offers_suite(const td_chello *h, uint16_t suite)
{
    for (size_t i = 0; i < h->n_suites; i++)
        if (h->suites[i] == suite)
            return true;
    return false;
}

/* The first TLS 1.2 suite the hello offers that the server knows, 0 for
 * none. */
static uint16_t pick_suite(const td_chello *h)
{
    static const uint16_t known[] = {0xc02f, 0xc030, 0xc02b, 0xc02c, 0x009c, 0x009d, 0x009e, 0x009f,
                                     0xcca8, 0xcca9, 0xc013, 0xc014, 0x002f, 0x0035, 0x003c, 0x003d};
    for (size_t i = 0; i < h->n_suites; i++)
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            if (h->suites[i] == known[k])
                return known[k];
    return 0;
}

/* A fatal handshake_failure alert, or a TLS 1.2 ServerHello choosing an
 * offered suite, and ServerHelloDone. */
static void answer(srv *s, int fd, const td_chello *h)
{
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    uint8_t hello[5 + 4 + 38 + 4] = {0x16, 0x03, 0x03, 0x00, 46, 0x02, 0x00, 0x00, 38, 0x03, 0x03};
    uint16_t suite = s->force_suite ? s->force_suite : pick_suite(h);
    uint8_t *p = hello + 11 + 32;
    *p++ = 0; /* session id */
    *p++ = (uint8_t)(suite >> 8);
    *p++ = (uint8_t)suite;
    *p++ = 0;    /* compression */
    *p++ = 0x0e; /* ServerHelloDone */
    bool rejected = (s->reject_ext && td_chello_ext_find(h, s->reject_ext)) ||
                    (s->reject_suite && offers_suite(h, s->reject_suite)) || suite == 0;
    if (rejected)
        send(fd, alert, sizeof alert, MSG_NOSIGNAL);
    else
        send(fd, hello, sizeof hello, MSG_NOSIGNAL);
}

static void *srv_run(void *arg)
{
    srv *s = arg;
    static uint8_t buf[1u << 17];
    static td_chello h;
    while (!atomic_load(&s->stop)) {
        struct pollfd pf = {s->lfd, POLLIN, 0};
        if (poll(&pf, 1, 20) <= 0)
            continue;
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        atomic_fetch_add(&s->conns, 1);
        struct timeval tv = {2, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        size_t len = 0;
        if (read_hello(fd, buf, sizeof buf, &len) && td_chello_parse(&h, buf, len))
            answer(s, fd, &h);
        close(fd);
    }
    return NULL;
}

static srv *srv_start(uint16_t reject_ext, uint16_t reject_suite, uint16_t force_suite)
{
    srv *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->reject_ext = reject_ext;
    s->reject_suite = reject_suite;
    s->force_suite = force_suite;
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(s->lfd, 16), 0);
    getsockname(s->lfd, (struct sockaddr *)&sa, &sl);
    s->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&s->th, NULL, srv_run, s), 0);
    return s;
}

static void srv_stop(srv *s)
{
    atomic_store(&s->stop, true);
    pthread_join(s->th, NULL);
    close(s->lfd);
    free(s);
}

static void replay(srv *s, const char *tool)
{
    parse_captured(tool);
    td_replay_req req = {.hello = &H, .timeout_s = 2, .bisect = true};
    assert_true(td_addr_from_ip("127.0.0.1", s->port, &req.addr));
    assert_int_equal(td_replay_run(&req, &RES), 0);
    assert_int_equal((int)(RES.n_steps + RES.baseline_sent), atomic_load(&s->conns));
}

static const td_replay_step *culprit(void)
{
    assert_true(RES.found);
    assert_true(RES.culprit_step < RES.n_steps);
    return &RES.steps[RES.culprit_step];
}

static void test_replay_accepted(void **state)
{
    (void)state;
    srv *s = srv_start(0, 0, 0);
    replay(s, "openssl");
    assert_false(RES.rejected);
    assert_int_equal(RES.n_steps, 1);
    assert_false(RES.baseline_sent);
    assert_int_equal(RES.steps[0].drop, TD_DROP_NOTHING);
    assert_int_equal(RES.steps[0].answer.outcome, TD_REPLAY_HELLO);
    assert_int_equal(RES.steps[0].answer.version, TD_TLS12);
    assert_int_equal(RES.steps[0].answer.suite, 0xc02c); /* the client's first the server knows */
    assert_false(RES.found);
    srv_stop(s);
}

/* extended_master_secret (23), the seventh extension of the OpenSSL
 * hello: the first six removals do not help, the seventh does. */
static void test_replay_names_extension(void **state)
{
    (void)state;
    srv *s = srv_start(TD_EXT_EMS, 0, 0);
    replay(s, "openssl");
    assert_true(RES.rejected);
    assert_int_equal(RES.steps[0].answer.outcome, TD_REPLAY_ALERT);
    assert_int_equal(RES.steps[0].answer.alert_desc, TD_ALERT_HANDSHAKE_FAILURE);
    /* OpenSSL 3's own hello carries extended_master_secret too */
    assert_true(RES.baseline_sent);
    assert_int_equal(RES.baseline.outcome, TD_REPLAY_ALERT);
    const td_replay_step *c = culprit();
    assert_int_equal(c->drop, TD_DROP_EXTENSION);
    assert_int_equal(c->n_values, 1);
    assert_int_equal(c->values[0], TD_EXT_EMS);
    assert_int_equal(RES.n_steps, 8);
    for (size_t i = 1; i < 7; i++)
        assert_int_equal(RES.steps[i].answer.outcome, TD_REPLAY_ALERT);
    srv_stop(s);
}

/* The culprit confirmed on two more connections, then judged: one
 * VERSION_INTOLERANCE naming it.  The same result marked unstable, or an
 * accepted replay, names nothing. */
static void test_replay_confirm_and_rule(void **state)
{
    (void)state;
    srv *s = srv_start(TD_EXT_EMS, 0, 0);
    replay(s, "openssl");
    td_replay_req req = {.hello = &H, .timeout_s = 2, .bisect = true};
    assert_true(td_addr_from_ip("127.0.0.1", s->port, &req.addr));
    td_replay_confirm(&req, &RES);
    assert_true(RES.confirm_sent);
    assert_int_equal(RES.confirm_full.outcome, TD_REPLAY_ALERT);
    assert_int_equal(RES.confirm_without.outcome, TD_REPLAY_HELLO);
    assert_true(RES.stable);
    assert_int_equal((int)(RES.n_steps + RES.baseline_sent + 2), atomic_load(&s->conns));
    srv_stop(s);

    td_replay_view v = {.r = &RES, .target = "example.net:443", .file = "tls.pcap", .stream = 3};
    td_findings fs = {0};
    td_diagnose_replay(&v, &fs);
    assert_int_equal(fs.n, 1);
    assert_int_equal(fs.v[0].id, TD_ID_VERSION_INTOLERANCE);
    assert_int_equal(fs.v[0].sev, TD_SEV_FAIL);
    assert_non_null(strstr(fs.v[0].summary, "extended_master_secret (0x0017)"));
    assert_string_equal(fs.v[0].verify, "tlsdiag pcap tls.pcap --stream 3 --replay example.net:443");
    td_findings_free(&fs);

    RES.stable = false;
    td_findings un = {0};
    td_diagnose_replay(&v, &un);
    assert_int_equal(un.n, 0);
    td_findings_free(&un);
    RES.stable = true;
    RES.rejected = false;
    td_findings ok = {0};
    td_diagnose_replay(&v, &ok);
    assert_int_equal(ok.n, 0);
    td_findings_free(&ok);
}

/* The curl hello is padded: the padding goes first, then each extension,
 * each group, and halves of the suites until TLS_AES_128_GCM_SHA256 is
 * the one left. */
static void test_replay_names_suite(void **state)
{
    (void)state;
    srv *s = srv_start(0, 0x1301, 0);
    replay(s, "curl");
    assert_true(RES.rejected);
    assert_int_equal(RES.steps[1].drop, TD_DROP_PADDING);
    assert_true(RES.baseline_sent);
    assert_int_equal(RES.baseline.outcome, TD_REPLAY_ALERT); /* it offers 0x1301 too */
    const td_replay_step *c = culprit();
    assert_int_equal(c->drop, TD_DROP_SUITES);
    assert_int_equal(c->n_values, 1);
    assert_int_equal(c->values[0], 0x1301);
    assert_false(RES.out_of_connections);
    srv_stop(s);
}

/* post_handshake_auth (49): curl sends it, OpenSSL 3's own hello does
 * not, so the baseline is answered and only the captured client fails. */
static void test_replay_baseline_answered(void **state)
{
    (void)state;
    srv *s = srv_start(49, 0, 0);
    replay(s, "curl");
    assert_true(RES.rejected);
    assert_true(RES.baseline_sent);
    assert_int_equal(RES.baseline.outcome, TD_REPLAY_HELLO);
    const td_replay_step *c = culprit();
    assert_int_equal(c->drop, TD_DROP_EXTENSION);
    assert_int_equal(c->values[0], 49);
    srv_stop(s);
}

/* A server that picks a suite never offered: the answer is malformed,
 * not an acceptance (RFC 8446 section 4.1.3). */
static void test_replay_unoffered_suite(void **state)
{
    (void)state;
    srv *s = srv_start(0, 0, 0xc0ff);
    replay(s, "openssl");
    assert_true(RES.rejected);
    assert_int_equal(RES.steps[0].answer.outcome, TD_REPLAY_MALFORMED);
    assert_non_null(strstr(RES.steps[0].answer.detail, "selects cipher suite 0xC0FF, which the ClientHello did not offer"));
    srv_stop(s);
}

/* A connection budget too small for the search: it says so. */
static void test_replay_budget(void **state)
{
    (void)state;
    srv *s = srv_start(0, 0x1301, 0);
    parse_captured("openssl");
    td_replay_req req = {.hello = &H, .timeout_s = 2, .bisect = true, .max_conns = 5};
    assert_true(td_addr_from_ip("127.0.0.1", s->port, &req.addr));
    assert_int_equal(td_replay_run(&req, &RES), 0);
    assert_int_equal(RES.n_steps, 4); /* and the baseline */
    assert_int_equal(atomic_load(&s->conns), 5);
    assert_true(RES.out_of_connections);
    assert_false(RES.found);
    srv_stop(s);
}

/* Nobody listening: no answer about the hello, no bisection. */
static void test_replay_no_server(void **state)
{
    (void)state;
    srv *s = srv_start(0, 0, 0);
    uint16_t port = s->port;
    srv_stop(s);
    parse_captured("openssl");
    td_replay_req req = {.hello = &H, .timeout_s = 1, .bisect = true};
    assert_true(td_addr_from_ip("127.0.0.1", port, &req.addr));
    assert_int_equal(td_replay_run(&req, &RES), 0);
    assert_int_equal(RES.n_steps, 1);
    assert_int_equal(RES.steps[0].answer.outcome, TD_REPLAY_NO_CONNECT);
    assert_false(RES.rejected);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rebuild_same_offer),
        cmocka_unit_test(test_rebuild_resumption_stripped),
        cmocka_unit_test(test_rebuild_edits),
        cmocka_unit_test(test_rebuild_refuses_sslv2),
        cmocka_unit_test(test_replay_accepted),
        cmocka_unit_test(test_replay_names_extension),
        cmocka_unit_test(test_replay_confirm_and_rule),
        cmocka_unit_test(test_replay_names_suite),
        cmocka_unit_test(test_replay_baseline_answered),
        cmocka_unit_test(test_replay_unoffered_suite),
        cmocka_unit_test(test_replay_budget),
        cmocka_unit_test(test_replay_no_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
