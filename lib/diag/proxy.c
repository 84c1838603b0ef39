/* PROXY_FAILURE: the proxy every connection went through, not the server,
 * stopped the check.  What the proxy said (an HTTP status, a SOCKS reply)
 * sorts the fault to its side: its credentials, its access rules, or its
 * own way to the server.  No I/O here. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "advice.h"
#include "finding.h"

/* Whose move it is: the user's credentials, the proxy's rules, the
 * proxy's own path to the server, reaching the proxy, or the URL. */
typedef enum { PX_CREDENTIALS, PX_RULES, PX_UPSTREAM, PX_REACH, PX_SILENT, PX_PROTOCOL } px_side;

static const char *const fixes[] = {
    [PX_CREDENTIALS] =
        "Give the proxy the credentials it asks for, in the proxy URL: --proxy http://USER:PASS@HOST:PORT "
        "(https_proxy=http://USER:PASS@HOST:PORT for most clients, curl -x URL --proxy-user USER; percent-encode "
        "':' and '@' in them). When they were given they are wrong, expired or not allowed here: ask the proxy's "
        "administrators (Squid: the user in the basic_ncsa_auth/LDAP helper's store and `http_access allow` "
        "for its `acl NAME proxy_auth REQUIRED`; Dante: `socksmethod: username` and the user on the proxy host).",
    [PX_RULES] =
        "The proxy's access rules deny this destination: ask its administrators to allow it (Squid refuses "
        "CONNECT to ports outside `acl SSL_ports port 443` through `http_access deny CONNECT !SSL_ports`: add "
        "the port to SSL_ports; Dante: a `socks pass` rule for the destination), or, where the server is "
        "reachable without the proxy, leave it out with no_proxy=HOST (curl, most runtimes, and tlsdiag "
        "--proxy-env read it).",
    [PX_UPSTREAM] =
        "The proxy could not open its own connection to the server: check from the proxy's side that the name "
        "resolves (its DNS) and the port is reachable (its firewall and routes), and that the server is up. "
        "The server's TLS configuration is not at fault; the proxy's log (Squid: access.log and cache.log; "
        "Dante: its logoutput) names the error.",
    [PX_REACH] =
        "Check the proxy's address and port (--proxy, https_proxy), that the proxy runs, and that this host "
        "may reach it (a firewall between them); or, where the server is reachable directly, leave the proxy "
        "out for it with no_proxy=HOST.",
    [PX_SILENT] =
        "The proxy took the TCP connection but never answered: it is hung or overloaded, or the port is not a "
        "proxy's (a TLS server there waits for a ClientHello). Check the proxy's logs and the port in the URL.",
    [PX_PROTOCOL] =
        "The answer is not the proxy protocol the URL names: the scheme (http:// for CONNECT, socks5:// or "
        "socks5h:// for SOCKS) or the port is wrong.",
};

/* RFC 1928 section 6's REP values, by whose fault. */
static px_side socks_side(int rep)
{
    switch (rep) {
    case 2: return PX_RULES;             /* connection not allowed by ruleset */
    case 3: case 4: case 5: case 6: return PX_UPSTREAM; /* unreachable, refused, TTL expired */
    default: return PX_PROTOCOL;         /* general failure, command or address type not supported */
    }
}

static px_side http_side(int status)
{
    if (status == 407)
        return PX_CREDENTIALS;
    /* RFC 9110 section 15.6.3 and 15.6.5: the proxy, as a gateway, got no
     * (or no valid) answer from the server. */
    if (status == 502 || status == 503 || status == 504)
        return PX_UPSTREAM;
    return PX_RULES;
}

static px_side refusal_side(const td_proxy_fail *f)
{
    switch (f->kind) {
    case TD_PXF_HTTP_STATUS: return http_side(f->code);
    case TD_PXF_SOCKS_METHOD:
    case TD_PXF_SOCKS_AUTH: return PX_CREDENTIALS;
    case TD_PXF_SOCKS_REPLY: return socks_side(f->code);
    case TD_PXF_TIMEOUT: return PX_SILENT;
    default: return PX_PROTOCOL;
    }
}

/* The proxy's refusal, in words, with what follows from it. */
static px_side describe_refusal(const td_obs *o, td_str *s, td_str *e)
{
    const td_obs_proxy *p = &o->proxy;
    const td_proxy_fail *f = &p->stats.first;
    char text[400];
    td_proxy_fail_text(f, text, sizeof text);
    px_side side = refusal_side(f);
    td_str_printf(s, "The proxy %s refuses the tunnel to %s port %u: %s", p->hostport, o->host, o->port, text);
    switch (side) {
    case PX_CREDENTIALS:
        td_str_add(s, p->auth ? ": it does not accept the credentials given" : ": it wants credentials");
        /* RFC 9110 section 11.7.1: the challenge names the scheme it takes. */
        if (f->authenticate[0] && strncasecmp(f->authenticate, "Basic", 5) != 0)
            td_str_printf(s, " by a scheme other than Basic (%.40s), the only one tlsdiag speaks", f->authenticate);
        td_str_add(s, ".");
        break;
    case PX_RULES: td_str_add(s, ": its access rules deny this destination."); break;
    case PX_UPSTREAM: td_str_add(s, ": the proxy could not reach the server from its side."); break;
    default: td_str_add(s, "."); break;
    }
    td_str_add(s, " The server itself was not reached.");
    td_str_printf(e, "%s proxy %s (from %s, at %s): %s", td_proxy_scheme_name(p->scheme), p->url, p->from, p->addr,
                  text);
    if (f->authenticate[0])
        td_str_printf(e, "; Proxy-Authenticate: %s", f->authenticate);
    td_str_printf(e, "; %u connection%s refused, %u tunnel%s opened", p->stats.refused,
                  p->stats.refused == 1 ? "" : "s", p->stats.up, p->stats.up == 1 ? "" : "s");
    return side;
}

/* Why the baseline connection ended at the proxy, when it did; false when
 * the tunnel came up (or the proxy played no part). */
static bool stopped_at_proxy(const td_obs *o, td_str *s, td_str *e, px_side *side)
{
    const td_obs_proxy *p = &o->proxy;
    const td_attempt *b = &o->baseline;
    if (p->dns_error[0]) {
        td_str_printf(s, "The proxy's name %s does not resolve: %s. No connection was made.", p->hostport,
                      p->dns_error);
        td_str_printf(e, "resolver answer for the proxy %s (from %s): %s", p->url, p->from, p->dns_error);
        *side = PX_REACH;
        return true;
    }
    switch (b->out) {
    case TD_OUT_REFUSED:
    case TD_OUT_UNREACHABLE:
    case TD_OUT_CONNECT_TIMEOUT:
        /* Every connection goes to the proxy: this is its port, not the server's. */
        td_str_printf(s, "The proxy %s cannot be reached: the TCP connection to it was %s. The server was not "
                         "reached.",
                      p->hostport, b->out == TD_OUT_CONNECT_TIMEOUT ? "not answered" : td_outcome_name(b->out));
        td_str_printf(e, "TCP connect to the proxy %s at %s: %s after %.0f ms", p->url, p->addr,
                      td_outcome_name(b->out), b->total_ms);
        *side = PX_REACH;
        return true;
    default:
        break;
    }
    if (b->out == TD_OUT_LEADIN && b->leadin == p->leadin) {
        *side = describe_refusal(o, s, e);
        return true;
    }
    /* The proxy's lead-in was still waiting: the proxy, not the server,
     * went quiet (or hung up) before it answered the request. */
    if ((b->out == TD_OUT_TIMEOUT || b->out == TD_OUT_CLOSED || b->out == TD_OUT_RESET) && b->leadin &&
        b->leadin == p->leadin) {
        bool quiet = b->out == TD_OUT_TIMEOUT;
        td_str_printf(s, "The proxy %s %s its %s request: the tunnel to %s port %u never opened, so the server "
                         "was not reached.",
                      p->hostport, quiet ? "accepted the connection but did not answer" : "hung up on",
                      p->scheme == TD_PROXY_HTTP ? "CONNECT" : "SOCKS5", o->host, o->port);
        td_str_printf(e, "%s proxy %s at %s: %s after %.0f ms, %zu bytes of an answer", td_proxy_scheme_name(p->scheme),
                      p->url, p->addr, td_outcome_name(b->out), b->total_ms, b->bytes_in);
        *side = quiet ? PX_SILENT : PX_PROTOCOL;
        return true;
    }
    return false;
}

static void verify(const td_advice *adv, td_str *v)
{
    /* curl -v prints the proxy's answer; exits 0 once the tunnel opens and
     * the handshake completes. */
    td_str_printf(v, "curl -v%s%s -o /dev/null https://%s/", adv->curl_proxy, adv->curl_ca, adv->connect);
}

bool td_diagnose_proxy(const td_obs *o, td_findings *out)
{
    const td_obs_proxy *p = &o->proxy;
    if (!p->used)
        return false;
    td_advice adv;
    td_advice_init(&adv, o);
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    px_side side;
    bool stop = stopped_at_proxy(o, &s, &e, &side);
    td_severity sev = TD_SEV_FAIL;
    if (!stop && p->stats.refused > 0) {
        /* The tunnel opened for the first hello, and the proxy refused
         * others: what the check says of them is the proxy's doing. */
        side = describe_refusal(o, &s, &e);
        sev = TD_SEV_WARN;
        td_str_add(&s, " Some connections went through: the report is incomplete where it needed the others.");
    } else if (!stop) {
        td_str_free(&s);
        td_str_free(&e);
        td_str_free(&v);
        return false;
    }
    verify(&adv, &v);
    td_finding *f = td_findings_take(out, TD_ID_PROXY_FAILURE, sev, &s, &e, fixes[side], &v);
    if (f)
        f->reason = side == PX_SILENT ? TD_REASON_TIMEOUT : TD_REASON_UNREACHABLE;
    return stop;
}
