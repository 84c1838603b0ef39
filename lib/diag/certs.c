/* The certificate, identity and session rules: what a client's own TLS
 * library concludes about the chain the server sent, the name it covers,
 * the trust it reaches, and the parts of a handshake beyond the first
 * flight (client certificates, ALPN, resumption, several backends).
 *
 * No I/O here.  The facts come from the observations and from the pure
 * functions of lib/cert; the trust verdicts (o->path, o->path_aia) were
 * computed by the probe, which alone touches the trust store and the
 * network.  A verdict the probe did not compute (path.n == 0, now == 0) is
 * not guessed at: the rules that need it stay silent. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../registry/clients.h"
#include "../registry/registry.h"
#include "../util/str.h"
#include "../util/utc.h"
#include "../wire/tls.h"
#include "advice.h"
#include "finding.h"
#include "fixes.h"

#define DAY 86400
#define MAX_SAN_SHOWN 6

struct cctx {
    const td_obs *o;
    td_findings *out;
    td_advice adv;         /* the target, name and store the fixes and verify commands are written for */
    /* the advice's pieces the rules use most, by short names */
    const char *name;      /* adv.name: what clients check, the SNI, else the host */
    const char *sc;        /* adv.sclient: "openssl s_client -connect T [-servername N]" */
    const char *ca_opt;    /* adv.ca_opt: " -CAfile F" / " -CApath D" matching the store used, or "" */
    const td_cert *chain;  /* the chain judged, as sent */
    size_t n;
    char from[64];         /* which handshake it comes from */
    td_cert_info *ci;      /* ci[i] decoded from chain[i] when dec[i] */
    bool dec[TD_FLIGHT_MAX_CERTS];
    td_chain_order order;  /* of the chain judged (when n > 0) */
    bool leaf_misplaced;   /* the first certificate is not the server's */
    bool have_path;        /* o->path holds td_verify_path's verdicts */
    bool have_time;        /* o->now is the time those verdicts are for */
};

static void add(struct cctx *c, td_id id, td_severity sev, td_str *summary, td_str *evidence,
                const char *fix, td_str *verify)
{
    td_findings_take(c->out, id, sev, summary, evidence, fix, verify);
}

/* "3 days", "1 day 4 hours", "5 hours", "12 minutes": how far a date is. */
static void span(int64_t secs, char *buf, size_t cap)
{
    if (secs < 0)
        secs = -secs;
    long long d = secs / DAY, h = (secs % DAY) / 3600, m = (secs % 3600) / 60;
    if (d >= 2)
        snprintf(buf, cap, "%lld days", d);
    else if (d == 1 && h > 0)
        snprintf(buf, cap, "1 day %lld hour%s", h, h == 1 ? "" : "s");
    else if (d == 1)
        snprintf(buf, cap, "1 day");
    else if (h > 0)
        snprintf(buf, cap, "%lld hour%s", h, h == 1 ? "" : "s");
    else if (m > 0)
        snprintf(buf, cap, "%lld minute%s", m, m == 1 ? "" : "s");
    else
        snprintf(buf, cap, "less than a minute");
}

/* ---- describing certificates --------------------------------------------- */

static void list_sans(td_str *e, const td_cert_info *ci)
{
    if (!ci->has_san_ext) {
        td_str_add(e, "no subjectAltName extension");
        if (ci->cn[0])
            td_str_printf(e, ", subject CN %s", ci->cn);
        return;
    }
    if (ci->n_san_total == 0) {
        td_str_add(e, "an empty subjectAltName");
        return;
    }
    td_str_add(e, "SAN ");
    size_t shown = ci->n_san < MAX_SAN_SHOWN ? ci->n_san : MAX_SAN_SHOWN;
    for (size_t i = 0; i < shown; i++)
        td_str_printf(e, "%s%s", i ? ", " : "", ci->san[i]);
    if (ci->n_san_total > shown)
        td_str_printf(e, " (+%zu more)", ci->n_san_total - shown);
}

static void describe_chain(const struct cctx *c, td_str *e)
{
    td_str_printf(e, "%zu certificate%s sent in %s: ", c->n, c->n == 1 ? "" : "s", c->from);
    for (size_t i = 0; i < c->n; i++) {
        if (c->dec[i])
            td_str_printf(e, "%s#%zu %s (issuer %s)", i ? "; " : "", i, c->ci[i].subject, c->ci[i].issuer);
        else
            td_str_printf(e, "%s#%zu undecodable (%zu bytes)", i ? "; " : "", i, c->chain[i].len);
    }
}

static const char *src_name(td_path_src s)
{
    switch (s) {
    case TD_SRC_SENT: return "sent";
    case TD_SRC_EXTRA: return "fetched via AIA";
    case TD_SRC_STORE: return "trust store";
    }
    return "?";
}

static void describe_path(td_str *e, const td_path *p, const char *store)
{
    td_str_add(e, "path built (each certificate issued by the next): ");
    for (size_t d = 0; d < p->n; d++)
        td_str_printf(e, "%s%s (%s)", d ? " > " : "", p->subjects[d], src_name(p->src[d]));
    td_str_printf(e, "; verdict: %s (%s)", td_path_verdict_name(p->verdict), p->x509_err_text);
    if (store && store[0])
        td_str_printf(e, "; trust store: %s", store);
}

/* The decoded sent certificate with this subject, to give dates and keys
 * for a certificate the path names only by its subject. */
static const td_cert_info *sent_by_subject(const struct cctx *c, const char *subject, size_t from)
{
    for (size_t i = from; i < c->n; i++)
        if (c->dec[i] && strcmp(c->ci[i].subject, subject) == 0)
            return &c->ci[i];
    return NULL;
}

static const char *alert_name(int code)
{
    return td_alert_name(code, "unassigned");
}

static const char *h_addr(const td_hs *h)
{
    return h->addr[0] ? h->addr : "address unknown";
}

/* One handshake's end, for evidence: "completed, TLS 1.3, ..." or why not. */
static void describe_hs(td_str *e, const td_hs *h)
{
    char lbl[96];
    if (h->done) {
        td_str_printf(e, "completed, %s, %s", td_version_name(h->version), td_suite_label(h->suite, lbl, sizeof lbl));
        return;
    }
    if (h->alert_received >= 0) {
        const char *an = alert_name(h->alert_received);
        td_str_printf(e, "failed (the server sent the alert %s(%d)", an, h->alert_received);
        if (h->error[0] && !strstr(h->error, an))
            td_str_printf(e, "; %s", h->error);
    } else {
        td_str_printf(e, "failed (%s", td_outcome_name(h->out));
        if (h->error[0])
            td_str_printf(e, ": %s", h->error);
    }
    td_str_add(e, ")");
}

/* ---- validity dates ------------------------------------------------------ */

static void rule_leaf_time(struct cctx *c)
{
    const td_obs *o = c->o;
    if (!c->have_time || c->n == 0 || !c->dec[0])
        return;
    const td_cert_info *l = &c->ci[0];
    int64_t warn = o->warn_days > 0 ? (int64_t)o->warn_days * DAY : 0;
    td_cert_time t = td_cert_check_time(l, o->now, warn);
    if (t == TD_TIME_VALID)
        return;
    char now[32], sp[64];
    td_utc_iso(o->now, now, sizeof now);
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&e, "leaf %s (issuer %s), sent in %s: valid from %s to %s; checked at %s", l->subject, l->issuer,
                  c->from, l->not_before_iso, l->not_after_iso, now);
    /* Each verify exits 0 once the fault is gone: -checkend fails for a
     * certificate that expires within that many seconds. */
    switch (t) {
    case TD_TIME_EXPIRED:
        span(o->now - l->not_after, sp, sizeof sp);
        td_str_printf(&s, "The certificate for %s expired on %s, %s ago: every client that verifies certificates "
                          "refuses it.",
                      c->name, l->not_after_iso, sp);
        td_str_printf(&v, "%s </dev/null 2>/dev/null | openssl x509 -noout -subject -dates -checkend 0", c->sc);
        add(c, TD_ID_CERT_EXPIRED, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_CERT_EXPIRED), &v);
        break;
    case TD_TIME_NOT_YET_VALID:
        span(l->not_before - o->now, sp, sizeof sp);
        td_str_printf(&s, "The certificate for %s is valid only from %s, %s from now: clients refuse it until then.",
                      c->name, l->not_before_iso, sp);
        td_str_printf(&e, " (the clock of the machine running this check)");
        td_str_printf(&v, "%s%s -verify_return_error </dev/null", c->sc, c->ca_opt);
        add(c, TD_ID_CERT_NOT_YET_VALID, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_CERT_NOT_YET_VALID), &v);
        break;
    case TD_TIME_EXPIRING_SOON:
        span(l->not_after - o->now, sp, sizeof sp);
        td_str_printf(&s, "The certificate for %s expires on %s, in %s: after that every client refuses it.", c->name,
                      l->not_after_iso, sp);
        td_str_printf(&e, "; the warning window is %d days", o->warn_days);
        td_str_printf(&v, "%s </dev/null 2>/dev/null | openssl x509 -noout -subject -dates -checkend %lld", c->sc,
                      (long long)warn);
        add(c, TD_ID_CERT_EXPIRING_SOON, TD_SEV_WARN, &s, &e, td_fix(TD_ID_CERT_EXPIRING_SOON), &v);
        break;
    case TD_TIME_VALID:
        break;
    }
    td_str_free(&s);
    td_str_free(&e);
    td_str_free(&v);
}

struct dated {
    char subject[256];
    const char *what;     /* "expired" / "not yet valid" */
    char when[32];        /* notAfter / notBefore, "" when unknown */
    const char *src;      /* "sent", "trust store", ... */
    bool in_path;
};

static void rule_chain_time(struct cctx *c)
{
    const td_obs *o = c->o;
    const td_path *p = &o->path;
    struct dated d[TD_FLIGHT_MAX_CERTS + 2];
    size_t nd = 0;
    bool in_path = false;
    if (c->have_path) {
        int depths[2] = { p->expired_depth, p->not_yet_valid_depth };
        for (int k = 0; k < 2; k++) {
            int dp = depths[k];
            /* depth 0 is the leaf: CERT_EXPIRED / CERT_NOT_YET_VALID. */
            if (dp <= 0 || (size_t)dp >= p->n)
                continue;
            struct dated *x = &d[nd++];
            memset(x, 0, sizeof *x);
            snprintf(x->subject, sizeof x->subject, "%s", p->subjects[dp]);
            x->what = k == 0 ? "expired" : "not yet valid";
            x->src = src_name(p->src[dp]);
            x->in_path = in_path = true;
            const td_cert_info *ci = sent_by_subject(c, p->subjects[dp], 1);
            if (ci)
                snprintf(x->when, sizeof x->when, "%s", k == 0 ? ci->not_after_iso : ci->not_before_iso);
        }
    }
    /* Sent but outside the path the verifier chose: current clients route
     * around it through a valid issuer, clients that follow the chain as
     * sent (OpenSSL 1.0.x, old Android) do not. */
    if (c->have_time) {
        for (size_t i = 1; i < c->n; i++) {
            if (!c->dec[i])
                continue;
            td_cert_time t = td_cert_check_time(&c->ci[i], o->now, 0);
            if (t != TD_TIME_EXPIRED && t != TD_TIME_NOT_YET_VALID)
                continue;
            bool seen = false;
            for (size_t k = 0; k < nd; k++)
                seen |= strcmp(d[k].subject, c->ci[i].subject) == 0;
            if (seen)
                continue;
            struct dated *x = &d[nd++];
            memset(x, 0, sizeof *x);
            snprintf(x->subject, sizeof x->subject, "%s", c->ci[i].subject);
            x->what = t == TD_TIME_EXPIRED ? "expired" : "not yet valid";
            snprintf(x->when, sizeof x->when, "%s",
                     t == TD_TIME_EXPIRED ? c->ci[i].not_after_iso : c->ci[i].not_before_iso);
            x->src = "sent";
            /* Without a verified path, assume clients use what was sent. */
            x->in_path = !c->have_path;
            in_path |= x->in_path;
        }
    }
    if (nd == 0)
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    const struct dated *first = &d[0];
    for (size_t k = 0; k < nd; k++)
        if (d[k].in_path) {
            first = &d[k];
            break;
        }
    bool expired = strcmp(first->what, "expired") == 0;
    if (in_path)
        td_str_printf(&s, "The CA certificate %s in the chain %s%s%s: clients refuse the whole chain although the "
                          "leaf itself is valid.",
                      first->subject, expired ? "expired" : "is not valid yet",
                      first->when[0] ? (expired ? " on " : ", it starts on ") : "", first->when);
    else
        td_str_printf(&s, "The server also sends the %s CA certificate %s: current clients build a path around it, "
                          "but clients that follow the chain as sent (OpenSSL 1.0.x, old Android) fail.",
                      first->what, first->subject);
    for (size_t k = 0; k < nd; k++) {
        td_str_printf(&e, "%s%s: %s", k ? "; " : "", d[k].subject, d[k].what);
        if (d[k].when[0])
            td_str_printf(&e, " (%s %s)", strcmp(d[k].what, "expired") == 0 ? "notAfter" : "notBefore",
                          d[k].when);
        td_str_printf(&e, ", %s, %s", d[k].src, d[k].in_path ? "in the path clients build" : "not in the path");
    }
    if (c->have_time) {
        char now[32];
        td_utc_iso(o->now, now, sizeof now);
        td_str_printf(&e, "; checked at %s", now);
    }
    /* In the path, verification fails until it is replaced.  Outside it,
     * OpenSSL 3 routes around it like current clients: the command can
     * only show each certificate's dates (s_client 3.0+ prints them). */
    if (in_path)
        td_str_printf(&v, "%s%s -verify_return_error </dev/null", c->sc, c->ca_opt);
    else
        td_str_printf(&v, "%s -showcerts </dev/null 2>/dev/null | grep -E '^ *[0-9]+ s:|NotAfter'", c->sc);
    add(c, TD_ID_CHAIN_CERT_EXPIRED, in_path ? TD_SEV_FAIL : TD_SEV_WARN, &s, &e,
        td_fix(TD_ID_CHAIN_CERT_EXPIRED), &v);
}

/* ---- the name -------------------------------------------------------------- */

static void rule_name(struct cctx *c)
{
    const td_obs *o = c->o;
    if (c->n == 0 || !c->dec[0] || !c->name[0])
        return;
    const td_cert_info *l = &c->ci[0];
    td_name_check nc;
    /* From the DER, not the info: td_cert_info keeps only the first SANs. */
    td_cert_check_name_der(td_cert_der(&c->chain[0]), c->name, &nc);
    bool is_ip = o->host_is_ip && !o->sni[0];
    char ip_sni[300] = "";
    if (o->addr_used >= 0 && (size_t)o->addr_used < o->n_addrs && !is_ip)
        td_host_port(ip_sni, sizeof ip_sni, o->addrs[o->addr_used].text, 0);
    td_str s, e, v;
    if (!nc.ok) {
        td_str_init(&s);
        td_str_init(&e);
        td_str_init(&v);
        td_str_printf(&s, "The certificate does not cover %s: every client that checks the name (browsers, curl, "
                          "Java, Python, Go) refuses the connection.",
                      c->name);
        td_str_printf(&e, "leaf %s: ", l->subject);
        list_sans(&e, l);
        td_str_printf(&e, "; %s", nc.why);
        if (nc.near_miss[0]) {
            td_str_printf(&e, "; nearest: %s", nc.near_miss);
            if (strchr(nc.near_miss, '*'))
                td_str_add(&e, " (RFC 6125 section 6.4.3: a wildcard is the whole left-most label and stands for "
                               "exactly one label, so *.example.com covers www.example.com but neither "
                               "example.com nor a.b.example.com)");
        }
        /* curl speaks HTTPS here; through STARTTLS only s_client can. */
        if (is_ip && !o->starttls)
            td_str_printf(&v, "curl -v%s%s https://%s/ -o /dev/null", c->adv.curl_proxy, c->adv.curl_ca,
                          c->adv.connect);
        else if (ip_sni[0] && !o->starttls)
            td_str_printf(&v, "curl -v%s%s https://%s:%u/ --resolve %s:%u:%s -o /dev/null", c->adv.curl_proxy,
                          c->adv.curl_ca, c->name, o->port, c->name, o->port, ip_sni);
        else
            td_str_printf(&v, "%s%s -verify_hostname %s -verify_return_error </dev/null", c->sc, c->ca_opt, c->name);
        add(c, TD_ID_HOSTNAME_MISMATCH, TD_SEV_FAIL, &s, &e,
            is_ip ? "Clients connecting by address need an IP SAN: reissue the certificate with `IP:ADDRESS` in "
                    "subjectAltName (openssl `-addext subjectAltName=IP:ADDRESS`), or have clients connect by a "
                    "name the certificate lists. Then point nginx `ssl_certificate`, Apache `SSLCertificateFile` "
                    "or HAProxy `crt` at it and reload."
                  : "Serve a certificate that lists the name in subjectAltName: reissue it with the name added "
                    "(certbot `-d NAME`, openssl `-addext subjectAltName=DNS:NAME`; a wildcard covers one label "
                    "only). If the server hosts several names, make sure this one selects its own certificate: "
                    "nginx `server_name NAME;` in the server block whose `ssl_certificate` covers it, Apache "
                    "`ServerName`/`ServerAlias` in the VirtualHost with the right `SSLCertificateFile`, HAProxy a "
                    "`crt` (or `crt-list` line) per certificate so SNI picks it. If DNS points the name at the "
                    "wrong server, fix the record.",
            &v);
    }
    /* RFC 6125 6.4.4 and the CA/Browser Forum baseline requirements: the
     * CN is a fallback nobody should rely on; Chrome 58, Go 1.15 and
     * Python 3.7 dropped it. */
    bool dns_san = false;
    for (size_t i = 0; i < l->n_san; i++)
        dns_san |= strncmp(l->san[i], "DNS:", 4) == 0;
    if (nc.ok && nc.via_cn_only) {
        td_str_init(&s);
        td_str_init(&e);
        td_str_init(&v);
        td_str_printf(&s, "The name %s appears only in the certificate's subject CN, %s: browsers (Chrome since 58), "
                          "Go 1.15+, Python 3.7+ and Java's HTTPS clients ignore the CN and refuse it.",
                      c->name, l->has_san_ext ? "its subjectAltName has no DNS name" : "with no subjectAltName");
        td_str_printf(&e, "leaf %s: ", l->subject);
        list_sans(&e, l);
        td_str_printf(&e, "; %s", nc.why);
        td_str_printf(&v, "%s </dev/null 2>/dev/null | openssl x509 -noout -ext subjectAltName | grep 'DNS:'", c->sc);
        add(c, TD_ID_NO_SAN, TD_SEV_FAIL, &s, &e,
            "Reissue the certificate with every name in subjectAltName (openssl `-addext subjectAltName=DNS:NAME`; "
            "every public CA and ACME client does this already), then point nginx `ssl_certificate`, Apache "
            "`SSLCertificateFile` or HAProxy `crt` at it and reload.",
            &v);
    } else if (!l->has_san_ext || (!dns_san && l->n_san == l->n_san_total && !is_ip)) {
        td_str_init(&s);
        td_str_init(&e);
        td_str_init(&v);
        td_str_printf(&s, "The certificate has %s: modern clients (Chrome since 58, Go 1.15+, Python 3.7+) match "
                          "names only against subjectAltName and ignore the subject CN.",
                      l->has_san_ext ? "no DNS name in its subjectAltName" : "no subjectAltName");
        td_str_printf(&e, "leaf %s: ", l->subject);
        list_sans(&e, l);
        td_str_printf(&v, "%s </dev/null 2>/dev/null | openssl x509 -noout -ext subjectAltName | grep 'DNS:'", c->sc);
        add(c, TD_ID_NO_SAN, TD_SEV_WARN, &s, &e,
            "Reissue the certificate with its names in subjectAltName (openssl `-addext subjectAltName=DNS:NAME`), "
            "then point nginx `ssl_certificate`, Apache `SSLCertificateFile` or HAProxy `crt` at it and reload.",
            &v);
    }
}

/* ---- trust ---------------------------------------------------------------------- */

/* The store the verdicts used, for summaries. */
static const char *store_text(const td_obs *o)
{
    return o->store_name[0] ? o->store_name : "the trust store";
}

/* The client profiles that use the system store (lib/registry/clients.h),
 * whose verdict the system store's gives. */
static size_t system_store_clients(void)
{
    size_t k = 0;
    for (size_t i = 0; i < td_client_count(); i++)
        k += td_client_at(i)->store == TD_STORE_SYSTEM;
    return k;
}

/* Why an incomplete path is taken to end below a private root
 * (TD_MISSING_ROOT), the other reading kept in view. */
static void private_root_evidence(const struct cctx *c, td_str *e, const td_path *p)
{
    const td_obs *o = c->o;
    td_str_printf(e, "; the top certificate sent, %s, is a CA certificate; its issuer %s is neither sent nor named by "
                     "any certificate of the trust store",
                  p->top_subject, p->missing_issuer);
    if (!td_store_opts_given(&o->store))
        td_str_printf(e, " (the system store, the one %zu of the %zu client profiles use)", system_store_clients(),
                      td_client_count());
    td_str_printf(e, ", and no AIA caIssuers URL points to it: nothing suggests an intermediate in between, so it is "
                     "taken for a private root the clients must be given; if %s is an intermediate rather than a "
                     "root, the server must also send it (CHAIN_INCOMPLETE)",
                  p->missing_issuer);
}

/* UNTRUSTED_CA for a path that ends in a root the store lacks, or, below,
 * ends under a private root nobody sent (TD_MISSING_ROOT).  via: how the
 * root was found, or NULL. */
static void untrusted(struct cctx *c, const td_path *p, bool below, const char *via)
{
    const td_obs *o = c->o;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    if (below)
        td_str_printf(&s, "The chain ends below %s, a private root as far as the chain shows, which %s does not "
                          "hold: clients refuse the certificate until they are given that root.",
                      p->missing_issuer, store_text(o));
    else
        td_str_printf(&s, "The chain ends in the root %s, which %s does not hold: clients using that store refuse "
                          "the certificate.",
                      p->top_subject, store_text(o));
    describe_chain(c, &e);
    td_str_add(&e, "; ");
    describe_path(&e, p, o->store_name);
    if (via)
        td_str_printf(&e, "; %s", via);
    if (below)
        private_root_evidence(c, &e, p);
    else if (p->n > 0 && p->src[p->n - 1] == TD_SRC_SENT)
        td_str_add(&e, "; the server sends this root itself, which does not make clients trust it");
    if (o->store_error[0])
        td_str_printf(&e, "; the trust store could not be loaded: %s", o->store_error);
    td_str_printf(&v, "%s%s -verify_return_error </dev/null", c->sc, c->ca_opt);
    add(c, TD_ID_UNTRUSTED_CA, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_UNTRUSTED_CA), &v);
}

/* Why the missing issuer of an incomplete path is taken for an
 * intermediate, beyond the AIA URL the evidence names anyway; NULL when
 * that URL is the reason. */
static const char *intermediate_why(td_missing_kind k)
{
    switch (k) {
    case TD_MISSING_LEAF_ISSUER:
        return "the leaf itself is the top certificate sent: no CA certificate links it to a root";
    case TD_MISSING_NOT_SENT_CA:
        return "the top of the path is not a CA certificate the server sent";
    case TD_MISSING_NAME_IN_STORE:
        return "the trust store holds a certificate of that name, but not one that issued the top (another key): "
               "the one that links must come from the server, or the store's copy is outdated";
    case TD_MISSING_NONE:
    case TD_MISSING_AIA_NAMED:
    case TD_MISSING_ROOT:
        break;
    }
    return NULL;
}

static void rule_trust(struct cctx *c)
{
    const td_obs *o = c->o;
    if (c->n == 0)
        return;
    const td_path *p = &o->path;
    const td_path *pa = &o->path_aia;
    bool aia_path = o->aia_tried && pa->n > 0;
    td_str s, e, v;

    if (c->have_path && td_path_is(p, TD_PATH_INCOMPLETE)) {
        /* The issuer fetched through AIA is itself a self-signed root the
         * store lacks: the server rightly omits roots (RFC 8446 4.4.2), so
         * the fault is trust, not the chain. */
        if (aia_path && !o->aia_error[0] && td_path_is(pa, TD_PATH_UNTRUSTED_ROOT) &&
            !td_path_is(pa, TD_PATH_INCOMPLETE)) {
            char via[1100];
            snprintf(via, sizeof via, "the missing issuer %s, fetched from %s, is a root", p->missing_issuer,
                     o->aia_url);
            untrusted(c, pa, false, via);
            return;
        }
        /* Nothing points to an intermediate above the CA certificate the
         * server sends: more certificates would not help. */
        td_missing_kind kind = td_path_missing_kind(p);
        if (kind == TD_MISSING_ROOT) {
            untrusted(c, p, true, NULL);
            return;
        }
        const char *url = p->missing_issuer_aia[0] ? p->missing_issuer_aia : o->aia_url;
        bool browsers_cope = aia_path && !o->aia_error[0] && pa->trust == TD_PATH_OK;
        td_str_init(&s);
        td_str_init(&e);
        td_str_init(&v);
        td_str_printf(&s, "The server does not send the intermediate certificate %s: ",
                      p->missing_issuer[0] ? p->missing_issuer : "that issued the top of its chain");
        if (browsers_cope)
            td_str_add(&s, "Chrome, Edge and Safari cope (they fetch it via AIA), but curl, Java, Python, Go and "
                           "other OpenSSL-based clients fail.");
        else if (!url[0])
            td_str_add(&s, "every client that verifies certificates fails (no AIA URL tells browsers where to "
                           "fetch it).");
        else if (o->aia_tried)
            td_str_add(&s, "curl, Java, Python, Go and OpenSSL-based clients fail, and browsers too: fetching it "
                           "via AIA does not complete the path.");
        else
            td_str_add(&s, "curl, Java, Python, Go and OpenSSL-based clients fail; browsers that fetch missing "
                           "issuers via AIA may cope.");
        describe_chain(c, &e);
        td_str_add(&e, "; ");
        describe_path(&e, p, o->store_name);
        td_str_printf(&e, "; missing issuer: %s", p->missing_issuer[0] ? p->missing_issuer : "(unknown)");
        const char *why = intermediate_why(kind);
        if (why)
            td_str_printf(&e, "; it is taken for an intermediate: %s", why);
        if (p->missing_issuer_aia[0])
            td_str_printf(&e, "; the top certificate's AIA caIssuers points to %s", p->missing_issuer_aia);
        else if (o->aia_url[0])
            td_str_printf(&e, "; AIA caIssuers URL tried: %s", o->aia_url);
        else
            td_str_add(&e, "; the top certificate has no AIA caIssuers URL");
        if (o->aia_tried) {
            if (o->aia_error[0])
                td_str_printf(&e, "; fetching it failed: %s", o->aia_error);
            else if (aia_path)
                td_str_printf(&e, "; with the fetched issuer: verdict %s (%s)%s%s",
                              td_path_verdict_name(pa->verdict), pa->x509_err_text,
                              td_path_is(pa, TD_PATH_INCOMPLETE) ? ", still missing " : "",
                              td_path_is(pa, TD_PATH_INCOMPLETE) ? pa->missing_issuer : "");
        }
        if (!url[0] || !o->aia_tried)
            td_str_printf(&e, "; if %s is a private root rather than an intermediate, check again with "
                              "--ca-file",
                          p->missing_issuer[0] ? p->missing_issuer : "the missing issuer");
        td_str_printf(&v, "%s%s -showcerts -verify_return_error </dev/null", c->sc, c->ca_opt);
        add(c, TD_ID_CHAIN_INCOMPLETE, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_CHAIN_INCOMPLETE), &v);
    } else if (c->have_path && td_path_is(p, TD_PATH_UNTRUSTED_ROOT)) {
        untrusted(c, p, false, NULL);
    }

    /* Without a verdict, a self-signed leaf is untrusted unless the user
     * named a store that may hold it. */
    bool self = c->have_path ? td_path_is(p, TD_PATH_SELF_SIGNED_LEAF)
                             : c->dec[0] && c->ci[0].self_signed && !td_store_opts_given(&o->store);
    if (self) {
        const td_cert_info *l = c->dec[0] ? &c->ci[0] : NULL;
        td_str_init(&s);
        td_str_init(&e);
        td_str_init(&v);
        td_str_printf(&s, "The certificate is self-signed and %s does not hold it: browsers warn, and curl, Java, "
                          "Python and Go refuse the connection.",
                      store_text(o));
        if (l)
            td_str_printf(&e, "leaf %s, issuer %s (itself, signature verifies with its own key)", l->subject,
                          l->issuer);
        if (c->have_path) {
            td_str_add(&e, l ? "; " : "");
            describe_path(&e, p, o->store_name);
        } else {
            td_str_add(&e, "; no trust verdict was computed");
        }
        td_str_printf(&v, "%s%s -verify_return_error </dev/null", c->sc, c->ca_opt);
        add(c, TD_ID_SELF_SIGNED, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_SELF_SIGNED), &v);
    }
}

/* ---- keys, signatures, purpose --------------------------------------------------- */

static void rule_crypto(struct cctx *c)
{
    const td_obs *o = c->o;
    const td_path *p = &o->path;
    if (c->n == 0)
        return;
    td_str s, e, v;
    char why[160] = "";

    /* KEY_TOO_SMALL */
    const char *who = NULL;
    const char *src = "sent";
    const td_cert_info *kci = NULL;
    if (c->have_path && p->small_key_depth >= 0 && (size_t)p->small_key_depth < p->n) {
        who = p->subjects[p->small_key_depth];
        src = src_name(p->src[p->small_key_depth]);
        kci = p->small_key_depth == 0 && c->dec[0] ? &c->ci[0] : sent_by_subject(c, who, 1);
    } else if (!c->have_path) {
        for (size_t i = 0; i < c->n && !who; i++)
            if (c->dec[i] && td_cert_key_too_small(&c->ci[i], NULL, 0)) {
                kci = &c->ci[i];
                who = kci->subject;
            }
    }
    if (!who && c->dec[0] && td_cert_key_too_small(&c->ci[0], NULL, 0)) {
        kci = &c->ci[0];
        who = kci->subject;
    }
    if (who) {
        td_str_init(&s);
        td_str_init(&e);
        td_str_init(&v);
        if (kci)
            td_cert_key_too_small(kci, why, sizeof why);
        bool leaf = kci == &c->ci[0];
        td_str_printf(&s, "The %s %s has ", leaf ? "certificate" : "CA certificate", who);
        if (kci)
            td_str_printf(&s, "a %d-bit %s key", kci->key_bits, kci->key_type);
        else
            td_str_add(&s, "a key");
        td_str_add(&s, ": clients at OpenSSL security level 2 (the Debian and Ubuntu default), Java and browsers "
                       "refuse keys that small.");
        td_str_printf(&e, "%s (%s)", who, src);
        if (why[0])
            td_str_printf(&e, ": %s", why);
        else if (kci)
            td_str_printf(&e, ": %s key, %d bits%s%s", kci->key_type, kci->key_bits, kci->key_curve[0] ? ", " : "",
                          kci->key_curve);
        if (c->have_path)
            td_str_printf(&e, "; depth %d of the path", p->small_key_depth >= 0 ? p->small_key_depth : 0);
        /* Verification at security level 2 refuses keys under 2048 bits
         * (RSA) or 224 bits (EC) anywhere in the path. */
        td_str_printf(&v, "%s%s -auth_level 2 -verify_return_error </dev/null", c->sc, c->ca_opt);
        add(c, TD_ID_KEY_TOO_SMALL, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_KEY_TOO_SMALL), &v);
    }

    /* WEAK_SIGNATURE: RFC 6194 / the SHAttered collision for SHA-1, RFC
     * 6151 for MD5.  A root's self-signature is not checked by anyone and
     * does not count (RFC 5280 6.1). */
    const char *wsub = NULL;
    char walg[48] = "";
    if (c->have_path && p->weak_sig_depth >= 0 && (size_t)p->weak_sig_depth < p->n) {
        wsub = p->subjects[p->weak_sig_depth];
        snprintf(walg, sizeof walg, "%s", p->weak_sig_alg);
    } else if (!c->have_path) {
        for (size_t i = 0; i < c->n && !wsub; i++)
            if (c->dec[i] && c->ci[i].sig_weak && !(i > 0 && c->ci[i].self_signed)) {
                wsub = c->ci[i].subject;
                snprintf(walg, sizeof walg, "%s", c->ci[i].sig_alg);
            }
    }
    if (wsub) {
        td_str_init(&s);
        td_str_init(&e);
        td_str_init(&v);
        bool md5 = strstr(walg, "md5") || strstr(walg, "MD5");
        td_str_printf(&s, "The certificate %s is signed with %s (%s): browsers and OpenSSL clients at security "
                          "level 2 or above refuse %s signatures.",
                      wsub, md5 ? "MD5" : "SHA-1", walg, md5 ? "MD5" : "SHA-1");
        td_str_printf(&e, "%s: signatureAlgorithm %s", wsub, walg);
        if (c->have_path)
            td_str_printf(&e, " (depth %d of the path)", p->weak_sig_depth);
        /* Level 2 (112 bits) refuses SHA-1 and MD5 signatures in the path. */
        td_str_printf(&v, "%s%s -auth_level 2 -verify_return_error </dev/null", c->sc, c->ca_opt);
        add(c, TD_ID_WEAK_SIGNATURE, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_WEAK_SIGNATURE), &v);
    }

    /* CERT_PURPOSE: RFC 5280 4.2.1.3 / 4.2.1.12. */
    bool bad = false;
    char pwhy[200] = "";
    const char *psub = NULL;
    if (c->have_path && td_path_is(p, TD_PATH_PURPOSE)) {
        bad = true;
        int dp = p->verdict == TD_PATH_PURPOSE ? p->depth : 0;
        psub = dp >= 0 && (size_t)dp < p->n ? p->subjects[dp] : NULL;
        snprintf(pwhy, sizeof pwhy, "%s", p->x509_err_text);
    }
    if (c->dec[0]) {
        char w[200];
        if (!td_cert_server_purpose_ok(&c->ci[0], w, sizeof w)) {
            bad = true;
            psub = c->ci[0].subject;
            snprintf(pwhy, sizeof pwhy, "%s", w);
        }
    }
    if (bad) {
        td_str_init(&s);
        td_str_init(&e);
        td_str_init(&v);
        td_str_printf(&s, "The certificate %s is not allowed for TLS server authentication (%s): OpenSSL-based "
                          "clients, Java and browsers refuse it.",
                      psub ? psub : c->name, pwhy);
        if (c->dec[0]) {
            const td_cert_info *l = &c->ci[0];
            td_str_printf(&e, "leaf %s: keyUsage", l->subject);
            if (!l->ku_present) {
                td_str_add(&e, " absent");
            } else {
                const char *bits[4] = { l->ku_digital_signature ? "digitalSignature" : NULL,
                                        l->ku_key_encipherment ? "keyEncipherment" : NULL,
                                        l->ku_key_agreement ? "keyAgreement" : NULL,
                                        l->ku_cert_sign ? "keyCertSign" : NULL };
                size_t k = 0;
                for (size_t i = 0; i < 4; i++)
                    if (bits[i])
                        td_str_printf(&e, "%s%s", k++ ? ", " : " ", bits[i]);
                if (k == 0)
                    td_str_add(&e, " without a TLS server usage");
            }
            td_str_printf(&e, "; extendedKeyUsage %s", !l->eku_present ? "absent"
                                                        : l->eku_server_auth ? "includes serverAuth"
                                                        : l->eku_any ? "anyExtendedKeyUsage only"
                                                                     : "without serverAuth");
        }
        if (c->have_path && td_path_is(p, TD_PATH_PURPOSE))
            td_str_printf(&e, "%sverifier: %s at depth %d", c->dec[0] ? "; " : "", p->x509_err_text, p->depth);
        td_str_printf(&v, "%s%s -purpose sslserver -verify_return_error </dev/null", c->sc, c->ca_opt);
        add(c, TD_ID_CERT_PURPOSE, TD_SEV_FAIL, &s, &e, td_fix(TD_ID_CERT_PURPOSE), &v);
    }
}

/* ---- the order of the chain --------------------------------------------------- */

static void rule_order(struct cctx *c)
{
    /* An unreadable first certificate fails every client for its own
     * reason; calling it an ordering fault would mislead. */
    if (c->n == 0 || !c->dec[0])
        return;
    const td_chain_order co = c->order;
    if (co.ok && !co.root_sent)
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_severity sev;
    if (!co.ok && !co.leaf_first) {
        /* RFC 8446 4.4.2 and RFC 5246 7.4.2: the sender's certificate MUST
         * come first; clients take the first one as the server's. */
        sev = TD_SEV_FAIL;
        td_str_add(&s, "The server's own certificate is not sent first: clients take the first certificate as the "
                       "server's and fail.");
    } else if (!co.ok) {
        sev = TD_SEV_WARN;
        td_str_add(&s, "The server sends its chain out of order or with extra certificates: most clients sort it "
                       "out, but strict and older ones (OpenSSL 1.0.x, some Java and embedded stacks) can fail to "
                       "build the path.");
    } else {
        sev = TD_SEV_INFO;
        td_str_add(&s, "The server sends the root certificate along: clients must hold it already, so it only adds "
                       "bytes to every handshake.");
    }
    td_str_printf(&e, "%s; ", co.detail);
    if (co.n_duplicates)
        td_str_printf(&e, "%zu duplicate%s; ", co.n_duplicates, co.n_duplicates == 1 ? "" : "s");
    if (co.n_unrelated)
        td_str_printf(&e, "%zu certificate%s outside the path; ", co.n_unrelated, co.n_unrelated == 1 ? "" : "s");
    describe_chain(c, &e);
    /* A wrong first certificate fails verification (and a TLS 1.3
     * handshake); an order clients can sort out can only be shown. */
    if (sev == TD_SEV_FAIL)
        td_str_printf(&v, "%s%s -verify_return_error </dev/null", c->sc, c->ca_opt);
    else
        td_str_printf(&v, "%s -showcerts </dev/null 2>/dev/null | grep -E '^ *[0-9]+ s:|^ *i:'", c->sc);
    add(c, TD_ID_CHAIN_ORDER, sev, &s, &e,
        sev == TD_SEV_INFO
            ? "Leave the root out of the served file (RFC 8446 section 4.4.2 allows omitting it): nginx "
              "`ssl_certificate`, Apache `SSLCertificateFile` (or `SSLCertificateChainFile`) and HAProxy `crt` files "
              "should hold the leaf, then the intermediates, without the self-signed root."
            : "Rebuild the served file in path order: the leaf first, then the certificate that issued it, then "
              "its issuer, and so on; drop duplicates and certificates of other chains (`cat leaf.pem "
              "intermediate.pem > fullchain.pem`). nginx `ssl_certificate` fullchain.pem; Apache 2.4.8+ "
              "`SSLCertificateFile` with the chain appended in that order (older: `SSLCertificateChainFile`); "
              "HAProxy `crt` PEM with leaf, intermediates (in order) and key.",
        &v);
}

/* ---- SNI --------------------------------------------------------------------------- */

static void rule_sni_default(struct cctx *c)
{
    const td_obs *o = c->o;
    const td_hs *a = &o->hs, *b = &o->hs_nosni;
    if (!o->sni[0] || !b->done || b->n_chain == 0 || a->n_chain == 0)
        return;
    const td_cert *la = &a->chain[0], *lb = &b->chain[0];
    if (la->len == lb->len && memcmp(la->der, lb->der, la->len) == 0)
        return;
    td_name_check na, nb;
    td_cert_check_name_der(td_cert_der(la), o->sni, &na);
    td_cert_check_name_der(td_cert_der(lb), o->sni, &nb);
    if (!na.ok || nb.ok)
        return;
    td_cert_info *ia = malloc(sizeof *ia), *ib = malloc(sizeof *ib);
    char err[128];
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&s, "Without SNI the server presents another certificate, which does not cover %s: clients that "
                      "send no SNI (old Java and Android, some monitoring probes and embedded stacks) get the "
                      "wrong certificate and fail.",
                  o->sni);
    td_str_printf(&e, "with SNI %s: ", o->sni);
    if (ia && td_cert_info_from_der(td_cert_der(la), ia, err, sizeof err) == 0) {
        td_str_printf(&e, "%s, ", ia->subject);
        list_sans(&e, ia);
    } else {
        td_str_add(&e, "(undecodable)");
    }
    td_str_add(&e, "; without SNI: ");
    if (ib && td_cert_info_from_der(td_cert_der(lb), ib, err, sizeof err) == 0) {
        td_str_printf(&e, "%s, ", ib->subject);
        list_sans(&e, ib);
    } else {
        td_str_add(&e, "(undecodable)");
    }
    td_str_printf(&e, "; %s", nb.why);
    free(ia);
    free(ib);
    /* Succeeds once the certificate sent without SNI covers the name. */
    if (td_shell_safe(o->sni))
        td_str_printf(&v, "%s%s -verify_hostname %s -verify_return_error </dev/null", c->adv.sclient_nosni, c->ca_opt,
                      o->sni);
    else
        td_str_printf(&v, "%s </dev/null 2>/dev/null | openssl x509 -noout -subject -ext subjectAltName",
                      c->adv.sclient_nosni);
    add(c, TD_ID_SNI_DEFAULT_CERT, TD_SEV_WARN, &s, &e, td_fix(TD_ID_SNI_DEFAULT_CERT), &v);
}

/* ---- OCSP -------------------------------------------------------------------------- */

static void rule_ocsp(struct cctx *c)
{
    const td_obs *o = c->o;
    if (!o->hs.done || o->hs.ocsp_stapled || o->hs.n_chain == 0 || c->chain != o->hs.chain || !c->dec[0])
        return;
    /* Nothing to staple without a responder: CAs that dropped OCSP (Let's
     * Encrypt since 2025) leave the URL out, and clients do not expect it. */
    if (!c->ci[0].ocsp_url[0])
        return;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    td_str_printf(&s, "The server does not staple an OCSP response: clients that check revocation must ask the "
                      "CA's responder themselves, which is slower and leaks which sites they visit.");
    td_str_printf(&e, "status_request offered, no CertificateStatus in the %s handshake; the leaf names the OCSP "
                      "responder %s",
                  td_version_name(o->hs.version), c->ci[0].ocsp_url);
    td_str_printf(&v, "%s -status </dev/null 2>/dev/null | grep -A1 'OCSP Response Status'", c->sc);
    add(c, TD_ID_OCSP_STAPLING_MISSING, TD_SEV_INFO, &s, &e, td_fix(TD_ID_OCSP_STAPLING_MISSING), &v);
}

/* ---- client certificates ------------------------------------------------------------- */

static const char *client_alert_hint(int a)
{
    switch (a) {
    case TD_ALERT_CERTIFICATE_REQUIRED: return "the server got no certificate although it requires one";
    case TD_ALERT_UNKNOWN_CA: return "the server does not trust the CA that issued the client certificate";
    case TD_ALERT_BAD_CERTIFICATE: return "the server rejected the client certificate (bad or unusable)";
    case TD_ALERT_UNSUPPORTED_CERTIFICATE:
        return "the server does not accept this kind of client certificate (key type, extendedKeyUsage)";
    case TD_ALERT_CERTIFICATE_REVOKED: return "the server considers the client certificate revoked";
    case TD_ALERT_CERTIFICATE_EXPIRED: return "the client certificate has expired, or the server's clock says so";
    case TD_ALERT_CERTIFICATE_UNKNOWN:
        return "the server could not validate the client certificate (chain or extension problem)";
    case TD_ALERT_ACCESS_DENIED:
        return "the server checked the client certificate and refuses access (e.g. a subject it does not allow)";
    case TD_ALERT_DECRYPT_ERROR:
        return "the client's signature (CertificateVerify) did not verify: the key does not match the "
               "certificate, or the signature scheme is refused";
    default: return NULL;
    }
}

static void rule_client_cert(struct cctx *c)
{
    const td_obs *o = c->o;
    const td_hs *hc = &o->hs_client;
    /* The request as the full handshake saw it: in TLS 1.3 only it can
     * (the CertificateRequest is encrypted); in TLS 1.2 rules.c reports it
     * from the probes unless the --cert verdict joins it here. */
    bool request = o->hs.cert_request && (!o->cert_request || td_client_cert_reported(o));
    bool result = o->client_cert_given && hc->out != TD_OUT_NOT_RUN && hc->out != TD_OUT_LIMITED;
    /* A server that never asks completes the handshake without the
     * certificate given: nothing about mutual TLS to report (the
     * observations say it was not sent). */
    if (result && !request && !o->cert_request && hc->done && !hc->cert_request)
        result = false;
    if (!request && !result)
        return;
    /* The handshake job reads on until the server's verdict on the
     * certificate (RFC 8446 section 4.4.2.4), so a completed handshake is an
     * accepted certificate; an alert after that (close_notify when the
     * server hangs up) is not a rejection. */
    bool rejected = result && !hc->done;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    if (request) {
        td_str_printf(&s, "The server asks for a client certificate (mutual TLS, seen in the %s handshake): "
                          "clients without one fail if it is required; %zu acceptable CA name%s sent.",
                      td_version_name(o->hs.version), o->hs.n_ca_names, o->hs.n_ca_names == 1 ? "" : "s");
        td_str_printf(&e, "CertificateRequest in the %s handshake with %zu certificate_authorities entr%s",
                      td_version_name(o->hs.version), o->hs.n_ca_names, o->hs.n_ca_names == 1 ? "y" : "ies");
        /* RFC 8446 4.3.2: the names tell the client which CA must have
         * issued its certificate. */
        for (size_t i = 0; i < o->hs.n_ca_names && i < TD_HS_MAX_CANAMES; i++)
            td_str_printf(&e, "%s%s", i ? "; " : ": ", o->hs.ca_names[i]);
        td_str_printf(&e, "; without a certificate the handshake ");
        describe_hs(&e, &o->hs);
    }
    if (result) {
        if (request)
            td_str_add(&s, rejected ? " The client certificate given is rejected." : " The client certificate given "
                                                                                      "is accepted.");
        else
            td_str_add(&s, rejected ? "The server rejects the client certificate given: the mutual TLS handshake "
                                      "fails."
                                    : "The server accepts the client certificate given: the mutual TLS handshake "
                                      "completes.");
        td_str_add(&e, request ? "; with the client certificate: " : "with the client certificate: ");
        if (!hc->client_cert_sent)
            td_str_add(&e, "the server did not ask for it, so it was not sent; ");
        describe_hs(&e, hc);
        const char *hint = hc->alert_received >= 0 ? client_alert_hint(hc->alert_received) : NULL;
        if (rejected && hint)
            td_str_printf(&e, "; %s(%d): %s", alert_name(hc->alert_received), hc->alert_received, hint);
    }
    td_str_printf(&v, "%s -cert client.pem -key client.key </dev/null", c->sc);
    td_severity sev = rejected ? TD_SEV_FAIL : request ? TD_SEV_WARN : TD_SEV_INFO;
    add(c, TD_ID_CLIENT_CERT_REQUIRED, sev, &s, &e,
        rejected ? "Give the client a certificate the server accepts: issued by one of the CAs it lists, valid now, "
                   "with extendedKeyUsage clientAuth, and its matching key; or make the server trust the client's "
                   "CA: nginx `ssl_client_certificate ca.pem;` (with `ssl_verify_depth` for deep chains), Apache "
                   "`SSLCACertificateFile ca.pem`, HAProxy `ca-file ca.pem` on the bind line. The server's error "
                   "log names the reason it rejected the certificate."
                 : td_fix(TD_ID_CLIENT_CERT_REQUIRED),
        &v);
}

/* ---- ALPN --------------------------------------------------------------------------- */

static void rule_alpn(struct cctx *c)
{
    const td_obs *o = c->o;
    const td_hs *h = &o->hs;
    if (!o->alpn_offered[0] || h->out == TD_OUT_NOT_RUN)
        return;
    char first[64];
    const char *comma = strchr(o->alpn_offered, ',');
    size_t fl = comma ? (size_t)(comma - o->alpn_offered) : strlen(o->alpn_offered);
    snprintf(first, sizeof first, "%.*s", (int)(fl < sizeof first ? fl : sizeof first - 1), o->alpn_offered);
    td_severity sev;
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    /* RFC 7301 section 3.2: a server that supports none of the client's
     * protocols answers no_application_protocol(120). */
    if (!h->done && h->alert_received == TD_ALERT_NO_APPLICATION_PROTOCOL) {
        sev = TD_SEV_FAIL;
        td_str_printf(&s, "The server supports none of the application protocols offered (%s) and refuses the "
                          "handshake with no_application_protocol: clients needing them cannot connect.",
                      o->alpn_offered);
    } else if (h->done && !h->alpn[0]) {
        sev = TD_SEV_FAIL;
        td_str_printf(&s, "The server selects no application protocol although %s was offered: clients that "
                          "require %s%s fail.",
                      o->alpn_offered, first, strcmp(first, "h2") == 0 ? " (gRPC and other HTTP/2-only clients)" : "");
    } else if (h->done && strcmp(h->alpn, first) != 0) {
        sev = TD_SEV_WARN;
        td_str_printf(&s, "The server picks %s, not %s, the first protocol offered: clients get %s and lose what "
                          "%s brings, and clients that need %s fail.",
                      h->alpn, first, h->alpn, first, first);
    } else {
        td_str_free(&s);
        return;
    }
    td_str_printf(&e, "ALPN offered: %s; the handshake ", o->alpn_offered);
    describe_hs(&e, h);
    if (h->done)
        td_str_printf(&e, "; ALPN selected: %s", h->alpn[0] ? h->alpn : "none");
    /* Succeeds once the first protocol offered is the one selected. */
    if (td_shell_safe(o->alpn_offered))
        td_str_printf(&v, "%s -alpn %s </dev/null 2>/dev/null | grep 'ALPN protocol: %s$'", c->sc, o->alpn_offered,
                      first);
    else
        td_str_printf(&v, "%s -alpn h2,http/1.1 </dev/null 2>/dev/null | grep 'ALPN protocol: h2$'", c->sc);
    add(c, TD_ID_ALPN_MISMATCH, sev, &s, &e, td_fix(TD_ID_ALPN_MISMATCH), &v);
}

/* ---- resumption --------------------------------------------------------------------- */

static void rule_resumption(struct cctx *c)
{
    const td_obs *o = c->o;
    const td_hs *r = &o->hs_resume;
    if (td_outcome_untold(r->out) || r->resumed)
        return;
    const char *kind = o->hs.ticket ? "a session ticket" : o->hs.session_id ? "a session ID" : "a session";
    td_str s, e, v;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&v);
    /* A server that aborts a handshake offering a session is worse than one
     * that ignores it: clients that resume (every browser) fail outright. */
    td_severity sev = r->done ? TD_SEV_WARN : TD_SEV_FAIL;
    if (r->done)
        td_str_printf(&s, "The server hands out %s but does not resume it: every connection pays a full handshake "
                          "(an extra round trip in TLS 1.2, more CPU), which slows reconnecting clients.",
                      kind);
    else
        td_str_printf(&s, "The server hands out %s, then fails the handshake that offers it back: clients that "
                          "resume sessions (every browser, most HTTP libraries) fail on reconnect.",
                      kind);
    td_str_printf(&e, "first handshake (%s): %s, issued %s%s; offering it again (%s): ", h_addr(&o->hs),
                  td_version_name(o->hs.version), kind, o->hs.ticket && o->hs.session_id ? " and a session ID" : "",
                  h_addr(r));
    describe_hs(&e, r);
    if (r->done)
        td_str_add(&e, ", full handshake (not resumed)");
    if (o->hs.addr[0] && r->addr[0] && strcmp(o->hs.addr, r->addr) != 0)
        td_str_add(&e, "; the session was offered to another address than the one that issued it: the servers "
                       "behind the name must share session state");
    /* s_client -reconnect never resumes TLS 1.3 (it reconnects before the
     * NewSessionTicket arrives): save the session after a second's wait,
     * offer it again, and look for "Reused". */
    td_str_printf(&v, "%s -sess_out /tmp/tlsdiag-session.pem < <(sleep 1) >/dev/null 2>&1; %s -sess_in "
                      "/tmp/tlsdiag-session.pem </dev/null 2>/dev/null | grep '^Reused,'",
                  c->sc, c->sc);
    add(c, TD_ID_RESUMPTION_BROKEN, sev, &s, &e, td_fix(TD_ID_RESUMPTION_BROKEN), &v);
}

/* ---- several backends ------------------------------------------------------------------ */

struct seen {
    const td_hs *h;
    char label[96];
    char sig[400];  /* what the connection showed, compared between connections */
    bool failed;
};

static void backend_sig(const td_hs *h, td_cert_info *ci, struct seen *out)
{
    char err[128], lbl[96];
    td_str b;
    td_str_init(&b);
    if (h->done) {
        td_str_printf(&b, "%s, %s", td_version_name(h->version), td_suite_label(h->suite, lbl, sizeof lbl));
        if (h->n_chain > 0 && ci && td_cert_info_from_der(td_cert_der(&h->chain[0]), ci, err, sizeof err) == 0)
            td_str_printf(&b, ", leaf %s (sha256 %.16s..., until %s)", ci->subject, ci->sha256, ci->not_after_iso);
        else
            td_str_add(&b, ", no readable leaf");
        td_str_printf(&b, ", %zu certificate%s", h->n_chain, h->n_chain == 1 ? "" : "s");
    } else {
        describe_hs(&b, h);
        out->failed = true;
    }
    char *t = td_str_take(&b);
    snprintf(out->sig, sizeof out->sig, "%s", t);
    free(t);
}

static void rule_backends(struct cctx *c)
{
    const td_obs *o = c->o;
    struct seen v[TD_MAX_BACKENDS + 1];
    size_t n = 0;
    const td_hs *all[TD_MAX_BACKENDS + 1];
    size_t na = 0;
    all[na++] = &o->hs;
    for (size_t i = 0; i < o->n_backends && i < TD_MAX_BACKENDS; i++)
        all[na++] = &o->backends[i];
    td_cert_info *ci = malloc(sizeof *ci);
    for (size_t i = 0; i < na; i++) {
        const td_hs *h = all[i];
        /* Local trouble (the check's deadline, an internal error) says
         * nothing about the server, nor does a handshake cut on every try
         * while the server answered others (a connection limit). */
        if (td_outcome_untold(h->out))
            continue;
        struct seen *x = &v[n++];
        memset(x, 0, sizeof *x);
        x->h = h;
        snprintf(x->label, sizeof x->label, "%s", h_addr(h));
        backend_sig(h, ci, x);
    }
    free(ci);
    if (n < 2)
        return;
    size_t n_ok = 0, n_fail = 0;
    bool differ = false;
    const struct seen *ref = NULL;
    for (size_t i = 0; i < n; i++) {
        if (v[i].failed) {
            n_fail++;
            continue;
        }
        n_ok++;
        if (!ref)
            ref = &v[i];
        else if (strcmp(ref->sig, v[i].sig) != 0)
            differ = true;
    }
    if (n_ok == 0 || (n_fail == 0 && !differ))
        return;
    td_str s, e, vf;
    td_str_init(&s);
    td_str_init(&e);
    td_str_init(&vf);
    td_severity sev = n_fail ? TD_SEV_FAIL : TD_SEV_WARN;
    if (n_fail)
        td_str_printf(&s, "%zu of %zu connections to %s fail the handshake while the others succeed: clients fail "
                          "intermittently, depending on which server they reach.",
                      n_fail, n, c->name);
    else
        td_str_printf(&s, "The servers behind %s do not all present the same certificate and TLS settings: clients "
                          "see different results depending on which server they reach.",
                      c->name);
    /* Identical outcomes are grouped, so the odd server stands out. */
    bool done_grp[TD_MAX_BACKENDS + 1] = { false };
    size_t groups = 0;
    for (size_t i = 0; i < n; i++) {
        if (done_grp[i])
            continue;
        size_t cnt = 0;
        td_str_printf(&e, "%s", groups++ ? "; " : "");
        for (size_t j = i; j < n; j++) {
            if (done_grp[j] || strcmp(v[j].sig, v[i].sig) != 0)
                continue;
            bool dup = false;
            for (size_t k = i; k < j; k++)
                dup |= strcmp(v[k].sig, v[i].sig) == 0 && strcmp(v[k].label, v[j].label) == 0;
            done_grp[j] = true;
            cnt++;
            if (!dup)
                td_str_printf(&e, "%s%s", cnt > 1 ? ", " : "", v[j].label);
        }
        td_str_printf(&e, " (%zu connection%s): %s", cnt, cnt == 1 ? "" : "s", v[i].sig);
    }
    /* One s_client per address, each with the same SNI; through a proxy
     * the addresses are its to pick, so the target again and again. */
    td_str_add(&vf, "for t in");
    size_t listed = 0;
    for (size_t i = 0; i < n && !o->proxy.used; i++) {
        const char *a = v[i].h->addr;
        unsigned char buf[16];
        if (inet_pton(AF_INET6, a, buf) != 1 && inet_pton(AF_INET, a, buf) != 1)
            continue;
        bool dup = false;
        for (size_t k = 0; k < i; k++)
            dup |= strcmp(v[k].h->addr, a) == 0;
        if (dup)
            continue;
        char hp[300];
        td_str_printf(&vf, " %s", td_host_port(hp, sizeof hp, a, o->port));
        listed++;
    }
    size_t times = listed ? 0 : o->proxy.used ? n : 1;
    for (size_t i = 0; i < times; i++)
        td_str_printf(&vf, " %s", c->adv.connect);
    td_str_printf(&vf, "; do echo \"$t\"; openssl s_client -connect \"$t\"%s%s </dev/null 2>/dev/null | openssl "
                       "x509 -noout -subject -enddate -fingerprint -sha256; done",
                  c->adv.sclient_proxy, c->adv.servername);
    add(c, TD_ID_INCONSISTENT_BACKENDS, sev, &s, &e, td_fix(TD_ID_INCONSISTENT_BACKENDS), &vf);
}

/* ---- entry point ---------------------------------------------------------------------- */

void td_diagnose_certs(const td_obs *o, td_findings *out)
{
    struct cctx *c = calloc(1, sizeof *c);
    if (!c) {
        out->oom = true;
        return;
    }
    c->o = o;
    c->out = out;
    td_advice_init(&c->adv, o);
    c->name = c->adv.name;
    c->sc = c->adv.sclient;
    c->ca_opt = c->adv.ca_opt;

    /* The full handshake's chain when it has one (TLS 1.3 hides the chain
     * from the first-flight probes); otherwise the TLS 1.2 Certificate
     * message. */
    if (o->hs.n_chain > 0) {
        c->chain = o->hs.chain;
        c->n = o->hs.n_chain;
        snprintf(c->from, sizeof c->from, "the %s handshake", o->hs.done ? td_version_name(o->hs.version) : "full");
    } else if (o->n_certs > 0) {
        c->chain = o->certs;
        c->n = o->n_certs;
        snprintf(c->from, sizeof c->from, "the %s Certificate message",
                 td_version_name(o->certs_version ? o->certs_version : TD_TLS12));
    }
    if (c->n > TD_FLIGHT_MAX_CERTS)
        c->n = TD_FLIGHT_MAX_CERTS;
    if (c->n > 0) {
        c->ci = calloc(c->n, sizeof *c->ci);
        if (!c->ci) {
            out->oom = true;
            free(c);
            return;
        }
        char err[128];
        for (size_t i = 0; i < c->n; i++)
            c->dec[i] = c->chain[i].der &&
                        td_cert_info_from_der(td_cert_der(&c->chain[i]), &c->ci[i], err, sizeof err) == 0;
    }
    c->have_path = o->path.n > 0;
    c->have_time = o->now > 0;
    if (c->n > 0) {
        td_der d[TD_FLIGHT_MAX_CERTS];
        for (size_t i = 0; i < c->n; i++)
            d[i] = td_cert_der(&c->chain[i]);
        td_chain_check_order(d, c->n, &c->order);
        c->leaf_misplaced = c->dec[0] && !c->order.leaf_first;
    }

    /* With an issuer in the leaf's place every client judges the wrong
     * certificate: its dates, name, key and path are echoes of the order
     * fault, which CHAIN_ORDER names. */
    if (!c->leaf_misplaced) {
        rule_leaf_time(c);
        rule_name(c);
        rule_trust(c);
        rule_chain_time(c);
        rule_crypto(c);
    }
    rule_order(c);
    if (!c->leaf_misplaced) {
        rule_sni_default(c);
        rule_ocsp(c);
    }
    rule_client_cert(c);
    rule_alpn(c);
    rule_resumption(c);
    rule_backends(c);

    free(c->ci);
    free(c);
}
