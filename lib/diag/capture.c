/* The rules for one connection seen in a capture: td_capobs in, findings
 * out, with the catalog IDs a check uses where the fact is the same (a
 * reset after the ClientHello, an alert, silence) and those only a capture
 * shows: the client's side (its alerts, its certificate turned down), and
 * resets or silence that did not come from the server. */
#include <stdio.h>
#include <string.h>

#include "diag/advice.h"
#include "diag/finding.h"
#include "diag/fixes.h"
#include "obs/capobs.h"
#include "registry/registry.h"
#include "wire/tls.h"

/* A client that waited this long for an answer gave the server its chance. */
#define WAITED_S 1.0
/* Below this, a round trip is within the capture clock's noise. */
#define MIN_RTT_S 0.001

typedef struct ctx {
    const td_capobs *o;
    td_findings *out;
    char target[96];  /* the server as s_client -connect takes it */
    char verify[512]; /* s_client against it */
} ctx;

static const char *alert_text(uint8_t desc)
{
    return td_alert_name(desc, "unknown alert");
}

static td_finding *add(ctx *x, td_id id, td_severity sev, td_str *summary, td_str *evidence, const char *fix)
{
    td_str v;
    td_str_init(&v);
    td_str_add(&v, x->verify);
    return td_findings_take(x->out, id, sev, summary, evidence, fix, &v);
}

/* What the client sent and what came back, in one line. */
static void exchange(ctx *x, td_str *ev)
{
    const td_capobs *o = x->o;
    td_str_printf(ev, "stream %lu, %s port %u to %s: %s of %u bytes at +%.3f s in %u TCP segment%s", o->stream,
                  o->client, o->client_port, x->target, o->hello_sslv2 ? "SSLv2 CLIENT-HELLO" : "ClientHello",
                  o->hello_len, o->hello_t, o->hello_segments, o->hello_segments == 1 ? "" : "s");
    if (o->hello_retrans)
        td_str_printf(ev, ", %u sent again", o->hello_retrans);
    if (o->offer_read)
        td_str_printf(ev, " (up to %s, %zu cipher suites, %s%s)", td_version_name(o->offer_version),
                      o->offer_suites, o->offer_sni ? "SNI " : "no SNI", o->offer_sni ? o->sni : "");
    else if (o->offer_bad)
        td_str_printf(ev, " (malformed: %s)", o->offer_error);
}

/* Why a reset from the server's side was not sent by the server: its TTL
 * is not that of the server's own packets (another hop sent it), or it
 * came sooner after the client's packet than a round trip to the server
 * takes.  Empty when it fits the server. */
static void foreign_reset(const td_capobs *o, td_str *why)
{
    const td_cap_ipstats *s = &o->server_ip;
    if (!o->rst_from_server || s->packets == 0)
        return;
    if (o->rst_ttl < s->ttl_min || o->rst_ttl > s->ttl_max) {
        if (s->ttl_min == s->ttl_max)
            td_str_printf(why, "its TTL is %u while every other packet from %s came with TTL %u", o->rst_ttl,
                          o->server, s->ttl_min);
        else
            td_str_printf(why, "its TTL is %u while the other packets from %s came with TTL %u to %u",
                          o->rst_ttl, o->server, s->ttl_min, s->ttl_max);
        return;
    }
    if (o->rtt >= MIN_RTT_S && o->rst_after_client >= 0 && o->rst_after_client < o->rtt / 2)
        td_str_printf(why, "it came %.1f ms after the client's packet, sooner than the server could answer "
                      "(the SYN/SYN-ACK round trip took %.1f ms)", o->rst_after_client * 1000, o->rtt * 1000);
}

static void rst_ip(const td_capobs *o, td_str *ev)
{
    td_str_printf(ev, "; RST at +%.3f s with TTL %u", o->rst_t, o->rst_ttl);
    if (o->rst_has_ip_id)
        td_str_printf(ev, ", IP ID %u", o->rst_ip_id);
    if (o->server_ip.packets) {
        td_str_printf(ev, "; the server's other %u packet%s: TTL %u", o->server_ip.packets,
                      o->server_ip.packets == 1 ? "" : "s", o->server_ip.ttl_min);
        if (o->server_ip.ttl_max != o->server_ip.ttl_min)
            td_str_printf(ev, "-%u", o->server_ip.ttl_max);
        if (o->server_ip.has_ip_id)
            td_str_printf(ev, ", last IP ID %u", o->server_ip.last_ip_id);
    }
}

static bool middlebox_reset(ctx *x)
{
    const td_capobs *o = x->o;
    td_str why;
    td_str_init(&why);
    foreign_reset(o, &why);
    if (!why.len) {
        td_str_free(&why);
        return false;
    }
    td_str s, ev;
    td_str_init(&s);
    td_str_init(&ev);
    td_str_printf(&s, "A TCP reset in the server's name did not come from %s: %s; a firewall, IPS or proxy "
                  "between the client and the server cut the connection", x->target, why.len ? why.s : "");
    exchange(x, &ev);
    rst_ip(o, &ev);
    td_str_free(&why);
    add(x, TD_ID_MIDDLEBOX_RESET, TD_SEV_FAIL, &s, &ev, td_fix(TD_ID_MIDDLEBOX_RESET));
    return true;
}

/* How long the client waited for an answer: until it gave up, else until
 * the capture ended. */
static double waited(const td_capobs *o)
{
    return (o->end_t[0] >= 0 ? o->end_t[0] : o->end) - o->hello_t;
}

/* A ClientHello in several segments, sent again and never answered: the
 * path drops large hellos (an MTU black hole, a filter on packet size). */
static bool large_hello(ctx *x)
{
    const td_capobs *o = x->o;
    if (o->hello_segments < 2 || o->hello_retrans == 0 || o->bytes[1] > 0)
        return false;
    td_str s, ev;
    td_str_init(&s);
    td_str_init(&ev);
    td_str_printf(&s, "The %u-byte ClientHello took %u TCP segments and was sent again %u time%s without an "
                  "answer: something on the path drops large hellos", o->hello_len, o->hello_segments,
                  o->hello_retrans, o->hello_retrans == 1 ? "" : "s");
    exchange(x, &ev);
    td_str_printf(&ev, "; nothing came back in %.1f s", waited(o));
    add(x, TD_ID_LARGE_HELLO_DROPPED, TD_SEV_FAIL, &s, &ev, td_fix(TD_ID_LARGE_HELLO_DROPPED));
    return true;
}

/* The hello got no byte back: reset, closed or left unanswered. */
static void no_answer(ctx *x)
{
    const td_capobs *o = x->o;
    if (o->answer.out == TD_OUT_RESET && middlebox_reset(x))
        return;
    if (large_hello(x))
        return;
    td_str s, ev;
    td_str_init(&s);
    td_str_init(&ev);
    exchange(x, &ev);
    if (o->answer.out == TD_OUT_RESET) {
        td_str_printf(&s, "%s reset the connection after the ClientHello, without a TLS alert", x->target);
        rst_ip(o, &ev);
        add(x, TD_ID_RESET_AFTER_CLIENTHELLO, TD_SEV_FAIL, &s, &ev, td_fix(TD_ID_RESET_AFTER_CLIENTHELLO));
    } else if (o->answer.out == TD_OUT_CLOSED) {
        td_str_printf(&s, "%s closed the connection after the ClientHello, without a TLS alert", x->target);
        add(x, TD_ID_CLOSED_AFTER_CLIENTHELLO, TD_SEV_FAIL, &s, &ev, td_fix(TD_ID_CLOSED_AFTER_CLIENTHELLO));
    } else if (waited(o) >= WAITED_S) {
        td_str_printf(&s, "%s never answered the ClientHello: the client waited %.1f s", x->target, waited(o));
        td_str_printf(&ev, "; %s", o->end_t[0] >= 0 ? "then the client gave up" : "then the capture ended");
        add(x, TD_ID_HANDSHAKE_TIMEOUT, TD_SEV_FAIL, &s, &ev, td_fix(TD_ID_HANDSHAKE_TIMEOUT));
    } else {
        td_str_free(&s);
        td_str_free(&ev);
    }
}

/* The server answered the hello with an alert: the alert and the offer
 * together name the fault where they can. */
static void server_alert(ctx *x)
{
    const td_capobs *o = x->o;
    uint8_t d = o->answer.alert_desc;
    td_str s, ev;
    td_str_init(&s);
    td_str_init(&ev);
    exchange(x, &ev);
    td_str_printf(&ev, "; answered at +%.3f s by alert %s(%u), level %s", o->answer_t, alert_text(d), d,
                  o->answer.alert_level == TD_ALERT_LEVEL_FATAL ? "fatal" : "warning");
    td_id id = TD_ID_SERVER_ALERT;
    if (d == TD_ALERT_HANDSHAKE_FAILURE && o->offer_read) {
        /* RFC 8446 section 4.1.1: handshake_failure when the server
         * cannot negotiate acceptable parameters from the offer */
        id = TD_ID_NO_SHARED_CIPHER;
        td_str_printf(&s, "%s accepts none of the %zu cipher suites the client offers (up to %s): it answered "
                      "the ClientHello with handshake_failure(40)", x->target, o->offer_suites,
                      td_version_name(o->offer_version));
    } else if (d == TD_ALERT_PROTOCOL_VERSION && o->offer_read && o->offer_min_version >= TD_TLS12) {
        /* RFC 8446 appendix D.1: protocol_version when the server supports
         * none of the versions offered; an offer of TLS 1.2 and up refused
         * leaves only older ones */
        id = TD_ID_PROTOCOL_TOO_OLD;
        td_str_printf(&s, "%s supports none of %s to %s that the client offers: only versions below TLS 1.2, "
                      "which current clients refuse (RFC 8996); it answered protocol_version(70)", x->target,
                      td_version_name(o->offer_min_version), td_version_name(o->offer_version));
    } else if (d == TD_ALERT_UNRECOGNIZED_NAME && o->offer_read && !o->offer_sni) {
        id = TD_ID_SNI_REQUIRED;
        td_str_printf(&s, "%s refuses a ClientHello without a server name (SNI) with unrecognized_name(112): "
                      "the client sent none", x->target);
    } else {
        td_str_printf(&s, "%s refused the client's ClientHello with alert %s(%u)", x->target, alert_text(d), d);
        const td_alert *a = td_alert_by_code(d);
        if (d == TD_ALERT_PROTOCOL_VERSION && o->offer_read)
            td_str_printf(&s, ": the client offers %s to %s, none of which the server enables",
                          td_version_name(o->offer_min_version), td_version_name(o->offer_version));
        else if (d == TD_ALERT_PROTOCOL_VERSION)
            td_str_add(&s, ": the client offered no protocol version the server enables");
        else if (d == TD_ALERT_UNRECOGNIZED_NAME)
            td_str_printf(&s, ": the server has no site for the name %s", o->offer_sni ? o->sni : "the client asked for");
        else if (d == TD_ALERT_HANDSHAKE_FAILURE)
            td_str_add(&s, ": the server found nothing it accepts in the offer (usually no shared cipher suite, "
                           "group or signature algorithm)");
        else if (a && a->meaning)
            td_str_printf(&s, ": %s", a->meaning);
    }
    td_finding *f = add(x, id, TD_SEV_FAIL, &s, &ev, td_fix(id));
    if (f && id == TD_ID_SNI_REQUIRED)
        f->reason = TD_REASON_SNI;
}

static bool cert_alert(uint8_t d)
{
    return d == TD_ALERT_BAD_CERTIFICATE || d == TD_ALERT_UNSUPPORTED_CERTIFICATE ||
           d == TD_ALERT_CERTIFICATE_REVOKED || d == TD_ALERT_CERTIFICATE_EXPIRED ||
           d == TD_ALERT_CERTIFICATE_UNKNOWN || d == TD_ALERT_UNKNOWN_CA;
}

static const char *cert_alert_reason(uint8_t d)
{
    switch (d) {
    case TD_ALERT_UNKNOWN_CA:
        return "the client does not trust the CA that issued the chain (a private CA, or an intermediate "
               "missing from the chain)";
    case TD_ALERT_CERTIFICATE_EXPIRED:
        return "a certificate of the chain is expired, or the client's clock is wrong";
    case TD_ALERT_CERTIFICATE_REVOKED:
        return "the client found a certificate of the chain revoked";
    case TD_ALERT_UNSUPPORTED_CERTIFICATE:
        return "the client cannot use the certificate's key type or usage";
    default:
        return "the client could not verify the chain: an untrusted or missing issuer, a name that does not "
               "match, or a certificate it refuses";
    }
}

/* Whether the ladder shows the server sending a handshake message of this
 * type in the clear (what is left when the capture cut the flight). */
static bool server_sent(const td_capobs *o, uint8_t type)
{
    for (size_t k = 0; k < o->n_steps; k++)
        if (o->steps[k].from_server && o->steps[k].kind == TD_CS_HANDSHAKE && o->steps[k].code == type)
            return true;
    return false;
}

/* The client ended the handshake after the server's flight. */
static void client_side(ctx *x)
{
    const td_capobs *o = x->o;
    td_str s, ev;
    td_str_init(&s);
    td_str_init(&ev);
    exchange(x, &ev);
    td_str_printf(&ev, "; the server's flight from +%.3f s", o->answer_t);
    if (o->n_chain)
        td_str_printf(&ev, " held %zu certificate%s", o->n_chain, o->n_chain == 1 ? "" : "s");
    uint8_t d = o->client_alert_desc;
    if (o->client_alert && !o->client_alert_encrypted) {
        td_str_printf(&ev, "; the client sent alert %s(%u), level %s, at +%.3f s", alert_text(d), d,
                      o->client_alert_level == TD_ALERT_LEVEL_FATAL ? "fatal" : "warning", o->client_alert_t);
        /* A certificate alert from a client is about the server's chain,
         * whether or not the capture kept it. */
        if (cert_alert(d)) {
            td_str_printf(&s, "The client rejected the certificate of %s with alert %s(%u): %s", x->target,
                          alert_text(d), d, cert_alert_reason(d));
            add(x, TD_ID_CLIENT_REJECTED_CERT, TD_SEV_FAIL, &s, &ev, td_fix(TD_ID_CLIENT_REJECTED_CERT));
            return;
        }
        const td_alert *a = td_alert_by_code(d);
        td_str_printf(&s, "The client ended the handshake with %s with alert %s(%u)", x->target, alert_text(d), d);
        if (a && a->meaning)
            td_str_printf(&s, ": %s", a->meaning);
    } else if (o->client_alert) {
        td_str_printf(&ev, "; the client sent an encrypted record the size of an alert at +%.3f s, then closed",
                      o->client_alert_t);
        td_str_printf(&s, "The client ended the TLS 1.3 handshake with %s with an encrypted alert after the "
                      "server's flight: most often it rejected the certificate (the alert can only be read with "
                      "the session keys)", x->target);
    } else {
        td_str_printf(&ev, "; the client %s at +%.3f s without an alert", o->rst[0] ? "reset the connection" :
                      "closed the connection", o->rst[0] ? o->rst_t : o->end);
        td_str_printf(&s, "The client gave up on the handshake with %s after the server's flight, without an "
                      "alert: it did not accept what the server sent", x->target);
    }
    add(x, TD_ID_CLIENT_ALERT, TD_SEV_FAIL, &s, &ev, td_fix(TD_ID_CLIENT_ALERT));
}

/* The server turned down the client's certificate (RFC 8446 section
 * 4.4.2.4, RFC 5246 section 7.4.6): an alert after the client's second
 * flight. */
static bool client_cert_rejected(ctx *x)
{
    const td_capobs *o = x->o;
    uint8_t d = o->late_alert_desc;
    bool none = o->client_empty_cert && (d == TD_ALERT_HANDSHAKE_FAILURE || d == TD_ALERT_CERTIFICATE_REQUIRED);
    if (!o->late_server_alert || o->late_alert_encrypted || !o->cert_request ||
        !(none || (o->client_cert && (cert_alert(d) || d == TD_ALERT_ACCESS_DENIED ||
                                      d == TD_ALERT_CERTIFICATE_REQUIRED || d == TD_ALERT_DECRYPT_ERROR))))
        return false;
    td_str s, ev;
    td_str_init(&s);
    td_str_init(&ev);
    exchange(x, &ev);
    td_str_printf(&ev, "; the server asked for a client certificate; the client sent %s; the server answered "
                  "with alert %s(%u)", none ? "none" : "one", alert_text(d), d);
    if (none)
        td_str_printf(&s, "%s requires a client certificate and the client sent none", x->target);
    else
        td_str_printf(&s, "%s rejected the client's certificate with alert %s(%u)", x->target, alert_text(d), d);
    add(x, TD_ID_CLIENT_CERT_REJECTED, TD_SEV_FAIL, &s, &ev, td_fix(TD_ID_CLIENT_CERT_REJECTED));
    return true;
}

/* The server's ServerHello chose a version below TLS 1.2. */
static void old_version(ctx *x)
{
    const td_capobs *o = x->o;
    uint16_t v = o->answer.version;
    if (o->answer.out != TD_OUT_HELLO || v == 0 || v >= TD_TLS12)
        return;
    td_str s, ev;
    td_str_init(&s);
    td_str_init(&ev);
    const char *name = v == TD_SSL3 ? "SSL 3.0" : v == TD_TLS10 ? "TLS 1.0" : v == TD_TLS11 ? "TLS 1.1" : "SSL";
    td_str_printf(&s, "%s negotiated %s, which current clients refuse (RFC 8996)", x->target, name);
    exchange(x, &ev);
    td_str_printf(&ev, "; ServerHello version 0x%04x", v);
    add(x, TD_ID_PROTOCOL_TOO_OLD, TD_SEV_FAIL, &s, &ev, td_fix(TD_ID_PROTOCOL_TOO_OLD));
}

/* Whether the client got past the server's flight: its own Finished (in
 * TLS 1.2 after its ChangeCipherSpec; in TLS 1.3 an encrypted record that
 * is no alert). */
static bool client_went_on(const td_capobs *o)
{
    return o->client_went_on;
}

void td_diagnose_capture(const td_capobs *o, td_findings *out)
{
    if (!o || !out || !o->hello)
        return;
    ctx x = { .o = o, .out = out };
    td_host_port(x.target, sizeof x.target, o->server, o->server_port);
    /* The same hello as far as s_client can say it: the name the client
     * asked for, or none. */
    bool sni = o->offer_sni && td_shell_safe(o->sni);
    snprintf(x.verify, sizeof x.verify, "openssl s_client -connect %s%s%s </dev/null", x.target,
             sni ? " -servername " : o->offer_read && !o->offer_sni ? " -noservername" : "", sni ? o->sni : "");
    switch (o->answer.out) {
    case TD_OUT_RESET: case TD_OUT_CLOSED: case TD_OUT_TIMEOUT:
        no_answer(&x);
        return;
    case TD_OUT_NOT_TLS: {
        td_str s, ev;
        td_str_init(&s);
        td_str_init(&ev);
        td_str_printf(&s, "%s answered the ClientHello with %s, not TLS", x.target,
                      o->answer.protocol ? o->answer.protocol : "bytes that are no TLS record");
        exchange(&x, &ev);
        td_str_add(&ev, "; first bytes back: ");
        td_str_hex(&ev, o->answer.first, o->answer.n_first < 16 ? o->answer.n_first : 16);
        add(&x, TD_ID_NOT_TLS, TD_SEV_FAIL, &s, &ev, td_fix(TD_ID_NOT_TLS));
        return;
    }
    case TD_OUT_MALFORMED: {
        td_str s, ev;
        td_str_init(&s);
        td_str_init(&ev);
        td_str_printf(&s, "%s answered with TLS that breaks the protocol", x.target);
        exchange(&x, &ev);
        td_str_printf(&ev, "; %s", o->answer.error[0] ? o->answer.error : "malformed flight");
        add(&x, TD_ID_SERVER_PROTOCOL_VIOLATION, TD_SEV_FAIL, &s, &ev, td_fix(TD_ID_SERVER_PROTOCOL_VIOLATION));
        return;
    }
    case TD_OUT_ALERT:
        server_alert(&x);
        return;
    default:
        break;
    }
    old_version(&x);
    if (o->answer.out != TD_OUT_HELLO && o->answer.out != TD_OUT_HRR && o->answer.out != TD_OUT_SSLV2)
        return;
    if (o->rst_from_server && middlebox_reset(&x))
        return;
    if (client_cert_rejected(&x))
        return;
    bool flight_over = o->hello_done || o->encrypted_flight ||
                       (o->answer_cut && server_sent(o, TD_HS_SERVER_HELLO_DONE));
    bool client_ended = o->client_alert || ((o->rst[0] || o->fin[0]) && !o->rst[1] && !o->fin[1]);
    bool fatal = o->client_alert && !o->client_alert_encrypted && o->client_alert_level == TD_ALERT_LEVEL_FATAL;
    if ((flight_over || fatal) && client_ended && !client_went_on(o) &&
        !(o->client_alert && !o->client_alert_encrypted && o->client_alert_desc == TD_ALERT_CLOSE_NOTIFY))
        client_side(&x);
}
