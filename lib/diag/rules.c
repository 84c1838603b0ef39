/* The diagnosis rules: observations in, findings out.  No I/O here.
 *
 * Rules run from the bottom of the stack up: name resolution, TCP, the
 * first answer to a ClientHello, then negotiation details.  When a lower
 * layer fails, the layers above it are not judged, so the report names the
 * cause and not its echoes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cert/cert.h"
#include "../registry/registry.h"
#include "../starttls/starttls.h"
#include "../util/str.h"
#include "../wire/tls.h"
#include "advice.h"
#include "finding.h"
#include "fixes.h"

/* Clients whose defaults stand for "a modern client" when the catalog says
 * "for the client in question": current browsers, curl/OpenSSL 3, Go, Java
 * 17+ all offer x25519, secp256r1 and secp384r1, and all refuse the weak
 * suite classes. */
static const uint16_t modern_groups[] = {TD_GROUP_X25519, TD_GROUP_SECP256R1, TD_GROUP_SECP384R1};

static bool is_modern_group(uint16_t g)
{
    for (size_t i = 0; i < sizeof modern_groups / sizeof modern_groups[0]; i++)
        if (modern_groups[i] == g)
            return true;
    return false;
}

/* AES or ChaCha20 with RSA/ECDSA authentication (or any TLS 1.3 suite):
 * what every current client offers. */
static bool is_modern_suite(const td_suite *s)
{
    if (!s || td_suite_weak(s))
        return false;
    if (s->min_version == TD_TLS13)
        return strncmp(s->cipher, "AES", 3) == 0 || strncmp(s->cipher, "CHACHA", 6) == 0;
    if (s->auth != TD_AU_RSA && s->auth != TD_AU_ECDSA)
        return false;
    if (s->kx != TD_KX_RSA && s->kx != TD_KX_DHE && s->kx != TD_KX_ECDHE)
        return false;
    return strncmp(s->cipher, "AES", 3) == 0 || strncmp(s->cipher, "CHACHA", 6) == 0;
}

struct ctx {
    const td_obs *o;
    td_findings *out;
    td_advice adv;     /* the target and the s_client prefix of the verify commands */
};

static void add(struct ctx *c, td_id id, td_severity sev, td_str *summary, td_str *evidence,
                const char *fix, td_str *verify)
{
    td_findings_take(c->out, id, sev, summary, evidence, fix, verify);
}

static const char *alert_name(uint8_t code)
{
    return td_alert_name(code, "unassigned");
}

static void describe_offer(td_str *b, const td_attempt *a)
{
    if (a->offered_version == TD_SSL2)
        td_str_printf(b, "SSLv2 CLIENT-HELLO (%zu bytes, %zu cipher specs)", a->hello_len, a->offered_suites);
    else
        td_str_printf(b, "ClientHello offering up to %s (%zu bytes, %zu cipher suites, %s)",
                      td_version_name(a->offered_version), a->hello_len, a->offered_suites,
                      a->offered_sni ? "with SNI" : "no SNI");
}

/* One line: what was sent, what came back. */
static void describe(td_str *b, const td_attempt *a)
{
    char lbl[96];
    describe_offer(b, a);
    td_str_add(b, " -> ");
    switch (a->out) {
    case TD_OUT_HELLO:
        td_str_printf(b, "ServerHello %s, %s", td_version_name(a->version), td_suite_label(a->suite, lbl, sizeof lbl));
        if (a->group)
            td_str_printf(b, ", group %s", td_group_label(a->group, lbl, sizeof lbl));
        break;
    case TD_OUT_HRR:
        td_str_printf(b, "HelloRetryRequest for group %s", td_group_label(a->group, lbl, sizeof lbl));
        break;
    case TD_OUT_SSLV2: td_str_add(b, "SSLv2 SERVER-HELLO"); break;
    case TD_OUT_ALERT:
        td_str_printf(b, "%s alert %s(%u) [bytes 15 .. %02x %02x]",
                      a->alert_level == TD_ALERT_LEVEL_WARNING ? "warning" : "fatal",
                      alert_name(a->alert_desc), a->alert_desc, a->alert_level, a->alert_desc);
        break;
    case TD_OUT_RESET: td_str_printf(b, "TCP RST after %.0f ms, no TLS bytes", a->total_ms); break;
    case TD_OUT_CLOSED: td_str_printf(b, "connection closed (FIN) after %.0f ms, no TLS bytes", a->total_ms); break;
    case TD_OUT_TIMEOUT:
        if (a->bytes_in > 0)
            td_str_printf(b, "slow drip: %zu bytes in %.1f s, and the handshake not finished", a->bytes_in,
                          a->total_ms / 1000.0);
        else
            td_str_printf(b, "no answer within %.1f s", a->total_ms / 1000.0);
        break;
    case TD_OUT_REFUSED: td_str_add(b, "TCP connection refused (RST to SYN)"); break;
    case TD_OUT_CONNECT_TIMEOUT: td_str_add(b, "no answer to TCP SYN"); break;
    case TD_OUT_UNREACHABLE: td_str_add(b, "host or network unreachable"); break;
    case TD_OUT_NOT_TLS:
        td_str_printf(b, "%s bytes: ", a->protocol ? a->protocol : "non-TLS");
        td_str_hex(b, a->first, a->n_first < 16 ? a->n_first : 16);
        break;
    case TD_OUT_MALFORMED: td_str_printf(b, "malformed TLS: %s", a->error[0] ? a->error : "unparseable"); break;
    case TD_OUT_DEADLINE: td_str_add(b, "not finished before the check's deadline"); break;
    case TD_OUT_LIMITED:
        td_str_printf(b, "cut (%s) on each of %u tries while the server answered others: not tested",
                      td_outcome_name(a->retry.first_out), a->retry.tries);
        break;
    case TD_OUT_ERROR: td_str_printf(b, "local error (errno %d)", a->sys_errno); break;
    case TD_OUT_LEADIN: td_str_printf(b, "%s: %s", a->leadin ? a->leadin : "lead-in", a->error); break;
    case TD_OUT_NOT_RUN: td_str_add(b, "not run"); break;
    }
}

static bool ok_attempt(const td_attempt *a)
{
    return a->out == TD_OUT_HELLO || a->out == TD_OUT_HRR || a->out == TD_OUT_SSLV2;
}

/* Every verify command exits 0 once the fault is fixed and non-zero while
 * it is still there, so a user (or a script) can run it before and after
 * the change.  Most complete a handshake that the fault prevents. */
static void verify_cmd(struct ctx *c, td_str *v, const char *extra)
{
    td_str_printf(v, "%s%s </dev/null", c->adv.sclient, extra ? extra : "");
}

/* For what must stop working (an old version, a weak suite): succeeds when
 * the server refuses the hello, which s_client reports as "Cipher is
 * (NONE)"; a connection that fails before TLS proves nothing and fails. */
static void verify_refused(struct ctx *c, td_str *v, const char *extra, const char *what)
{
    td_str_printf(v, "%s%s </dev/null 2>&1 | grep -q 'Cipher is (NONE)' && echo '%s refused'", c->adv.sclient,
                  extra ? extra : "", what);
}

/* s_client's flag for offering only this version; OpenSSL 3 needs security
 * level 0 for anything below TLS 1.2 (SHA-1 and MD5 in the handshake). */
static const char *version_flag(uint16_t v)
{
    switch (v) {
    case TD_SSL2: return " -ssl2";
    case TD_SSL3: return " -ssl3 -cipher 'DEFAULT:@SECLEVEL=0'";
    case TD_TLS10: return " -tls1 -cipher 'DEFAULT:@SECLEVEL=0'";
    case TD_TLS11: return " -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'";
    case TD_TLS12: return " -tls1_2";
    case TD_TLS13: return " -tls1_3";
    default: return "";
    }
}

/* ---- reaching the server --------------------------------------------------- */

static void rule_dns_failure(struct ctx *c, td_str *s, td_str *e, td_str *v)
{
    const td_obs *o = c->o;
    td_str_printf(s, "The name %s does not resolve: %s.", o->host, o->dns_error);
    td_str_printf(e, "resolver answer for %s: %s", o->host, o->dns_error);
    td_str_printf(v, "getent ahosts %s", o->host);
    add(c, TD_ID_DNS_FAILURE, TD_SEV_FAIL, s, e, td_fix(TD_ID_DNS_FAILURE), v);
}

static void rule_connect_refused(struct ctx *c, const char *addr, td_str *s, td_str *e, td_str *v)
{
    const td_obs *o = c->o;
    const td_attempt *b = &o->baseline;
    td_str_printf(s, "Nothing accepts TCP connections on %s port %u: the connection is %s.", addr, o->port,
                  b->out == TD_OUT_REFUSED ? "refused" : "rejected as unreachable");
    describe(e, b);
    td_str_printf(v, "nc -vz %s %u", addr, o->port);
    add(c, TD_ID_CONNECT_REFUSED, TD_SEV_FAIL, s, e, td_fix(TD_ID_CONNECT_REFUSED), v);
}

static void rule_connect_timeout(struct ctx *c, const char *addr, td_str *s, td_str *e, td_str *v)
{
    const td_obs *o = c->o;
    const td_attempt *b = &o->baseline;
    td_str_printf(s, "%s port %u does not answer TCP connection attempts: filtered, wrong address, or host down.",
                  addr, o->port);
    describe(e, b);
    td_str_printf(v, "nc -vz -w 5 %s %u", addr, o->port);
    add(c, TD_ID_CONNECT_TIMEOUT, TD_SEV_FAIL, s, e, td_fix(TD_ID_CONNECT_TIMEOUT), v);
}

static void rule_not_tls(struct ctx *c, td_str *s, td_str *e, td_str *v)
{
    const td_obs *o = c->o;
    const td_attempt *b = &o->baseline;
    const char *p = b->protocol;
    bool starttls = p && (td_starttls_for_banner(p) || strcmp(p, "SMTP/FTP") == 0);
    if (p)
        td_str_printf(s, "Port %u speaks %s, not TLS%s.", o->port, p,
                      starttls ? ": it expects STARTTLS before the handshake" : "");
    else
        td_str_printf(s, "Port %u does not speak TLS: the reply is unrecognised bytes.", o->port);
    describe(e, b);
    if (starttls) {
        /* A bare "220" greeting fits SMTP and FTP alike: the user says which. */
        const td_starttls_info *st = td_starttls_for_banner(p);
        const char *proto = st ? st->name : "smtp";
        if (o->starttls_tried[0])
            td_str_printf(e, "; the upgrade its greeting asks for failed too (%s)", o->starttls_tried);
        td_str_printf(v, "%s -starttls %s </dev/null", c->adv.sclient, proto);
        td_str fix;
        td_str_init(&fix);
        td_str_printf(&fix,
                      "Check the server through its upgrade with `tlsdiag check --starttls %s%s %s`. Clients use "
                      "STARTTLS on this port (e.g. `curl --ssl-reqd`, `openssl s_client -starttls %s`), or connect "
                      "to the protocol's implicit-TLS port where it has one (SMTPS 465, IMAPS 993, POP3S 995, FTPS "
                      "990).",
                      proto, st ? "" : "` (or `--starttls ftp`", c->adv.connect, proto);
        add(c, TD_ID_NOT_TLS, TD_SEV_FAIL, s, e, fix.s, v);
        td_str_free(&fix);
    } else {
        /* Succeeds once the port completes a TLS handshake. */
        verify_cmd(c, v, NULL);
        add(c, TD_ID_NOT_TLS, TD_SEV_FAIL, s, e,
            "Point the client at the TLS port, or enable TLS on this listener: nginx `listen PORT ssl;` with "
            "`ssl_certificate` and `ssl_certificate_key` in that server block; Apache httpd `SSLEngine on` "
            "with `SSLCertificateFile`/`SSLCertificateKeyFile` in the VirtualHost for that port; HAProxy "
            "`bind :PORT ssl crt /etc/haproxy/site.pem` (certificate, chain and key in one PEM).",
            v);
    }
}

/* Where each server software turns the upgrade on. */
static const char *starttls_fix(td_starttls_proto p)
{
    switch (p) {
    case TD_STARTTLS_SMTP:
    case TD_STARTTLS_LMTP:
        return "Give the mail server a certificate and announce STARTTLS: Postfix `smtpd_tls_cert_file = "
               "/etc/ssl/certs/mail.pem`, `smtpd_tls_key_file = /etc/ssl/private/mail.key` and "
               "`smtpd_tls_security_level = may` in main.cf, then `postfix reload`; Exim `tls_certificate`, "
               "`tls_privatekey` and `tls_advertise_hosts = *`. A 454 answer means STARTTLS is announced but the "
               "certificate or key did not load: the mail log says which.";
    case TD_STARTTLS_IMAP:
    case TD_STARTTLS_POP3:
    case TD_STARTTLS_SIEVE:
        return "Dovecot: `ssl = yes` (or `required`) with `ssl_cert = </etc/dovecot/private/dovecot.pem` and "
               "`ssl_key = </etc/dovecot/private/dovecot.key` in conf.d/10-ssl.conf, then `doveadm reload`; "
               "`ssl = no` turns STARTTLS off.";
    case TD_STARTTLS_FTP:
        return "vsftpd: `ssl_enable=YES` with `rsa_cert_file` and `rsa_private_key_file`; ProFTPD: `TLSEngine on` "
               "with `TLSRSACertificateFile` and `TLSRSACertificateKeyFile`; Pure-FTPd: `TLS 1`.";
    case TD_STARTTLS_XMPP:
    case TD_STARTTLS_XMPP_SERVER:
        return "Prosody: a certificate for the domain (`prosodyctl --root cert import /etc/letsencrypt/live`, or "
               "`ssl = { certificate = \"...\"; key = \"...\" }` in the VirtualHost), readable by prosody; ejabberd: "
               "`certfiles` and `starttls: true` on the listener.";
    case TD_STARTTLS_LDAP:
        return "OpenLDAP: set `olcTLSCertificateFile`, `olcTLSCertificateKeyFile` (and `olcTLSCACertificateFile`) "
               "on `cn=config` with ldapmodify, the files readable by the openldap user; slapd answers StartTLS "
               "only once they load.";
    case TD_STARTTLS_POSTGRES:
    case TD_STARTTLS_POSTGRES_DIRECT:
        return "PostgreSQL: `ssl = on` with `ssl_cert_file` and `ssl_key_file` in postgresql.conf (the key owned "
               "by postgres, mode 0600), then `SELECT pg_reload_conf();`; `hostssl` lines in pg_hba.conf require "
               "it. A client then connects with `psql \"host=HOST sslmode=verify-full\"`.";
    case TD_STARTTLS_MYSQL:
        return "MariaDB or MySQL: `ssl_cert` and `ssl_key` (and `ssl_ca`) in the [mysqld] section, then a restart; "
               "`SHOW VARIABLES LIKE 'have_ssl'` says YES once they load, and `require_secure_transport = ON` "
               "refuses clients without TLS.";
    case TD_STARTTLS_NNTP:
        return "INN: `tlscertfile` and `tlskeyfile` in inn.conf; nnrpd offers STARTTLS once both load.";
    case TD_STARTTLS_IRC:
        return "The IRCv3 STARTTLS extension is deprecated and most servers dropped it: connect to the server's "
               "TLS port (6697) instead, or load InspIRCd's `ssl_openssl` and `starttls` modules.";
    default:
        return "Enable TLS on the server for this protocol.";
    }
}

/* The upgrade the check went through was refused, or never answered. */
static void rule_starttls_unavailable(struct ctx *c, td_str *s, td_str *e, td_str *v)
{
    const td_obs *o = c->o;
    const td_attempt *b = &o->baseline;
    const td_starttls_info *st = o->starttls;
    if (b->out == TD_OUT_LEADIN)
        td_str_printf(s, "Port %u answers %s but does not upgrade to TLS: %s.", o->port, st->label, b->error);
    else if (b->out == TD_OUT_TIMEOUT && b->bytes_in == 0)
        /* A port that speaks TLS at once waits for a ClientHello, as the
         * engine waits for a greeting. */
        td_str_printf(s, "Port %u sent nothing of the %s upgrade within %.1f s: if it speaks TLS at once "
                         "(implicit TLS), check it without --starttls.",
                      o->port, st->label, b->total_ms / 1000.0);
    else
        td_str_printf(s, "Port %u does not complete the %s upgrade to TLS: %s while waiting for the server.",
                      o->port, st->label, td_outcome_name(b->out));
    /* No ClientHello went out: the evidence is the exchange before it. */
    td_str_printf(e, "the %s upgrade (--starttls %s) after the TCP connect in %.0f ms: %s, after %.0f ms; no "
                     "ClientHello was sent",
                  st->label, st->name, b->connect_ms, b->out == TD_OUT_LEADIN ? b->error : td_outcome_name(b->out),
                  b->total_ms);
    verify_cmd(c, v, NULL);
    add(c, TD_ID_STARTTLS_UNAVAILABLE, TD_SEV_FAIL, s, e, starttls_fix(st->proto), v);
}

static bool rule_reach(struct ctx *c)
{
    const td_obs *o = c->o;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    if (o->dns_error[0]) {
        rule_dns_failure(c, &s, &e, &v);
        return true;
    }
    const td_attempt *b = &o->baseline;
    const char *addr = o->addr_used >= 0 ? o->addrs[o->addr_used].text : o->host;
    switch (b->out) {
    case TD_OUT_REFUSED:
    case TD_OUT_UNREACHABLE:
        rule_connect_refused(c, addr, &s, &e, &v);
        return true;
    case TD_OUT_CONNECT_TIMEOUT:
        rule_connect_timeout(c, addr, &s, &e, &v);
        return true;
    case TD_OUT_NOT_TLS:
        rule_not_tls(c, &s, &e, &v);
        return true;
    case TD_OUT_LEADIN:
    case TD_OUT_TIMEOUT:
    case TD_OUT_CLOSED:
    case TD_OUT_RESET:
        /* A connection that ended inside the upgrade never reached TLS. */
        if (o->starttls && o->starttls->ops && b->leadin && strcmp(b->leadin, o->starttls->ops->name) == 0) {
            rule_starttls_unavailable(c, &s, &e, &v);
            return true;
        }
        break;
    default:
        break;
    }
    td_str_free(&s);
    td_str_free(&e);
    td_str_free(&v);
    return false;
}

/* ---- the first answer --------------------------------------------------- */

static bool any_version(const td_obs *o)
{
    for (int i = 0; i < TD_NVERSIONS; i++)
        if (o->version_ok[i] == TD_YES)
            return true;
    return false;
}

static void rule_reset_after_hello(struct ctx *c, td_str *s, td_str *e, td_str *v)
{
    td_str_printf(s, "The server resets the TCP connection as soon as it gets a ClientHello, with no TLS alert: "
                     "no TLS client can connect.");
    add(c, TD_ID_RESET_AFTER_CLIENTHELLO, TD_SEV_FAIL, s, e, td_fix(TD_ID_RESET_AFTER_CLIENTHELLO), v);
}

static void rule_closed_after_hello(struct ctx *c, td_str *s, td_str *e, td_str *v)
{
    td_str_printf(s, "The server closes the connection after the ClientHello without a TLS alert: the listener "
                     "is not configured for TLS, or the TLS layer failed to start.");
    add(c, TD_ID_CLOSED_AFTER_CLIENTHELLO, TD_SEV_FAIL, s, e, td_fix(TD_ID_CLOSED_AFTER_CLIENTHELLO), v);
}

static void rule_handshake_timeout(struct ctx *c, td_str *s, td_str *e, td_str *v)
{
    /* A server that sends a byte now and then answers no better than a
     * silent one: no handshake finishes either way. */
    if (c->o->baseline.bytes_in > 0)
        td_str_printf(s, "The server answers the ClientHello a few bytes at a time and never finishes the "
                         "handshake.");
    else
        td_str_printf(s, "The server accepts the TCP connection but never answers the ClientHello.");
    /* The tunnel was up: the silence is the server's (or on the proxy's
     * way to it), not the proxy's own. */
    if (c->o->proxy.used && c->o->proxy.stats.up > 0)
        td_str_printf(s, " The proxy %s opened the tunnel (its answer was a success) before the silence.",
                      c->o->proxy.hostport);
    add(c, TD_ID_HANDSHAKE_TIMEOUT, TD_SEV_FAIL, s, e, td_fix(TD_ID_HANDSHAKE_TIMEOUT), v);
}

/* Every hello refused with handshake_failure or insufficient_security. */
static void rule_no_cipher_at_all(struct ctx *c, td_str *s, td_str *e, td_str *v)
{
    const td_attempt *b = &c->o->baseline;
    uint8_t d = b->alert_desc;
    td_str_printf(s, "No cipher suite in common: the server refuses every ClientHello, even one offering all "
                     "%zu known suites, with %s(%u). Its suite list matches no suite it can use with its "
                     "certificate (e.g. an ECDSA certificate with only RSA suites configured, or TLS 1.3 "
                     "enabled with its suites removed).",
                  b->offered_suites, alert_name(d), d);
    add(c, TD_ID_NO_SHARED_CIPHER, TD_SEV_FAIL, s, e,
        "Configure suites that match the certificate's key type (ECDHE-ECDSA suites for an ECDSA key, "
        "ECDHE-RSA for RSA): nginx `ssl_ciphers " SUITES12 ";`; Apache httpd `SSLCipherSuite` with the "
        "same list; HAProxy `ssl-default-bind-ciphers` with the same list, in `global` (a `ciphers` on the "
        "bind line overrides it). Or serve both an RSA and an ECDSA certificate. These set TLS 1.2 and "
        "below; if TLS 1.3 is on with its suites emptied, set them too. " FIX_SUITES13,
        v);
}

static void rule_alert_to_all(struct ctx *c, td_str *s, td_str *e, td_str *v)
{
    const td_attempt *b = &c->o->baseline;
    uint8_t d = b->alert_desc;
    const td_alert *al = td_alert_by_code(d);
    td_str_printf(s, "The server refuses every ClientHello with the alert %s(%u): %s", alert_name(d), d,
                  al && al->meaning ? al->meaning : "see the server's error log.");
    add(c, TD_ID_SERVER_ALERT, TD_SEV_FAIL, s, e,
        "The alert names the server's reason; its error log has the detail (" FIX_LOGS "). Compare the "
        "server's TLS settings with what clients send: nginx `ssl_protocols`, `ssl_ciphers`, "
        "`ssl_certificate`, `server_name`; Apache httpd `SSLProtocol`, `SSLCipherSuite`, "
        "`SSLCertificateFile`, `ServerName`; HAProxy `ssl-default-bind-options`, `ssl-default-bind-ciphers` "
        "and the `crt` on the bind line.",
        v);
}

/* How many of the check's hellos got an answer that breaks the protocol. */
static void count_violations(const td_obs *o, td_str *e)
{
    if (o->n_violations > 1)
        td_str_printf(e, "; %u of the check's hellos got an answer that breaks the protocol", o->n_violations);
}

static void rule_malformed_reply(struct ctx *c, td_str *s, td_str *e, td_str *v)
{
    const td_attempt *b = &c->o->baseline;
    td_str_printf(s, "The server's answer breaks the TLS protocol, so no client completes a handshake: %s.",
                  b->error[0] ? b->error : "unparseable reply");
    count_violations(c->o, e);
    add(c, TD_ID_SERVER_PROTOCOL_VIOLATION, TD_SEV_FAIL, s, e, td_fix(TD_ID_SERVER_PROTOCOL_VIOLATION), v);
}

/* The baseline failed at connection level and no simpler hello worked
 * either: the server never completes a TLS hello with anyone. */
static bool rule_no_answer(struct ctx *c)
{
    const td_obs *o = c->o;
    const td_attempt *b = &o->baseline;
    if (ok_attempt(b) || any_version(o) || ok_attempt(&o->oldstyle))
        return false;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    describe(&e, b);
    if (o->oldstyle.out != TD_OUT_NOT_RUN) {
        td_str_add(&e, "; also ");
        describe(&e, &o->oldstyle);
    }
    /* s_client has no handshake timeout of its own: bound the wait. */
    if (b->out == TD_OUT_TIMEOUT)
        td_str_add(&v, "timeout 10 ");
    verify_cmd(c, &v, NULL);
    switch (b->out) {
    case TD_OUT_RESET:
        rule_reset_after_hello(c, &s, &e, &v);
        return true;
    case TD_OUT_CLOSED:
        rule_closed_after_hello(c, &s, &e, &v);
        return true;
    case TD_OUT_TIMEOUT:
        rule_handshake_timeout(c, &s, &e, &v);
        return true;
    case TD_OUT_ALERT:
        if (b->alert_desc == TD_ALERT_HANDSHAKE_FAILURE || b->alert_desc == TD_ALERT_INSUFFICIENT_SECURITY)
            rule_no_cipher_at_all(c, &s, &e, &v);
        else
            rule_alert_to_all(c, &s, &e, &v);
        return true;
    case TD_OUT_MALFORMED:
        rule_malformed_reply(c, &s, &e, &v);
        return true;
    default:
        td_str_free(&s);
        td_str_free(&e);
        td_str_free(&v);
        return false;
    }
}

/* The first full handshake that saw the server break the protocol, or NULL. */
static const td_hs *hs_violation(const td_obs *o)
{
    const td_hs *hs[] = {&o->hs, &o->hs_nosni, &o->hs_client, &o->hs_resume};
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
        if (hs[i]->violation)
            return hs[i];
    for (size_t i = 0; i < o->n_backends && i < TD_MAX_BACKENDS; i++)
        if (o->backends[i].violation)
            return &o->backends[i];
    return NULL;
}

/* An answer that never finished: a drip cut off at the handshake bound, or
 * a full handshake that timed out. */
static const td_attempt *stalled_attempt(const td_obs *o)
{
    const td_attempt *a[] = {&o->baseline, &o->nosni, &o->oldstyle, &o->bighello, &o->futurever, &o->fallback};
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
        if (a[i]->out == TD_OUT_TIMEOUT && a[i]->bytes_in > 0)
            return a[i];
    for (int i = 0; i < TD_NVERSIONS; i++)
        if (o->ver[i].out == TD_OUT_TIMEOUT && o->ver[i].bytes_in > 0)
            return &o->ver[i];
    return NULL;
}

/* Some hellos got an answer: yet a ServerHello is not a handshake.  When
 * none completes (td_obs_handshake_done), the answers that broke the
 * protocol, or that never finished, are why; when some do, a broken answer
 * to the other hellos still shuts out the clients that send those. */
static void rule_broken_answers(struct ctx *c)
{
    const td_obs *o = c->o;
    bool done = td_obs_handshake_done(o);
    const td_hs *h = hs_violation(o);
    const td_attempt *stall = done ? NULL : stalled_attempt(o);
    if (o->n_violations == 0 && !h && !stall && (done || o->hs.out != TD_OUT_TIMEOUT))
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    verify_cmd(c, &v, NULL);
    if (o->n_violations == 0 && !h) {
        td_str_printf(&s, "The server starts the handshake but never finishes it: no client completes one.");
        if (stall)
            describe(&e, stall);
        else
            td_str_printf(&e, "full handshake (OpenSSL): %s", o->hs.error[0] ? o->hs.error : "timed out");
        add(c, TD_ID_HANDSHAKE_TIMEOUT, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_HANDSHAKE_TIMEOUT), &v);
        return;
    }
    const char *what = o->n_violations ? o->violation.error : h->error;
    if (!what[0])
        what = "an answer the parser rejects";
    if (done)
        td_str_printf(&s, "Some of the server's answers break the TLS protocol: clients that send such a hello "
                          "fail: %s.", what);
    else
        td_str_printf(&s, "The server's answers break the TLS protocol, so no client completes a handshake: %s.",
                      what);
    if (o->n_violations)
        describe(&e, &o->violation);
    else
        td_str_printf(&e, "full handshake (OpenSSL) to %s: %s", h->addr, h->error);
    count_violations(o, &e);
    add(c, TD_ID_SERVER_PROTOCOL_VIOLATION, done ? TD_SEV_WARN : TD_SEV_FAIL, &s, &e,
        td_fix(TD_ID_SERVER_PROTOCOL_VIOLATION), &v);
}

static void rule_intolerance(struct ctx *c)
{
    const td_obs *o = c->o;
    /* Which simpler hello worked, for the evidence. */
    const td_attempt *works = NULL;
    for (int i = td_vidx(TD_TLS12); i >= td_vidx(TD_SSL3); i--)
        if (o->version_ok[i] == TD_YES) {
            works = &o->ver[i];
            break;
        }
    if (!works && ok_attempt(&o->oldstyle))
        works = &o->oldstyle;
    if (!works)
        return;
    const td_attempt *broke[3];
    const char *why[3];
    size_t n = 0;
    td_outcome bo = o->baseline.out;
    bool base_broke = bo == TD_OUT_RESET || bo == TD_OUT_CLOSED || bo == TD_OUT_TIMEOUT || bo == TD_OUT_MALFORMED ||
                      (bo == TD_OUT_ALERT && o->baseline.alert_desc != TD_ALERT_PROTOCOL_VERSION);
    if (base_broke) {
        broke[n] = &o->baseline;
        why[n++] = "a modern hello offering TLS 1.3";
    }
    const td_attempt *bh = &o->bighello;
    if (!ok_attempt(bh) && !td_outcome_untold(bh->out) && bh->out != TD_OUT_ALERT) {
        broke[n] = bh;
        why[n++] = "a TLS 1.2 hello padded to over 512 bytes";
    }
    const td_attempt *gv = &o->futurever;
    if (!ok_attempt(gv) && !td_outcome_untold(gv->out) &&
        !(gv->out == TD_OUT_ALERT && gv->alert_desc == TD_ALERT_PROTOCOL_VERSION)) {
        broke[n] = gv;
        why[n++] = "a hello with reserved (GREASE) version, suite and group values";
    }
    if (n == 0)
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&s, "The server breaks on %s, yet answers an older-style hello: clients that offer newer "
                      "versions or larger hellos (every current browser, curl, Java 11+) fail.",
                  why[0]);
    for (size_t i = 0; i < n; i++) {
        td_str_printf(&e, "%sbroken: %s: ", i ? "; " : "", why[i]);
        describe(&e, broke[i]);
    }
    td_str_add(&e, "; works: ");
    describe(&e, works);
    verify_cmd(c, &v, NULL);
    add(c, TD_ID_VERSION_INTOLERANCE, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_VERSION_INTOLERANCE), &v);
}

static void rule_sni(struct ctx *c)
{
    const td_obs *o = c->o;
    if (!o->sni[0] || td_outcome_untold(o->nosni.out) || !ok_attempt(&o->baseline) || ok_attempt(&o->nosni))
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&s, "The handshake works with SNI %s and fails without SNI: clients that send no SNI (old Java "
                      "and Android, some monitoring probes, IoT stacks, IP-address connections) fail.",
                  o->sni);
    td_str_add(&e, "with SNI: ");
    describe(&e, &o->baseline);
    td_str_add(&e, "; without SNI: ");
    describe(&e, &o->nosni);
    td_str_printf(&v, "%s </dev/null", c->adv.sclient_nosni);
    add(c, TD_ID_SNI_REQUIRED, TD_SEV_WARN, &s, &e, td_fix(TD_ID_SNI_REQUIRED), &v);
}

/* ---- versions ------------------------------------------------------------- */

/* The index of the newest version the server accepts, or -1. */
static int best_version(const td_obs *o)
{
    int best = -1;
    for (int i = 0; i < TD_NVERSIONS; i++)
        if (o->version_ok[i] == TD_YES)
            best = i;
    return best;
}

static void rule_protocol_too_old(struct ctx *c, int best)
{
    const td_obs *o = c->o;
    if (td_vat(best) >= TD_TLS12)
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&s, "The newest protocol the server accepts is %s: clients that disabled TLS 1.0/1.1 "
                      "(browsers since 2020, Java 17+, OpenSSL 3 at its default level, Go 1.18+) cannot connect.",
                  td_version_name(td_vat(best)));
    for (int i = td_vidx(TD_TLS12); i < TD_NVERSIONS; i++) {
        td_str_printf(&e, "%s: ", td_version_name(td_vat(i)));
        describe(&e, &o->ver[i]);
        td_str_add(&e, "; ");
    }
    td_str_printf(&e, "%s: ", td_version_name(td_vat(best)));
    describe(&e, &o->ver[best]);
    verify_cmd(c, &v, " -tls1_2");
    add(c, TD_ID_PROTOCOL_TOO_OLD, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_PROTOCOL_TOO_OLD), &v);
}

static void rule_legacy_protocol(struct ctx *c, int best)
{
    const td_obs *o = c->o;
    td_str s, e, v;
    /* Old versions still accepted. */
    td_str_init(&s);
    td_str_init(&e);
    int n = 0;
    for (int i = 0; i <= td_vidx(TD_TLS11); i++) {
        if (o->version_ok[i] != TD_YES)
            continue;
        td_str_printf(&s, "%s%s", n ? ", " : "", td_version_name(td_vat(i)));
        td_str_printf(&e, "%s%s: ", n ? "; " : "", td_version_name(td_vat(i)));
        describe(&e, &o->ver[i]);
        n++;
    }
    if (n > 0 && td_vat(best) >= TD_TLS12) {
        char *list = td_str_take(&s);
        td_str_init(&s);
        td_str_printf(&s, "The server still accepts %s: it works, but fails audits (PCI DSS, NIST) and invites "
                          "downgrade attacks.",
                      list);
        free(list);
        td_str_init(&v);
        /* The newest legacy version still accepted: the one clients
         * downgrade to, and the last to go when the change is partial. */
        int old = td_vidx(TD_TLS11);
        while (old > 0 && o->version_ok[old] != TD_YES)
            old--;
        char what[32];
        snprintf(what, sizeof what, "%s", td_version_name(td_vat(old)));
        verify_refused(c, &v, version_flag(td_vat(old)), what);
        add(c, TD_ID_LEGACY_PROTOCOL_ENABLED, TD_SEV_WARN, &s, &e,
            "Allow only TLS 1.2 and 1.3: nginx `ssl_protocols TLSv1.2 TLSv1.3;`, Apache httpd `SSLProtocol -all "
            "+TLSv1.2 +TLSv1.3`, HAProxy `ssl-default-bind-options ssl-min-ver TLSv1.2` in `global` (and drop "
            "`ssl-min-ver`, `force-tlsv10` or `force-tlsv11` from bind lines: a bind line's own options "
            "override the default). " FIX_DEFAULT_SERVER,
            &v);
    } else if (n > 0) {
        /* Everything is legacy: PROTOCOL_TOO_OLD already says it, with more
         * urgency; still name the old versions as their own finding. */
        char *list = td_str_take(&s);
        td_str_init(&s);
        td_str_printf(&s, "The server accepts only legacy protocols: %s.", list);
        free(list);
        td_str_init(&v);
        verify_cmd(c, &v, " -tls1_2");
        add(c, TD_ID_LEGACY_PROTOCOL_ENABLED, TD_SEV_WARN, &s, &e,
            "Enable TLS 1.2 and 1.3 and disable the rest: nginx `ssl_protocols TLSv1.2 TLSv1.3;`, Apache httpd "
            "`SSLProtocol -all +TLSv1.2 +TLSv1.3`, HAProxy `ssl-default-bind-options ssl-min-ver TLSv1.2` in "
            "`global` (and drop `ssl-min-ver`, `ssl-max-ver`, `force-tlsv10`, `force-tlsv11` or `no-tlsv12` "
            "from bind lines: a bind line's own options override the default). " FIX_DEFAULT_SERVER,
            &v);
    } else {
        td_str_free(&s);
        td_str_free(&e);
    }
}

static void rule_tls13_missing(struct ctx *c, int best)
{
    const td_obs *o = c->o;
    int i13 = td_vidx(TD_TLS13);
    if (o->version_ok[i13] != TD_NO)
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&s, "The server does not offer TLS 1.3 (best: %s).", td_version_name(td_vat(best)));
    describe(&e, &o->ver[i13]);
    verify_cmd(c, &v, " -tls1_3");
    add(c, TD_ID_TLS13_MISSING, TD_SEV_INFO, &s, &e, td_fix(TD_ID_TLS13_MISSING), &v);
}

static void rule_versions(struct ctx *c)
{
    int best = best_version(c->o);
    if (best < 0)
        return;
    rule_protocol_too_old(c, best);
    rule_legacy_protocol(c, best);
    rule_tls13_missing(c, best);
}

/* ---- suites ------------------------------------------------------------------ */

/* The weak suites the server accepts, offered by name in the newest
 * version that has any: refused once they are gone.  A suite the local
 * OpenSSL cannot offer (RC4, 3DES, DES and EXPORT are missing from
 * OpenSSL 3 builds) is skipped by s_client, so NULL and anonymous suites,
 * which it still has at security level 0, are named first; when it can
 * offer none of them, the command fails rather than claim a fix. */
static void weak_verify(struct ctx *c, td_str *v)
{
    const td_obs *o = c->o;
    int vi = td_vidx(TD_TLS12);
    for (; vi >= td_vidx(TD_SSL3); vi--) {
        bool any = false;
        for (size_t k = 0; o->version_ok[vi] == TD_YES && k < o->n_suites[vi] && k < TD_MAX_SUITES; k++) {
            const td_suite *su = td_suite_by_id(o->suites[vi][k]);
            any |= su && td_suite_weak(su) && su->openssl;
        }
        if (any)
            break;
    }
    if (vi < td_vidx(TD_SSL3))
        vi = -1; /* none with an OpenSSL name: fall back to the classes */
    td_str names;
    td_str_init(&names);
    size_t shown = 0;
    for (int pass = 0; pass < 2 && vi >= 0; pass++)
        for (size_t k = 0; k < o->n_suites[vi] && k < TD_MAX_SUITES && shown < 16; k++) {
            const td_suite *su = td_suite_by_id(o->suites[vi][k]);
            if (!su || !td_suite_weak(su) || !su->openssl)
                continue;
            bool early = su->cls == TD_CLASS_NULL || su->cls == TD_CLASS_ANON;
            if (early != (pass == 0))
                continue;
            td_str_printf(&names, "%s%s", names.s ? ":" : "", su->openssl);
            shown++;
        }
    uint16_t ver = vi >= 0 ? td_vat(vi) : 0;
    td_str extra;
    td_str_init(&extra);
    td_str_printf(&extra, "%s -cipher '%s:@SECLEVEL=0'",
                  ver == TD_TLS11 ? " -tls1_1" : ver == TD_TLS10 ? " -tls1" : ver == TD_SSL3 ? " -ssl3" : " -tls1_2",
                  names.s ? names.s : "aNULL:eNULL");
    verify_refused(c, v, extra.s, "weak suites");
    td_str_free(&extra);
    td_str_free(&names);
}

/* What the accepted suites add up to, counted once for the suite rules:
 * each suite once however many versions accept it; forward secrecy counts
 * every acceptance in TLS 1.2 and below. */
struct suite_census {
    size_t total, weak, fs12, n12, modern;
    td_str wl; /* the weak ones, labelled, for the evidence */
    uint16_t seen[TD_MAX_SUITES];
    size_t n_seen;
};

static void suite_census(const td_obs *o, struct suite_census *sc)
{
    memset(sc, 0, sizeof *sc);
    td_str_init(&sc->wl);
    for (int vi = td_vidx(TD_SSL3); vi < TD_NVERSIONS; vi++) {
        if (o->version_ok[vi] != TD_YES)
            continue;
        for (size_t k = 0; k < o->n_suites[vi]; k++) {
            uint16_t id = o->suites[vi][k];
            const td_suite *s = td_suite_by_id(id);
            if (td_vat(vi) <= TD_TLS12) {
                sc->n12++;
                if (s && td_suite_fs(s))
                    sc->fs12++;
            }
            bool dup = false;
            for (size_t m = 0; m < sc->n_seen; m++)
                dup |= sc->seen[m] == id;
            if (dup)
                continue;
            if (sc->n_seen < TD_MAX_SUITES)
                sc->seen[sc->n_seen++] = id;
            sc->total++;
            if (is_modern_suite(s) && td_vat(vi) >= TD_TLS12)
                sc->modern++;
            if (s && td_suite_weak(s)) {
                char lbl[96];
                td_str_printf(&sc->wl, "%s%s [%s]", sc->weak ? ", " : "", td_suite_label(id, lbl, sizeof lbl),
                              td_suite_class_name(s->cls));
                sc->weak++;
            }
        }
    }
    for (size_t k = 0; k < o->n_v2_specs; k++) {
        const td_v2spec *sp = td_v2spec_by_id(o->v2_specs[k]);
        td_str_printf(&sc->wl, "%sSSLv2 %s", sc->weak ? ", " : "", sp ? sp->name : "unknown spec");
        sc->weak++;
        sc->total++;
    }
}

static void rule_weak_ciphers(struct ctx *c, const struct suite_census *sc)
{
    size_t total = sc->total, weak = sc->weak;
    td_str s, e, v;
    if (total > 0 && weak == total) {
        td_str_init(&s);
        td_str_init(&e);
        td_str_init(&v);
        td_str_printf(&s, "Every cipher suite the server accepts is one modern clients refuse (%zu suite%s: RC4, "
                          "3DES, DES, EXPORT, NULL or anonymous).",
                      weak, weak == 1 ? "" : "s");
        td_str_printf(&e, "accepted: %s", sc->wl.s ? sc->wl.s : "");
        verify_cmd(c, &v, " -tls1_2 -cipher 'ECDHE+AESGCM'");
        add(c, TD_ID_WEAK_CIPHERS_ONLY, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_WEAK_CIPHERS_ONLY), &v);
    } else if (weak > 0) {
        td_str_init(&s);
        td_str_init(&e);
        td_str_init(&v);
        td_str_printf(&s, "The server accepts %zu weak cipher suite%s beside strong ones.", weak, weak == 1 ? "" : "s");
        td_str_printf(&e, "weak: %s", sc->wl.s ? sc->wl.s : "");
        weak_verify(c, &v);
        add(c, TD_ID_WEAK_CIPHERS_ENABLED, TD_SEV_WARN, &s, &e, td_fix(TD_ID_WEAK_CIPHERS_ENABLED), &v);
    }
}

/* Modern clients speak TLS 1.2 or 1.3 only: below that, the version is
 * the problem (PROTOCOL_TOO_OLD), not the suites. */
static void rule_no_shared_cipher(struct ctx *c, const struct suite_census *sc)
{
    const td_obs *o = c->o;
    if (sc->total == 0 || sc->modern > 0 || o->version_ok[td_vidx(TD_TLS13)] == TD_YES ||
        o->version_ok[td_vidx(TD_TLS12)] != TD_YES)
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&s, "Modern clients (browsers, curl/OpenSSL 3, Go, Java 17+) share no cipher suite with the "
                      "server: %s",
                  sc->weak == sc->total ? "it accepts only suites they removed as insecure."
                                : "it accepts only unusual suites (PSK, SRP, Camellia, ARIA, SEED, IDEA or "
                                  "anonymous).");
    for (size_t k = 0; k < sc->n_seen && k < 12; k++) {
        char lbl[96];
        td_str_printf(&e, "%s%s", k ? ", " : "accepted: ", td_suite_label(sc->seen[k], lbl, sizeof lbl));
    }
    verify_cmd(c, &v, " -tls1_2 -cipher 'ECDHE+AESGCM'");
    add(c, TD_ID_NO_SHARED_CIPHER, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_WEAK_CIPHERS_ONLY), &v);
}

static void rule_forward_secrecy(struct ctx *c, const struct suite_census *sc)
{
    if (sc->n12 == 0 || sc->fs12 > 0)
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&s, "No suite with forward secrecy (ECDHE/DHE) is accepted in TLS 1.2 and below: a stolen "
                      "private key decrypts recorded traffic.");
    td_str_printf(&e, "%zu suite%s accepted in TLS 1.2 and below, none ECDHE/DHE", sc->n12, sc->n12 == 1 ? "" : "s");
    verify_cmd(c, &v, " -tls1_2 -cipher 'ECDHE:DHE'");
    add(c, TD_ID_NO_FORWARD_SECRECY, TD_SEV_WARN, &s, &e, td_fix(TD_ID_NO_FORWARD_SECRECY), &v);
}

static void rule_suites(struct ctx *c)
{
    struct suite_census sc;
    suite_census(c->o, &sc);
    rule_weak_ciphers(c, &sc);
    rule_no_shared_cipher(c, &sc);
    rule_forward_secrecy(c, &sc);
    td_str_free(&sc.wl);
}

/* ---- key exchange ---------------------------------------------------------- */

static void rule_no_shared_group(struct ctx *c)
{
    const td_obs *o = c->o;
    if (o->n_groups == 0)
        return;
    bool shared = false;
    for (size_t i = 0; i < o->n_groups; i++)
        shared |= is_modern_group(o->groups[i]);
    if (shared)
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    char lbl[64];
    td_str_printf(&s, "No key-exchange group in common with modern clients: the server accepts only ");
    for (size_t i = 0; i < o->n_groups; i++)
        td_str_printf(&s, "%s%s", i ? ", " : "", td_group_label(o->groups[i], lbl, sizeof lbl));
    td_str_add(&s, ", while browsers, Go and Java offer x25519, secp256r1 and secp384r1.");
    td_str_add(&e, "groups accepted: ");
    for (size_t i = 0; i < o->n_groups; i++)
        td_str_printf(&e, "%s%s", i ? ", " : "", td_group_label(o->groups[i], lbl, sizeof lbl));
    td_str_printf(&e, "%s", o->groups_complete ? " (complete)" : " (enumeration incomplete)");
    verify_cmd(c, &v, " -groups X25519:P-256:P-384");
    add(c, TD_ID_NO_SHARED_GROUP, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_NO_SHARED_GROUP), &v);
}

static void rule_dh_too_small(struct ctx *c)
{
    const td_obs *o = c->o;
    if (o->dh_bits_min == 0 || o->dh_bits_min >= 2048)
        return;
    bool alt = o->version_ok[td_vidx(TD_TLS13)] == TD_YES;
    for (int vi = td_vidx(TD_SSL3); vi <= td_vidx(TD_TLS12) && !alt; vi++)
        for (size_t k = 0; k < o->n_suites[vi]; k++) {
            const td_suite *s = td_suite_by_id(o->suites[vi][k]);
            alt |= s && s->kx == TD_KX_ECDHE;
        }
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&s, "The server's DHE group is %u bits: OpenSSL 3 clients (security level 2) and Java 8u171+ "
                      "refuse DH below 2048 bits%s.",
                  o->dh_bits_min, alt ? "; clients preferring ECDHE or TLS 1.3 are not affected" : "");
    td_str_printf(&e, "ServerKeyExchange dh_p: %u bits", o->dh_bits_min);
    if (o->dh_bits_max != o->dh_bits_min)
        td_str_printf(&e, " (largest seen %u)", o->dh_bits_max);
    /* Security level 2 refuses DH below 2048 bits whatever the local
     * default is (RFC 7919 section 1 on small groups). */
    verify_cmd(c, &v, " -tls1_2 -cipher 'DHE:@SECLEVEL=2'");
    add(c, TD_ID_DH_TOO_SMALL, alt ? TD_SEV_WARN : TD_SEV_FAIL, &s, &e, td_fix(TD_ID_DH_TOO_SMALL), &v);
}

static void rule_groups(struct ctx *c)
{
    rule_no_shared_group(c);
    rule_dh_too_small(c);
}

/* ---- the rest of what the first flight shows ----------------------------- */

static void rule_alert(struct ctx *c)
{
    const td_obs *o = c->o;
    const td_attempt *b = &o->baseline;
    /* The baseline got an alert, but other hellos worked: the alert is the
     * server's answer to something in the modern hello. */
    if (b->out != TD_OUT_ALERT || !any_version(o))
        return;
    if (b->alert_desc == TD_ALERT_PROTOCOL_VERSION || b->alert_desc == TD_ALERT_HANDSHAKE_FAILURE ||
        b->alert_desc == TD_ALERT_INSUFFICIENT_SECURITY)
        return; /* explained by the version and suite findings */
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    const td_alert *al = td_alert_by_code(b->alert_desc);
    td_str_printf(&s, "The server answers a modern ClientHello with the alert %s(%u): %s", alert_name(b->alert_desc),
                  b->alert_desc, al && al->meaning ? al->meaning : "see the server's error log.");
    describe(&e, b);
    verify_cmd(c, &v, NULL);
    add(c, TD_ID_SERVER_ALERT, TD_SEV_FAIL, &s, &e,
        "The alert names the server's reason; its error log has the detail (" FIX_LOGS "). Older-style hellos "
        "work, so compare what the modern hello adds with the server's settings: nginx `ssl_protocols`, "
        "`ssl_ciphers`, `ssl_ecdh_curve`; Apache httpd `SSLProtocol`, `SSLCipherSuite`, `SSLOpenSSLConfCmd "
        "Curves`; HAProxy `ssl-default-bind-options`, `ssl-default-bind-ciphers`, `ssl-default-bind-curves`.",
        &v);
}

/* A DER DistinguishedName as one RFC 2253 line; decoding bytes, no I/O. */
static const char *dn_text(const uint8_t *der, size_t len, char *buf, size_t cap)
{
    if (!td_cert_dn_der(der, len, buf, cap))
        snprintf(buf, cap, "(undecodable name)");
    return buf;
}

static void rule_client_cert(struct ctx *c)
{
    const td_obs *o = c->o;
    if (!o->cert_request || td_client_cert_reported(o))
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&s, "The server asks for a client certificate (mutual TLS): clients without one fail if it is "
                      "required; %zu acceptable CA name%s sent.",
                  o->n_ca_names, o->n_ca_names == 1 ? "" : "s");
    td_str_printf(&e, "CertificateRequest in the %s flight with %zu certificate_authorities entr%s",
                  td_version_name(o->certs_version ? o->certs_version : TD_TLS12), o->n_ca_names,
                  o->n_ca_names == 1 ? "y" : "ies");
    /* The names tell the user which CA must have issued the client's
     * certificate (RFC 5246 section 7.4.4). */
    for (size_t i = 0; i < o->n_ca_names; i++) {
        char dn[256];
        td_str_printf(&e, "%s%s", i ? "; " : ": ", dn_text(o->ca_names[i], o->ca_name_len[i], dn, sizeof dn));
    }
    verify_cmd(c, &v, " -cert client.pem -key client.key");
    add(c, TD_ID_CLIENT_CERT_REQUIRED, TD_SEV_WARN, &s, &e, td_fix(TD_ID_CLIENT_CERT_REQUIRED), &v);
}

static void rule_reneg(struct ctx *c)
{
    const td_obs *o = c->o;
    if (o->secure_reneg != TD_NO)
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&s, "The server lacks secure renegotiation (RFC 5746): its ServerHello has no "
                      "renegotiation_info, so strict clients refuse it and renegotiation is open to "
                      "prefix injection (CVE-2009-3555).");
    int vi = td_vidx(TD_TLS12);
    while (vi > td_vidx(TD_SSL3) && o->version_ok[vi] != TD_YES)
        vi--;
    describe(&e, &o->ver[vi]);
    td_str_add(&e, "; the hello carried renegotiation_info, the ServerHello did not");
    td_str_printf(&v, "%s%s </dev/null 2>/dev/null | grep 'Secure Renegotiation IS supported'", c->adv.sclient,
                  version_flag(td_vat(vi)));
    add(c, TD_ID_RENEGOTIATION_INSECURE, TD_SEV_WARN, &s, &e, td_fix(TD_ID_RENEGOTIATION_INSECURE), &v);
}

void td_diagnose(const td_obs *o, td_findings *out)
{
    struct ctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.out = out;
    td_advice_init(&c.adv, o);

    if (td_diagnose_proxy(o, out))
        return;
    if (rule_reach(&c))
        return;
    if (rule_no_answer(&c))
        return;
    rule_broken_answers(&c);
    rule_intolerance(&c);
    rule_alert(&c);
    rule_sni(&c);
    rule_versions(&c);
    rule_suites(&c);
    rule_groups(&c);
    rule_client_cert(&c);
    rule_reneg(&c);
    td_diagnose_limits(o, out);
    td_diagnose_certs(o, out);
    td_diagnose_intercept(o, out);
}
