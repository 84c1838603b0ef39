/* The STARTTLS engines on byte vectors: each protocol's healthy exchange at
 * every split of the reads (whole, a byte at a time, odd chunks), what each
 * sends, what it leaves for the handshake, and its refusals in the
 * protocol's own terms; oversize lines, garbage and truncation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "starttls/starttls.h"

static const size_t SPLITS[] = {0, 1, 2, 3, 7, 64};

typedef struct run {
    td_leadin_rc rc;
    uint8_t out[8192];
    size_t out_len, used;
    char why[TD_LEADIN_WHY_MAX];
} run;

static void go(const td_leadin_ops *ops, const void *in, size_t len, size_t split, run *r)
{
    static td_starttls_cfg cfg = {.domain = "example.org"};
    r->rc = td_leadin_simulate(ops, &cfg, NULL, in, len, split, r->out, sizeof r->out, &r->out_len, &r->used, r->why,
                               sizeof r->why);
}

/* At every split: the verdict, the bytes sent (NULL: not checked) and the
 * bytes used (SIZE_MAX: all of them). */
static void expect(const td_leadin_ops *ops, const char *in, size_t len, td_leadin_rc rc, const char *sent,
                   size_t used, const char *why)
{
    for (size_t i = 0; i < sizeof SPLITS / sizeof SPLITS[0]; i++) {
        run r;
        go(ops, in, len, SPLITS[i], &r);
        if (r.rc != rc)
            fail_msg("%s split %zu: rc %d, want %d (why \"%s\")", ops->name, SPLITS[i], r.rc, rc, r.why);
        if (sent) {
            assert_int_equal(r.out_len, strlen(sent));
            assert_memory_equal(r.out, sent, r.out_len);
        }
        if (rc == TD_LEADIN_DONE)
            assert_int_equal(r.used, used == SIZE_MAX ? len : used);
        if (why && strstr(r.why, why) == NULL)
            fail_msg("%s split %zu: why \"%s\", want \"%s\"", ops->name, SPLITS[i], r.why, why);
    }
}

#define S(lit) lit, sizeof lit - 1

/* ---- SMTP / LMTP ---------------------------------------------------------- */

static void test_smtp(void **st)
{
    (void)st;
    expect(&td_starttls_smtp_ops,
           S("220-mail.example.org ESMTP\r\n220 second line\r\n250-mail.example.org\r\n250-PIPELINING\r\n"
             "250-STARTTLS\r\n250 8BITMIME\r\n220 2.0.0 Ready to start TLS\r\n"),
           TD_LEADIN_DONE, "EHLO tlsdiag.invalid\r\nSTARTTLS\r\n", SIZE_MAX, NULL);
    /* The same, a ClientHello-sized tail after the go-ahead is not taken. */
    expect(&td_starttls_smtp_ops, S("220 x\r\n250-x\r\n250 STARTTLS\r\n220 go\r\n\x16\x03"), TD_LEADIN_DONE, NULL,
           36, NULL);
    expect(&td_starttls_lmtp_ops, S("220 lmtp\r\n250-x\r\n250 starttls\r\n220 go\r\n"), TD_LEADIN_DONE,
           "LHLO tlsdiag.invalid\r\nSTARTTLS\r\n", SIZE_MAX, NULL);
}

static void test_smtp_refusals(void **st)
{
    (void)st;
    expect(&td_starttls_smtp_ops, S("220 x ESMTP\r\n250-x\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"), TD_LEADIN_FAIL,
           "EHLO tlsdiag.invalid\r\n", 0, "STARTTLS not in the EHLO answer");
    expect(&td_starttls_smtp_ops, S("220 x\r\n250-x\r\n250 STARTTLS\r\n454 4.7.0 TLS not available due to local problem\r\n"),
           TD_LEADIN_FAIL, NULL, 0, "454 4.7.0 TLS not available");
    expect(&td_starttls_smtp_ops, S("554 5.7.1 no service for you\r\n"), TD_LEADIN_FAIL, "", 0, "554 5.7.1");
    expect(&td_starttls_smtp_ops, S("220 x\r\n502 5.5.2 no EHLO\r\n"), TD_LEADIN_FAIL, NULL, 0, "EHLO refused");
    /* STARTTLS as a word inside another keyword's line is not the keyword. */
    expect(&td_starttls_smtp_ops, S("220 x\r\n250-X-STARTTLSISH\r\n250 AUTH STARTTLS\r\n"), TD_LEADIN_FAIL, NULL, 0,
           "STARTTLS not in the EHLO answer");
    expect(&td_starttls_smtp_ops, S("HTTP/1.1 400 Bad Request\r\n"), TD_LEADIN_FAIL, "", 0, "not an SMTP reply");
    /* Not enough yet: waiting. */
    expect(&td_starttls_smtp_ops, S("220-multi\r\n220-line"), TD_LEADIN_MORE, "", 0, NULL);
}

static void test_oversize_and_garbage(void **st)
{
    (void)st;
    char big[1200 + 8];
    memset(big, 'a', sizeof big);
    memcpy(big, "220 ", 4);
    expect(&td_starttls_smtp_ops, big, sizeof big, TD_LEADIN_FAIL, "", 0, "longer than 1024 bytes");
    expect(&td_starttls_pop3_ops, S("+OK\0hi\r\n"), TD_LEADIN_FAIL, NULL, 0, "NUL byte");
    /* Endless notices: bounded. */
    char many[300 * 10];
    for (size_t i = 0; i < 300; i++)
        memcpy(many + 10 * i, ":s NOTICE\n", 10);
    expect(&td_starttls_irc_ops, many, sizeof many, TD_LEADIN_FAIL, NULL, 0, "more than 256 lines");
}

/* ---- FTP, NNTP ---------------------------------------------------------- */

static void test_ftp_nntp(void **st)
{
    (void)st;
    /* RFC 959 section 4.2: lines inside a multi-line reply may be any text. */
    expect(&td_starttls_ftp_ops, S("120 wait\r\n220-Welcome\r\n  any text\r\n220 ready\r\n234 AUTH TLS OK.\r\n"),
           TD_LEADIN_DONE, "AUTH TLS\r\n", SIZE_MAX, NULL);
    expect(&td_starttls_ftp_ops, S("220 (vsFTPd 3.0.3)\r\n530 Please login with USER and PASS.\r\n"), TD_LEADIN_FAIL,
           "AUTH TLS\r\n", 0, "AUTH TLS answered \"530 Please login");
    expect(&td_starttls_nntp_ops, S("201 news ready\r\n382 Continue with TLS negotiation\r\n"), TD_LEADIN_DONE,
           "STARTTLS\r\n", SIZE_MAX, NULL);
    expect(&td_starttls_nntp_ops, S("200 ok\r\n580 Can not initiate TLS negotiation\r\n"), TD_LEADIN_FAIL, NULL, 0,
           "580 Can not initiate");
    expect(&td_starttls_nntp_ops, S("502 go away\r\n"), TD_LEADIN_FAIL, "", 0, "NNTP greeting");
}

/* ---- IMAP, POP3, ManageSieve, IRC ---------------------------------------- */

static void test_imap(void **st)
{
    (void)st;
    expect(&td_starttls_imap_ops,
           S("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot ready.\r\na OK Begin TLS negotiation now.\r\n"),
           TD_LEADIN_DONE, "a STARTTLS\r\n", SIZE_MAX, NULL);
    expect(&td_starttls_imap_ops, S("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\na BAD TLS support isn't enabled.\r\n"),
           TD_LEADIN_FAIL, NULL, 0, "STARTTLS not in the IMAP capabilities");
    expect(&td_starttls_imap_ops, S("* OK ready\r\na NO not now\r\n"), TD_LEADIN_FAIL, NULL, 0,
           "STARTTLS answered \"a NO not now\"");
    expect(&td_starttls_imap_ops, S("* PREAUTH logged in\r\n"), TD_LEADIN_FAIL, NULL, 0, "PREAUTH");
    expect(&td_starttls_imap_ops, S("* BYE too many\r\n"), TD_LEADIN_FAIL, NULL, 0, "greeting is \"* BYE");
    expect(&td_starttls_imap_ops, S("garbage\r\n"), TD_LEADIN_FAIL, NULL, 0, "not an IMAP response");
}

static void test_pop3(void **st)
{
    (void)st;
    expect(&td_starttls_pop3_ops, S("+OK Dovecot ready.\r\n+OK Begin TLS negotiation now.\r\n"), TD_LEADIN_DONE,
           "STLS\r\n", SIZE_MAX, NULL);
    expect(&td_starttls_pop3_ops, S("+OK ready\r\n-ERR TLS support isn't enabled.\r\n"), TD_LEADIN_FAIL, NULL, 0,
           "STLS answered \"-ERR TLS support");
    expect(&td_starttls_pop3_ops, S("-ERR busy\r\n"), TD_LEADIN_FAIL, NULL, 0, "POP3 greeting");
}

static void test_sieve(void **st)
{
    (void)st;
    expect(&td_starttls_sieve_ops,
           S("\"IMPLEMENTATION\" \"Dovecot Pigeonhole\"\r\n\"SIEVE\" \"fileinto\"\r\n\"STARTTLS\"\r\nOK \"ready\"\r\n"
             "OK \"Begin TLS negotiation now.\"\r\n"),
           TD_LEADIN_DONE, "STARTTLS\r\n", SIZE_MAX, NULL);
    expect(&td_starttls_sieve_ops, S("\"IMPLEMENTATION\" \"x\"\r\nOK \"ready\"\r\n"), TD_LEADIN_FAIL, "", 0,
           "STARTTLS not in the ManageSieve capabilities");
    expect(&td_starttls_sieve_ops, S("\"STARTTLS\"\r\nOK\r\nNO \"TLS failed\"\r\n"), TD_LEADIN_FAIL, NULL, 0,
           "STARTTLS answered \"NO");
}

static void test_irc(void **st)
{
    (void)st;
    expect(&td_starttls_irc_ops,
           S(":irc.example NOTICE * :*** Looking up your hostname\r\nPING :12345\r\n"
             ":irc.example 670 * :STARTTLS successful, go ahead with TLS handshake\r\n"),
           TD_LEADIN_DONE, "STARTTLS\r\nPONG :12345\r\n", SIZE_MAX, NULL);
    expect(&td_starttls_irc_ops, S(":irc.example 691 * :STARTTLS failed\r\n"), TD_LEADIN_FAIL, NULL, 0, "691");
    expect(&td_starttls_irc_ops, S(":irc.example 421 * STARTTLS :Unknown command\r\n"), TD_LEADIN_FAIL, NULL, 0, "421");
}

/* ---- XMPP ---------------------------------------------------------------- */

#define XMPP_HEAD                                                                                              \
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' " \
    "id='1' from='example.org' version='1.0'>"

static void test_xmpp(void **st)
{
    (void)st;
    static const char ok[] = XMPP_HEAD
        "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
        "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms>"
        "</stream:features><proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
    run r;
    go(&td_starttls_xmpp_ops, ok, sizeof ok - 1, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_DONE);
    assert_non_null(strstr((char *)r.out, "to='example.org'"));
    assert_non_null(strstr((char *)r.out, "xmlns='jabber:client'"));
    assert_non_null(strstr((char *)r.out, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
    expect(&td_starttls_xmpp_ops, S(ok), TD_LEADIN_DONE, NULL, SIZE_MAX, NULL);
    go(&td_starttls_xmpp_server_ops, ok, sizeof ok - 1, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_DONE);
    assert_non_null(strstr((char *)r.out, "xmlns='jabber:server'"));

    expect(&td_starttls_xmpp_ops,
           S(XMPP_HEAD "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></stream:features>"),
           TD_LEADIN_FAIL, NULL, 0, "STARTTLS not in the XMPP stream features");
    expect(&td_starttls_xmpp_ops,
           S(XMPP_HEAD "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"
                       "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
           TD_LEADIN_FAIL, NULL, 0, "<failure/>");
    expect(&td_starttls_xmpp_ops,
           S(XMPP_HEAD "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"),
           TD_LEADIN_FAIL, NULL, 0, "stream error: host-unknown");
}

/* ---- LDAP, PostgreSQL, MySQL ------------------------------------------------- */

static const uint8_t LDAP_REQ[] = {0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16, '1', '.', '3', '.', '6', '.',
                                   '1',  '.',  '4',  '.',  '1',  '.',  '1',  '4',  '6',  '6', '.', '2', '0', '0', '3', '7'};

static void test_ldap(void **st)
{
    (void)st;
    /* OpenLDAP's answer, with its four-byte lengths, then a ClientHello's start. */
    static const uint8_t ok[] = {0x30, 0x84, 0, 0, 0, 0x28, 0x02, 0x01, 0x01, 0x78, 0x84, 0, 0, 0, 0x1f, 0x0a, 0x01,
                                 0x00, 0x04, 0x00, 0x04, 0x00, 0x8a, 0x16, '1', '.', '3', '.', '6', '.', '1', '.', '4',
                                 '.',  '1',  '.',  '1',  '4',  '6',  '6',  '.',  '2',  '0',  '0',  '3',  '7',  0x16};
    run r;
    for (size_t i = 0; i < sizeof SPLITS / sizeof SPLITS[0]; i++) {
        go(&td_starttls_ldap_ops, ok, sizeof ok, SPLITS[i], &r);
        assert_int_equal(r.rc, TD_LEADIN_DONE);
        assert_int_equal(r.used, sizeof ok - 1);
        assert_int_equal(r.out_len, sizeof LDAP_REQ);
        assert_memory_equal(r.out, LDAP_REQ, sizeof LDAP_REQ);
    }
    static const uint8_t refused[] = {0x30, 0x1e, 0x02, 0x01, 0x01, 0x78, 0x19, 0x0a, 0x01, 0x34, 0x04, 0x00, 0x04,
                                      0x12, 'T',  'L',  'S',  ' ',  'n',  'o',  't',  ' ',  'c',  'o',  'n',  'f',
                                      'i',  'g',  'u',  'r',  'e',  'd'};
    for (size_t i = 0; i < sizeof SPLITS / sizeof SPLITS[0]; i++) {
        go(&td_starttls_ldap_ops, refused, sizeof refused, SPLITS[i], &r);
        assert_int_equal(r.rc, TD_LEADIN_FAIL);
        assert_string_equal(r.why, "StartTLS answered resultCode 52 (unavailable): TLS not configured");
    }
    static const uint8_t junk[] = {0x04, 0x02, 'h', 'i'};
    go(&td_starttls_ldap_ops, junk, sizeof junk, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_FAIL);
    static const uint8_t indefinite[] = {0x30, 0x80, 0x02, 0x01, 0x01};
    go(&td_starttls_ldap_ops, indefinite, sizeof indefinite, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_FAIL);
    static const uint8_t huge[] = {0x30, 0x84, 0x7f, 0xff, 0xff, 0xff};
    go(&td_starttls_ldap_ops, huge, sizeof huge, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_FAIL);
    /* A truncated answer waits. */
    go(&td_starttls_ldap_ops, ok, 10, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_MORE);
}

static void test_postgres(void **st)
{
    (void)st;
    static const uint8_t req[] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
    run r;
    go(&td_starttls_postgres_ops, "S\x16\x03", 3, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_DONE);
    assert_int_equal(r.used, 1);
    assert_int_equal(r.out_len, sizeof req);
    assert_memory_equal(r.out, req, sizeof req);
    go(&td_starttls_postgres_ops, "N", 1, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_FAIL);
    assert_string_equal(r.why, "PostgreSQL answered N to SSLRequest");
    go(&td_starttls_postgres_ops, "E\0\0\0\x10", 5, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_FAIL);
    go(&td_starttls_postgres_ops, "\x15\x03\x01\x00\x02\x02\x32", 7, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_FAIL);
    assert_non_null(strstr(r.why, "speaks TLS at once"));
    go(&td_starttls_postgres_ops, "H", 1, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_FAIL);
    assert_non_null(strstr(r.why, "0x48"));
}

/* A MariaDB greeting with CLIENT_SSL (0x0800) among the lower capability flags, or not. */
static size_t mysql_greeting(uint8_t *b, uint16_t caps)
{
    static const char ver[] = "5.5.5-10.11.6-MariaDB-0+deb12u1";
    size_t n = 4;
    b[n++] = 10;
    memcpy(b + n, ver, sizeof ver);
    n += sizeof ver;
    memcpy(b + n, "\x01\0\0\0" "abcdefgh" "\0", 13);
    n += 13;
    b[n++] = (uint8_t)caps;
    b[n++] = (uint8_t)(caps >> 8);
    memset(b + n, 0, 20);
    n += 20;
    b[0] = (uint8_t)(n - 4);
    b[1] = b[2] = 0;
    b[3] = 0;
    return n;
}

static void test_mysql(void **st)
{
    (void)st;
    uint8_t g[128];
    size_t n = mysql_greeting(g, 0xfffe);
    run r;
    for (size_t i = 0; i < sizeof SPLITS / sizeof SPLITS[0]; i++) {
        go(&td_starttls_mysql_ops, g, n, SPLITS[i], &r);
        assert_int_equal(r.rc, TD_LEADIN_DONE);
        assert_int_equal(r.used, n);
        assert_int_equal(r.out_len, 36);
        assert_int_equal(r.out[0], 32);
        assert_int_equal(r.out[3], 1); /* sequence id */
        assert_true(r.out[5] & 0x08);  /* CLIENT_SSL */
    }
    n = mysql_greeting(g, 0xf7fe); /* MariaDB without ssl_cert */
    go(&td_starttls_mysql_ops, g, n, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_FAIL);
    assert_non_null(strstr(r.why, "CLIENT_SSL not in its capability flags"));
    static const uint8_t err[] = {0x18, 0, 0, 0, 0xff, 0x6a, 0x04, 'H', 'o', 's', 't', ' ', 'x', ' ', 'i', 's',
                                  ' ',  'n', 'o', 't', ' ', 'a', 'l', 'l', 'o', 'w', 'e', 'd'};
    go(&td_starttls_mysql_ops, err, sizeof err, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_FAIL);
    assert_string_equal(r.why, "MySQL refused the connection: error 1130: Host x is not allowed");
    static const uint8_t big[] = {0xff, 0xff, 0xff, 0};
    go(&td_starttls_mysql_ops, big, sizeof big, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_FAIL);
    static const uint8_t cut[] = {0x05, 0, 0, 0, 10, 'a', 'b', 'c', 'd'};
    go(&td_starttls_mysql_ops, cut, sizeof cut, 0, &r);
    assert_int_equal(r.rc, TD_LEADIN_FAIL);
    assert_non_null(strstr(r.why, "cut short"));
}

static void test_registry(void **st)
{
    (void)st;
    const char *names[] = {"smtp", "lmtp", "imap", "pop3", "ftp", "xmpp", "xmpp-server", "ldap", "postgres",
                           "postgres-direct", "mysql", "nntp", "sieve", "irc"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const td_starttls_info *p = td_starttls_find(names[i]);
        assert_non_null(p);
        assert_string_equal(p->name, names[i]);
        assert_ptr_equal(td_starttls_get(p->proto), p);
        assert_non_null(strstr(td_starttls_names(), names[i]));
        if (p->ops)
            assert_string_equal(p->ops->name, names[i]);
    }
    assert_null(td_starttls_find("gopher"));
    assert_string_equal(td_starttls_find("SMTP")->name, "smtp");
    assert_string_equal(td_starttls_find("postgres-direct")->alpn, "postgresql");
    assert_null(td_starttls_find("postgres-direct")->ops);
    assert_string_equal(td_starttls_for_banner("SMTP")->name, "smtp");
    assert_string_equal(td_starttls_for_banner("IMAP")->name, "imap");
    assert_string_equal(td_starttls_for_banner("MySQL")->name, "mysql");
    assert_null(td_starttls_for_banner("SMTP/FTP"));
    assert_null(td_starttls_for_banner("HTTP"));
    assert_null(td_starttls_for_banner(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smtp),       cmocka_unit_test(test_smtp_refusals), cmocka_unit_test(test_oversize_and_garbage),
        cmocka_unit_test(test_ftp_nntp),   cmocka_unit_test(test_imap),          cmocka_unit_test(test_pop3),
        cmocka_unit_test(test_sieve),      cmocka_unit_test(test_irc),           cmocka_unit_test(test_xmpp),
        cmocka_unit_test(test_ldap),       cmocka_unit_test(test_postgres),      cmocka_unit_test(test_mysql),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
