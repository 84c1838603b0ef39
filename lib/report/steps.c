/* The handshake as a list of steps, derived once from the observations so
 * the text ladder and the HTML sequence diagram say the same thing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "registry/registry.h"
#include "report/report.h"
#include "starttls/starttls.h"
#include "wire/tls.h"

#define MAX_ADDRS_SHOWN 4
#define NOT_TLS_SHOWN 24 /* bytes of a non-TLS answer quoted in the handshake steps */

/* Who speaks at a step: the client resolving alone, the client to the
 * server, or the server answering. */
static td_step_dir direction(const char *label)
{
    if (strcmp(label, "DNS") == 0)
        return TD_STEP_LOCAL;
    if (strcmp(label, "TCP connect") == 0 || strcmp(label, "Proxy") == 0 || strcmp(label, "ClientHello") == 0 ||
        strcmp(label, "STARTTLS") == 0)
        return TD_STEP_TO_SERVER;
    return TD_STEP_TO_CLIENT;
}

static td_step *push(td_steps *s, td_step_kind kind, bool ok, const char *label)
{
    if (s->n >= TD_STEPS_MAX) {
        s->err = true;
        return NULL;
    }
    td_step *st = &s->v[s->n++];
    *st = (td_step){ .kind = kind, .ok = ok, .label = label, .dir = direction(label), .ms = -1 };
    td_str_init(&st->text);
    return st;
}

static void step(td_steps *s, bool ok, const char *label, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void step(td_steps *s, bool ok, const char *label, const char *fmt, ...)
{
    td_step *st = push(s, TD_STEP_MSG, ok, label);
    if (!st)
        return;
    va_list ap;
    va_start(ap, fmt);
    td_str_vprintf(&st->text, fmt, ap);
    va_end(ap);
    s->err |= st->text.err != 0;
}

/* A remark under the steps; a detail one is for the long form only. */
static void note(td_steps *s, bool detail, const char *text)
{
    td_step *st = push(s, TD_STEP_NOTE, true, "");
    if (!st)
        return;
    st->detail = detail;
    td_str_add(&st->text, text);
    s->err |= st->text.err != 0;
}

/* The time the last step took, when the observations measured it. */
static void timed(td_steps *s, double ms)
{
    if (s->n > 0 && ms >= 0)
        s->v[s->n - 1].ms = ms;
}

static const char *alert_name(uint8_t code)
{
    return td_alert_name(code, "unknown alert");
}

/* td_cert_info is kilobytes of SAN buffers: one per report, lent around. */
td_cert_info *td_report_cert_info(const td_cert *c, td_cert_info *ci)
{
    if (!c || !c->der || !ci)
        return NULL;
    return td_cert_info_from_der(td_cert_der(c), ci, NULL, 0) == 0 ? ci : NULL;
}

/* How a full handshake that did not complete ended, in words. */
void td_hs_failure(const td_hs *h, char *buf, size_t len)
{
    if (h->alert_received >= 0 && h->alert_received <= 255) {
        snprintf(buf, len, "alert %s (%d) from the server%s%s", alert_name((uint8_t)h->alert_received),
                 h->alert_received, h->error[0] ? ": " : "", h->error);
        return;
    }
    const char *what = td_outcome_name(h->out);
    switch (h->out) {
    case TD_OUT_RESET: what = "connection reset (TCP RST)"; break;
    case TD_OUT_CLOSED: what = "connection closed (FIN)"; break;
    case TD_OUT_TIMEOUT: what = "no answer"; break;
    case TD_OUT_ALERT: what = "alert"; break;
    case TD_OUT_DEADLINE: what = "not finished before the deadline"; break;
    case TD_OUT_LIMITED: what = "cut each time it was tried while the server answered others: not tested"; break;
    default: break;
    }
    snprintf(buf, len, "%s%s%s", what, h->error[0] ? ": " : "", h->error);
}

/* Which subject to name for a depth of the path: the path's own when it got
 * that far. */
static const char *path_subject(const td_path *p, int depth)
{
    if (depth >= 0 && (size_t)depth < p->n && depth < TD_PATH_MAX && p->subjects[depth][0])
        return p->subjects[depth];
    return NULL;
}

/* The broken link of a path, as a clause: which certificate, what is wrong.
 * Empty for a sound path. */
void td_path_break(const td_path *p, td_str *b)
{
    const char *at = path_subject(p, p->depth);
    switch (p->verdict) {
    case TD_PATH_OK:
        return;
    case TD_PATH_INCOMPLETE:
        td_str_printf(b, "issuer '%s' of '%s' was not sent and is not in the trust store",
                      p->missing_issuer[0] ? p->missing_issuer : "(unnamed)",
                      p->top_subject[0] ? p->top_subject : "the last certificate");
        return;
    case TD_PATH_UNTRUSTED_ROOT:
        td_str_printf(b, "root '%s' is not in the trust store",
                      p->top_subject[0] ? p->top_subject : (at ? at : "of the path"));
        return;
    case TD_PATH_SELF_SIGNED_LEAF:
        td_str_printf(b, "'%s' is not in the trust store", at ? at : "the leaf");
        return;
    case TD_PATH_EXPIRED:
        td_str_printf(b, "'%s' has expired", at ? at : "a certificate of the path");
        return;
    case TD_PATH_NOT_YET_VALID:
        td_str_printf(b, "'%s' is not valid yet", at ? at : "a certificate of the path");
        return;
    case TD_PATH_BAD_SIGNATURE:
        td_str_printf(b, "the signature on '%s' does not verify", at ? at : "a certificate of the path");
        return;
    case TD_PATH_PURPOSE:
        td_str_printf(b, "'%s' is not allowed for TLS server authentication", at ? at : "a certificate of the path");
        return;
    case TD_PATH_OTHER:
        break;
    }
    if (at)
        td_str_printf(b, "%s, at '%s'", p->x509_err_text, at);
    else
        td_str_add(b, p->x509_err_text);
}

/* The path verdict, as the Certificate step says it.  Returns false when
 * the path was verified and is broken. */
static bool path_phrase(const td_obs *obs, td_str *b)
{
    const td_path *p = &obs->path;
    if (!td_path_done(p)) {
        if (obs->store_error[0])
            td_str_printf(b, "not verified: the trust store could not be loaded (%s)", obs->store_error);
        else
            td_str_add(b, "not verified");
        return true;
    }
    if (p->verdict == TD_PATH_OK) {
        td_str_printf(b, "trusted up to '%s'", p->top_subject[0] ? p->top_subject : "a root in the store");
        return true;
    }
    td_str_printf(b, "%s: ", td_path_verdict_name(p->verdict));
    td_path_break(p, b);
    if (obs->aia_tried && td_path_done(&obs->path_aia) && obs->path_aia.verdict == TD_PATH_OK)
        td_str_add(b, " (browsers, which fetch it via AIA, succeed)");
    return false;
}

/* The Certificate step: the chain the full handshake saw, else the one the
 * first flight showed (the path was verified from whichever there was). */
static void step_certificate(td_steps *s, const td_obs *obs, td_cert_info *ci)
{
    const td_hs *h = &obs->hs;
    const td_cert *chain = h->chain;
    size_t n = h->n_chain;
    if (n == 0) {
        chain = obs->certs;
        n = obs->n_certs;
    }
    char why[256];
    if (n == 0) {
        if (h->done) {
            step(s, true, "Certificate", "none sent (the suite needs none)");
        } else {
            td_hs_failure(h, why, sizeof why);
            step(s, false, "Certificate", "none received: the handshake ended first (%s)", why);
        }
        return;
    }
    const td_cert_info *leaf = td_report_cert_info(&chain[0], ci);
    td_str b;
    td_str_init(&b);
    bool ok = path_phrase(obs, &b);
    if (b.err)
        s->err = true;
    step(s, ok, "Certificate", "%zu certificate%s, leaf '%s'; %s", n, n == 1 ? "" : "s",
         leaf ? leaf->subject : "(undecodable)", b.s ? b.s : "");
    td_str_free(&b);
}

/* The end of the full handshake: completed, or where it stopped.  When it
 * stopped before any certificate, the Certificate step said so already. */
static void step_finished(td_steps *s, const td_obs *obs)
{
    const td_hs *h = &obs->hs;
    if (!h->done && h->n_chain == 0 && obs->n_certs == 0)
        return;
    if (h->done) {
        char vb[32], sb[96];
        step(s, true, "Finished", "handshake completed in %.0f ms: %s, %s%s%s", h->ms,
             td_version_text(h->version, vb, sizeof vb), td_suite_name(h->suite, sb, sizeof sb),
             h->alpn[0] ? ", ALPN " : "", h->alpn);
        timed(s, h->ms);
        return;
    }
    char why[256];
    td_hs_failure(h, why, sizeof why);
    step(s, false, "Finished", "the handshake did not complete: %s", why);
    timed(s, h->ms);
}

static void step_dns(td_steps *s, const td_obs *obs, bool *ok)
{
    const td_obs_proxy *p = &obs->proxy;
    *ok = false;
    if (p->used && p->dns_error[0]) {
        step(s, false, "DNS", "the proxy %s: %s", p->hostport, p->dns_error);
        return;
    }
    /* HTTP CONNECT and socks5h hand the name to the proxy. */
    if (p->used && p->scheme != TD_PROXY_SOCKS5 && !obs->host_is_ip) {
        step(s, true, "DNS", "%s: resolved by the proxy (the proxy %s \u2192 %s)", obs->host, p->hostport, p->addr);
        *ok = true;
        return;
    }
    if (obs->host_is_ip) {
        step(s, true, "DNS", "not needed: %s is an address", obs->host);
        *ok = true;
        return;
    }
    if (obs->dns_error[0]) {
        step(s, false, "DNS", "%s: %s", obs->host, obs->dns_error);
        return;
    }
    if (obs->n_addrs == 0) {
        /* neither an error nor an address: resolution did not finish */
        step(s, false, "DNS", "%s: not resolved", obs->host);
        return;
    }
    td_str list;
    td_str_init(&list);
    size_t n = obs->n_addrs < TD_MAX_ADDRS ? obs->n_addrs : TD_MAX_ADDRS;
    for (size_t i = 0; i < n && i < MAX_ADDRS_SHOWN; i++)
        td_str_printf(&list, "%s%s", i ? ", " : "", obs->addrs[i].text);
    if (n > MAX_ADDRS_SHOWN)
        td_str_printf(&list, " and %zu more", n - MAX_ADDRS_SHOWN);
    step(s, true, "DNS", "%s \u2192 %s", obs->host, list.s ? list.s : "");
    td_str_free(&list);
    *ok = true;
}

/* The TCP step; false when the baseline broke there. */
static bool step_tcp(td_steps *s, const td_obs *obs, const td_attempt *a)
{
    char where[sizeof obs->proxy.hostport + 16];
    const char *addr = obs->host;
    if (obs->addr_used >= 0 && (size_t)obs->addr_used < obs->n_addrs && obs->addr_used < TD_MAX_ADDRS)
        addr = obs->addrs[obs->addr_used].text;
    td_hostport(where, sizeof where, addr, obs->port);
    /* Every connection goes to the proxy. */
    if (obs->proxy.used)
        snprintf(where, sizeof where, "the proxy %s", obs->proxy.hostport);

    const char *err = td_attempt_error(a);
    switch (a->out) {
    case TD_OUT_REFUSED:
        step(s, false, "TCP connect", "%s refused: nothing listens there, or a firewall rejects", where);
        return false;
    case TD_OUT_CONNECT_TIMEOUT:
        step(s, false, "TCP connect", "%s: no answer to SYN after %.0f ms (filtered, wrong address or host down)",
             where, a->total_ms);
        return false;
    case TD_OUT_UNREACHABLE:
        step(s, false, "TCP connect", "%s unreachable%s%s", where, err ? ": " : "", err ? err : "");
        return false;
    case TD_OUT_DEADLINE:
        if (a->connect_ms < 0) {
            step(s, false, "TCP connect", "%s: no connection before the deadline", where);
            return false;
        }
        break;
    case TD_OUT_ERROR:
        if (a->connect_ms < 0) {
            step(s, false, "TCP connect", "%s: %s", where, err ? err : "local error");
            return false;
        }
        break;
    default:
        break;
    }
    step(s, true, "TCP connect", "%s in %.0f ms", where, a->connect_ms);
    timed(s, a->connect_ms);
    return true;
}

/* The tunnel through the proxy; false when the baseline ended there. */
static bool step_proxy(td_steps *s, const td_obs *obs, const td_attempt *a)
{
    const td_obs_proxy *p = &obs->proxy;
    if (!p->used)
        return true;
    const char *how = p->scheme == TD_PROXY_HTTP ? "CONNECT" : "SOCKS5 CONNECT";
    if (a->out == TD_OUT_LEADIN && a->leadin == p->leadin) {
        step(s, false, "Proxy", "%s %s:%u: %s", how, obs->host, obs->port, a->error);
        return false;
    }
    if (a->leadin && a->leadin == p->leadin) {
        step(s, false, "Proxy", "%s %s:%u: %s before the proxy answered", how, obs->host, obs->port,
             td_outcome_name(a->out));
        return false;
    }
    step(s, true, "Proxy", "%s %s:%u: tunnel opened", how, obs->host, obs->port);
    return true;
}

/* The upgrade before the hello, when the check went through one; false
 * when the baseline broke there. */
static bool step_starttls(td_steps *s, const td_obs *obs, const td_attempt *a)
{
    const td_starttls_info *st = obs->starttls;
    if (!st)
        return true;
    if (!st->ops) {
        step(s, true, "STARTTLS", "none: %s, every hello offering ALPN %s", st->label, st->alpn);
        return true;
    }
    if (a->leadin && strcmp(a->leadin, st->ops->name) == 0) {
        step(s, false, "STARTTLS", "%s upgrade failed: %s", st->label,
             a->out == TD_OUT_LEADIN ? a->error : td_outcome_name(a->out));
        return false;
    }
    if (obs->starttls_auto)
        step(s, true, "STARTTLS", "%s upgrade in %.0f ms, chosen from the port's %s greeting (--starttls %s)",
             st->label, a->leadin_ms, obs->starttls_banner, st->name);
    else
        step(s, true, "STARTTLS", "%s upgrade in %.0f ms (--starttls %s)", st->label, a->leadin_ms, st->name);
    timed(s, a->leadin_ms);
    return true;
}

/* Up to NOT_TLS_SHOWN bytes as text: printable ASCII as is, line ends
 * escaped, anything else as '.', so nothing the peer sent reaches the
 * terminal raw. */
static void printable(const uint8_t *p, size_t n, char *buf, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < n && i < NOT_TLS_SHOWN && o + 3 < len; i++) {
        if (p[i] == '\n' || p[i] == '\r') {
            buf[o++] = '\\';
            buf[o++] = p[i] == '\n' ? 'n' : 'r';
        } else {
            buf[o++] = (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"') ? (char)p[i] : '.';
        }
    }
    buf[o] = '\0';
}

/* The server's answer to the ClientHello; false when it broke there. */
static bool step_server_hello(td_steps *s, const td_attempt *a)
{
    char sb[96], gb[64], vb[32];
    const char *err = td_attempt_error(a);
    switch (a->out) {
    case TD_OUT_HELLO:
        if (a->group)
            step(s, true, "ServerHello", "%s, %s, %s", td_version_text(a->version, vb, sizeof vb),
                 td_suite_name(a->suite, sb, sizeof sb), td_group_name(a->group, gb, sizeof gb));
        else
            step(s, true, "ServerHello", "%s, %s", td_version_text(a->version, vb, sizeof vb),
                 td_suite_name(a->suite, sb, sizeof sb));
        return true;
    case TD_OUT_HRR:
        step(s, true, "HelloRetryRequest", "the server asks for a key share for %s",
             a->group ? td_group_name(a->group, gb, sizeof gb) : "another group");
        return true;
    case TD_OUT_SSLV2:
        step(s, true, "ServerHello", "SSLv2 SERVER-HELLO");
        return true;
    case TD_OUT_ALERT: {
        const td_alert *al = td_alert_by_code(a->alert_desc);
        step(s, false, "ServerHello", "%s alert %s (%u) instead%s%s",
             a->alert_level == TD_ALERT_LEVEL_WARNING ? "warning" : "fatal", alert_name(a->alert_desc),
             (unsigned)a->alert_desc, al && al->meaning ? ": " : "", al && al->meaning ? al->meaning : "");
        return false;
    }
    case TD_OUT_RESET:
        step(s, false, "ServerHello", "connection reset (TCP RST) after %.0f ms, no TLS alert", a->total_ms);
        return false;
    case TD_OUT_CLOSED:
        step(s, false, "ServerHello", "connection closed (FIN) after %.0f ms, no TLS alert", a->total_ms);
        return false;
    case TD_OUT_TIMEOUT:
        step(s, false, "ServerHello", "no answer after %.0f ms", a->total_ms);
        return false;
    case TD_OUT_NOT_TLS: {
        /* A banner says more as text than as hex; unknown bytes need both. */
        char text[4 * NOT_TLS_SHOWN + 1];
        printable(a->first, a->n_first, text, sizeof text);
        if (a->protocol) {
            step(s, false, "ServerHello", "not TLS: the port speaks %s (it sent \"%s\")", a->protocol, text);
        } else {
            td_str hex;
            td_str_init(&hex);
            td_str_hex(&hex, a->first, a->n_first < NOT_TLS_SHOWN ? a->n_first : NOT_TLS_SHOWN);
            step(s, false, "ServerHello", "not TLS: unrecognised bytes %s (\"%s\")", hex.s ? hex.s : "", text);
            td_str_free(&hex);
        }
        return false;
    }
    case TD_OUT_MALFORMED:
        step(s, false, "ServerHello", "malformed TLS reply%s%s", err ? ": " : "", err ? err : "");
        return false;
    case TD_OUT_DEADLINE:
        step(s, false, "ServerHello", "not finished before the deadline");
        return false;
    default:
        step(s, false, "ServerHello", "%s%s%s", td_outcome_name(a->out), err ? ": " : "", err ? err : "");
        return false;
    }
}

/* The rest of the handshake: the first flight as far as the hand-built
 * hello saw it, and from the full handshake what comes after. */
static void steps_flight(td_steps *s, const td_obs *obs, const td_attempt *a, td_cert_info *ci)
{
    bool full = obs->hs.out != TD_OUT_NOT_RUN;
    if (a->version == TD_TLS13) {
        if (!full) {
            note(s, false, "(the rest of a TLS 1.3 handshake is encrypted)");
            return;
        }
        note(s, true, "(encrypted in TLS 1.3; seen through a full handshake)");
        if (obs->hs.cert_request)
            step(s, true, "CertificateRequest", "client certificate requested (%zu CA name%s)", obs->hs.n_ca_names,
                 obs->hs.n_ca_names == 1 ? "" : "s");
        step_certificate(s, obs, ci);
        step_finished(s, obs);
        return;
    }
    if (a->out != TD_OUT_HELLO || a->version == TD_SSL2)
        return;
    if (full)
        step_certificate(s, obs, ci);
    else if (obs->n_certs)
        step(s, true, "Certificate", "%zu certificate%s", obs->n_certs, obs->n_certs > 1 ? "s" : "");
    const td_suite *suite = td_suite_by_id(a->suite);
    if (suite && (suite->kx == TD_KX_ECDHE || suite->kx == TD_KX_DHE || suite->kx == TD_KX_ECDHE_PSK || suite->kx == TD_KX_DHE_PSK)) {
        char gb[64];
        if (a->group)
            step(s, true, "ServerKeyExchange", "%s", td_group_name(a->group, gb, sizeof gb));
        else if (obs->dh_bits_min)
            step(s, true, "ServerKeyExchange", "DHE, %u-bit group", (unsigned)obs->dh_bits_min);
        else
            step(s, true, "ServerKeyExchange", "%s", td_kx_name(suite->kx));
    }
    if (obs->cert_request)
        step(s, true, "CertificateRequest", "client certificate requested (%zu CA name%s)", obs->n_ca_names,
             obs->n_ca_names == 1 ? "" : "s");
    step(s, true, "ServerHelloDone", "end of the server's first flight");
    if (full)
        step_finished(s, obs);
}

void td_handshake_steps(const td_obs *obs, td_cert_info *ci, td_steps *s)
{
    const td_attempt *a = &obs->baseline;
    *s = (td_steps){ .n = 0 };
    bool ok;
    step_dns(s, obs, &ok);
    if (!ok)
        return;
    if (a->out == TD_OUT_NOT_RUN) {
        td_step *st = push(s, TD_STEP_NONE, true, "");
        if (st)
            td_str_add(&st->text, "(no connection was attempted)");
        return;
    }
    if (!step_tcp(s, obs, a) || !step_proxy(s, obs, a) || !step_starttls(s, obs, a))
        return;
    char vb[32];
    step(s, true, "ClientHello", "%zu bytes, offering %s, %s%s", a->hello_len,
         a->offered_version ? td_version_text(a->offered_version, vb, sizeof vb) : "?", a->offered_sni ? "SNI " : "no SNI",
         a->offered_sni ? obs->sni : "");
    bool answered = step_server_hello(s, a);
    timed(s, a->first_ms > 0 ? a->first_ms : a->total_ms);
    if (answered)
        steps_flight(s, obs, a, ci);
}

int td_steps_broken(const td_steps *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].kind == TD_STEP_MSG && !s->v[i].ok)
            return (int)i;
    return -1;
}

void td_steps_free(td_steps *s)
{
    for (size_t i = 0; i < s->n; i++)
        td_str_free(&s->v[i].text);
    s->n = 0;
}
