/* Client verdicts: would this real client get through, and if not, where
 * and why?
 *
 * Each simulated profile sent its own ClientHello (td_sim); the server's
 * answer says how far the handshake goes on the wire.  What the client
 * would then refuse (a DH group outside its limits, a chain it cannot
 * build, a root, a name, a key or a signature it does not accept) comes
 * from the certificate facts and trust verdicts the check already holds,
 * judged by that client's own rules (lib/registry/clients.h).
 *
 * No I/O.  A verdict that needs a fact the check did not collect is
 * "unknown", never guessed.  The fix and the verify command of a failing
 * client are remedy.c's. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../wire/tls.h"
#include "clients_int.h"

#define GROUPS_SHOWN  5
#define SUITES_SHOWN  3

static void setf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void setf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
}

/* Copies with "..." at the end when src does not fit. */
static void copy_cut(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n < cap) {
        memcpy(dst, src, n + 1);
        return;
    }
    if (cap < 4) {
        if (cap)
            dst[0] = '\0';
        return;
    }
    memcpy(dst, src, cap - 4);
    memcpy(dst + cap - 4, "...", 4);
}

static problem *add_problem(judgement *j, kind k, const char *step, const char *label)
{
    if (j->np >= MAX_PROBLEMS)
        return NULL;
    problem *p = &j->p[j->np++];
    p->k = k;
    setf(p->step, sizeof p->step, "%s", step);
    setf(p->label, sizeof p->label, "%s", label);
    p->why[0] = '\0';
    return p;
}

static void set_unknown(judgement *j, const char *step, const char *why)
{
    if (j->unknown)
        return;
    j->unknown = true;
    setf(j->unknown_step, sizeof j->unknown_step, "%s", step);
    copy_cut(j->unknown_why, sizeof j->unknown_why, why);
}

/* ---- versions, suites, groups ------------------------------------------ */

/* "TLS 1.3 and 1.2", "TLS 1.2, 1.1 and 1.0": the family prefix said once. */
static void versions_words(td_str *b, const uint16_t *v, size_t n)
{
    uint16_t s[TD_NVERSIONS + TD_CLIENT_MAX_VERSIONS];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof s / sizeof *s; i++)
        if (!has16(s, k, v[i]))
            s[k++] = v[i];
    for (size_t i = 1; i < k; i++) /* newest first */
        for (size_t m = i; m > 0 && s[m - 1] < s[m]; m--) {
            uint16_t t = s[m];
            s[m] = s[m - 1];
            s[m - 1] = t;
        }
    bool prev_tls = false;
    for (size_t i = 0; i < k; i++) {
        const char *name = td_version_name(s[i]);
        bool tls = strncmp(name, "TLS ", 4) == 0;
        if (i > 0)
            td_str_add(b, i + 1 == k ? " and " : ", ");
        td_str_add(b, tls && prev_tls ? name + 4 : name);
        prev_tls = tls;
    }
}

/* "x25519", or "unknown (0x1234)": sentences name groups without code points. */
static const char *group_name(uint16_t id, char *buf, size_t cap)
{
    const td_group *g = td_group_by_id(id);
    return td_name_or_code(g ? g->name : NULL, id, buf, cap);
}

static void group_words(td_str *b, const uint16_t *g, size_t n, size_t shown)
{
    for (size_t i = 0; i < n && i < shown; i++) {
        char lbl[64];
        td_str_printf(b, "%s%s", i ? ", " : "", group_name(g[i], lbl, sizeof lbl));
    }
    if (n > shown)
        td_str_printf(b, " (+%zu more)", n - shown);
    if (n == 0)
        td_str_add(b, "none");
}

/* "TLS_ECDHE_ECDSA" for "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"; "" when
 * the name has no _WITH_ (TLS 1.3 suites). */
static void suite_family(uint16_t id, char *buf, size_t cap)
{
    buf[0] = '\0';
    const td_suite *s = td_suite_by_id(id);
    if (!s || !s->iana)
        return;
    const char *w = strstr(s->iana, "_WITH_");
    if (!w || (size_t)(w - s->iana) >= cap)
        return;
    memcpy(buf, s->iana, (size_t)(w - s->iana));
    buf[w - s->iana] = '\0';
}

static const char *suite_iana(uint16_t id, char *buf, size_t cap)
{
    const td_suite *s = td_suite_by_id(id);
    return td_name_or_code(s ? s->iana : NULL, id, buf, cap);
}

/* What the server accepts for one version, as a phrase: "only
 * TLS_ECDHE_ECDSA_* suites", "only TLS_AES_256_GCM_SHA384", "12 suites
 * such as A and B". */
static void server_suites_words(td_str *b, const td_obs *o, int vi)
{
    size_t n = server_suites_n(o, vi);
    char fam[64], f2[64], lbl[64];
    suite_family(o->suites[vi][0], fam, sizeof fam);
    bool same = fam[0] != '\0';
    for (size_t i = 1; i < n && same; i++) {
        suite_family(o->suites[vi][i], f2, sizeof f2);
        same = strcmp(fam, f2) == 0;
    }
    if (n == 1) {
        td_str_printf(b, "only %s", suite_iana(o->suites[vi][0], lbl, sizeof lbl));
    } else if (same) {
        td_str_printf(b, "only %s_* suites", fam);
    } else if (n <= SUITES_SHOWN) {
        td_str_add(b, "only ");
        for (size_t i = 0; i < n; i++)
            td_str_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
                          suite_iana(o->suites[vi][i], lbl, sizeof lbl));
    } else {
        td_str_printf(b, "%zu suites such as %s", n, suite_iana(o->suites[vi][0], lbl, sizeof lbl));
        td_str_printf(b, " and %s", suite_iana(o->suites[vi][1], lbl, sizeof lbl));
    }
}

/* The one authentication every accepted suite of this version needs, or
 * TD_AU_NONE when they differ (or for TLS 1.3, where the suite says none). */
static td_auth server_auth(const td_obs *o, int vi)
{
    size_t n = server_suites_n(o, vi);
    td_auth a = TD_AU_NONE;
    for (size_t i = 0; i < n; i++) {
        const td_suite *s = td_suite_by_id(o->suites[vi][i]);
        if (!s || s->auth == TD_AU_TLS13 || s->auth == TD_AU_NONE)
            return TD_AU_NONE;
        if (i == 0)
            a = s->auth;
        else if (s->auth != a)
            return TD_AU_NONE;
    }
    return a;
}

static size_t client_suites_for(const td_client *c, uint16_t v)
{
    size_t k = 0;
    for (size_t i = 0; i < n_suites(c); i++)
        k += suite_for(td_suite_by_id(c->suites[i]), v);
    return k;
}

static bool ecdhe(const td_suite *s)
{
    return s && (s->kx == TD_KX_ECDHE || s->kx == TD_KX_ECDHE_PSK);
}

/* ---- naming things in sentences ----------------------------------------- */

/* "Java 8" from "Java 8 (8u161 and later)": the full name is in the table. */
static void short_name(const td_client *c, char *buf, size_t cap)
{
    const char *n = c->name && c->name[0] ? c->name : c->id ? c->id : "the client";
    size_t len = td_client_short_len(n);
    if (len >= cap)
        len = cap - 1;
    memcpy(buf, n, len);
    buf[len] = '\0';
}

static const char *full_name(const td_client *c)
{
    return c->name && c->name[0] ? c->name : c->id ? c->id : "the client";
}

static const char *alert_name(uint8_t code)
{
    return td_alert_name(code, "unassigned");
}

/* ---- why the hello was refused ------------------------------------------ */

/* Finds, from what the check learnt about the server, why it would refuse
 * this client's hello: no shared version, no shared suite for the version it
 * would pick, no shared group, or a hello without SNI.  Fills p when it finds
 * one; returns whether it did. */
static bool derive(const struct jctx *x, judgement *j, problem *p)
{
    const td_obs *o = x->o;
    const td_client *c = j->c;
    if (!x->any_version_known)
        return false;

    uint16_t sv[TD_NVERSIONS];
    size_t nsv = server_versions(o, sv);
    uint16_t best = 0;
    for (size_t i = 0; i < n_versions(c); i++) {
        int vi = td_vidx(c->versions[i]);
        if (vi >= 0 && o->version_ok[vi] == TD_YES && c->versions[i] > best)
            best = c->versions[i];
    }
    j->shared_version = best;
    td_str w;
    td_str_init(&w);
    if (!best) {
        p->k = K_VERSION;
        setf(p->label, sizeof p->label, "no shared protocol version");
        uint16_t smax = sv[0], smin = sv[nsv - 1];
        uint16_t cmax = client_max(c), cmin = client_min(c);
        td_str_add(&w, "the server speaks only ");
        versions_words(&w, sv, nsv);
        if (smin > cmax) {
            td_str_printf(&w, ", and %s tops out at %s", j->sname, td_version_name(cmax));
        } else if (smax < cmin) {
            td_str_printf(&w, ", and %s requires at least %s", j->sname, td_version_name(cmin));
        } else {
            td_str_printf(&w, ", and %s offers only ", j->sname);
            versions_words(&w, c->versions, n_versions(c));
        }
        goto done;
    }

    int vi = td_vidx(best);
    size_t ns = server_suites_n(o, vi);
    if (best != TD_SSL2 && ns > 0) {
        size_t shared = 0;
        bool all_ecdhe = true;
        for (size_t i = 0; i < n_suites(c); i++)
            if (has16(o->suites[vi], ns, c->suites[i])) {
                shared++;
                all_ecdhe &= ecdhe(td_suite_by_id(c->suites[i]));
            }
        if (shared == 0) {
            p->k = K_SUITE;
            setf(p->label, sizeof p->label, "no shared cipher suite");
            td_str_add(&w, "the server accepts ");
            server_suites_words(&w, o, vi);
            td_str_printf(&w, " for %s", td_version_name(best));
            td_auth a = server_auth(o, vi);
            if (a != TD_AU_NONE && !client_has_auth(c, best, a))
                td_str_printf(&w, ", and %s offers no %s-authenticated suite", j->sname, td_auth_name(a));
            else
                td_str_printf(&w, ", and none of the %zu suites %s offers for it is among them",
                              client_suites_for(c, best), j->sname);
            if (!o->suites_complete[vi])
                td_str_add(&w, " (as far as the enumeration got)");
            goto done;
        }
        /* TLS 1.3 always needs a group (RFC 8446 4.2.7); TLS 1.2 only
         * when every suite left is ECDHE (RFC 8422 5.1). */
        bool need = best == TD_TLS13 || all_ecdhe;
        bool gshared = false;
        size_t ng = o->n_groups < TD_MAX_GROUPS ? o->n_groups : TD_MAX_GROUPS;
        for (size_t i = 0; i < n_groups(c); i++)
            gshared |= has16(o->groups, ng, c->groups[i]);
        if (need && ng > 0 && !gshared && n_groups(c) > 0) {
            p->k = K_GROUP;
            setf(p->label, sizeof p->label, "no shared group");
            if (best == TD_TLS13) {
                td_str_printf(&w, "for TLS 1.3 the server's key exchange groups (");
            } else {
                td_str_add(&w, "the server accepts ");
                server_suites_words(&w, o, vi);
                td_str_printf(&w, " for %s; %s's list has them, but the server's curves (", td_version_name(best),
                              j->sname);
            }
            group_words(&w, o->groups, ng, GROUPS_SHOWN);
            td_str_printf(&w, ") and %s's (", j->sname);
            group_words(&w, c->groups, n_groups(c), GROUPS_SHOWN);
            td_str_add(&w, ") do not overlap");
            if (!o->groups_complete)
                td_str_add(&w, " (as far as the enumeration got)");
            goto done;
        }
    }

    /* RFC 6066 section 3: server_name is optional; a server that demands it
     * shuts out every client that sends none. */
    if (!c->sni && o->sni[0] && o->baseline.out == TD_OUT_HELLO && !td_outcome_untold(o->nosni.out) &&
        o->nosni.out != TD_OUT_HELLO) {
        p->k = K_SNI_REQUIRED;
        setf(p->label, sizeof p->label, "SNI required");
        td_str_printf(&w, "the server refuses hellos without a server name (SNI), and %s sends none", j->sname);
        goto done;
    }
    td_str_free(&w);
    return false;

done:
    copy_cut(p->why, sizeof p->why, w.s ? w.s : "");
    td_str_free(&w);
    return true;
}

static void judge_refused(const struct jctx *x, judgement *j)
{
    const td_attempt *a = &j->sim->hello;
    problem d = { 0 };
    bool derived = derive(x, j, &d);
    problem *p = add_problem(j, K_NONE, "ServerHello", "");
    if (!p)
        return;

    if (a->out == TD_OUT_ALERT) {
        uint8_t ad = a->alert_desc;
        if (derived) {
            *p = d;
            setf(p->step, sizeof p->step, "ServerHello");
            if (ad != TD_ALERT_PROTOCOL_VERSION && ad != TD_ALERT_HANDSHAKE_FAILURE &&
                ad != TD_ALERT_INSUFFICIENT_SECURITY) {
                size_t n = strlen(p->why);
                setf(p->why + n, sizeof p->why - n, " (the server says %s)", alert_name(ad));
            }
            return;
        }
        p->k = K_ALERT;
        setf(p->label, sizeof p->label, "alert %s", alert_name(ad));
        /* RFC 7301 section 3.2: this alert is the server's answer to an ALPN
         * list holding none of its protocols, whatever else the hello says. */
        if (ad == TD_ALERT_NO_APPLICATION_PROTOCOL)
            setf(p->why, sizeof p->why,
                 "the server answers %s's hello with the alert %s (%u): it speaks none of the application "
                 "protocols (ALPN) that hello offers",
                 j->sname, alert_name(ad), (unsigned)ad);
        else if (j->shared_version)
            setf(p->why, sizeof p->why,
                 "the server answers %s's hello with the alert %s (%u), although both speak %s and no missing "
                 "suite or group explains it: it refuses something else in that hello (signature algorithms, an "
                 "extension, the server name)",
                 j->sname, alert_name(ad), (unsigned)ad, td_version_name(j->shared_version));
        else
            setf(p->why, sizeof p->why, "the server answers %s's hello with the alert %s (%u)", j->sname,
                 alert_name(ad), (unsigned)ad);
        return;
    }

    const char *what = a->out == TD_OUT_RESET    ? "resets the connection (TCP RST)"
                       : a->out == TD_OUT_CLOSED ? "closes the connection"
                                                 : "does not answer";
    if (derived) {
        /* The server shows the same refusal without an alert: name the
         * cause, then how it shows. */
        *p = d;
        setf(p->step, sizeof p->step, "ServerHello");
        size_t n = strlen(p->why);
        setf(p->why + n, sizeof p->why - n, "; the server %s instead of sending an alert", what);
        return;
    }
    p->k = K_NET;
    setf(p->label, sizeof p->label, "%s",
         a->out == TD_OUT_RESET ? "connection reset" : a->out == TD_OUT_CLOSED ? "connection closed" : "no answer");
    setf(p->why, sizeof p->why, "the server %s after %s's ClientHello, without a TLS alert", what, j->sname);
}

/* ---- after the ServerHello: what the client itself refuses -------------- */

static void judge_choice(judgement *j)
{
    const td_client *c = j->c;
    const td_attempt *a = &j->sim->hello;
    problem *p;
    char lbl[96];
    /* RFC 8446 4.1.3 / RFC 5246 7.4.1.3: a client aborts when the server
     * picks a version or suite it did not offer. */
    if (a->version && n_versions(c) > 0 && !has16(c->versions, n_versions(c), a->version) &&
        (p = add_problem(j, K_CHOICE, "ServerHello", "server chose an unoffered version")))
        setf(p->why, sizeof p->why, "the server chose %s, which %s did not offer", td_version_name(a->version),
             j->sname);
    else if (a->suite && n_suites(c) > 0 && !has16(c->suites, n_suites(c), a->suite) &&
             (p = add_problem(j, K_CHOICE, "ServerHello", "server chose an unoffered suite")))
        setf(p->why, sizeof p->why, "the server chose %s, which %s did not offer",
             td_suite_label(a->suite, lbl, sizeof lbl), j->sname);
    else if (j->group && n_groups(c) > 0 && !has16(c->groups, n_groups(c), j->group) &&
             (p = add_problem(j, K_CHOICE, a->version == TD_TLS13 ? "ServerHello" : "ServerKeyExchange",
                              "server chose an unoffered group")))
        setf(p->why, sizeof p->why, "the server chose the group %s, which %s did not offer",
             group_name(j->group, lbl, sizeof lbl), j->sname);
}

static void judge_dh(judgement *j)
{
    const td_client *c = j->c;
    unsigned bits = j->sim->dh_bits;
    problem *p;
    if (!bits)
        return;
    if (c->min_dh_bits && bits < c->min_dh_bits &&
        (p = add_problem(j, K_DH_SMALL, "ServerKeyExchange", "DH group too small")))
        setf(p->why, sizeof p->why, "the server's DHE group has %u bits, and %s requires at least %u", bits, j->sname,
             (unsigned)c->min_dh_bits);
    else if (c->max_dh_bits && bits > c->max_dh_bits &&
             (p = add_problem(j, K_DH_LARGE, "ServerKeyExchange", "DH group too large")))
        setf(p->why, sizeof p->why, "the server's DHE group has %u bits, and %s handles at most %u", bits, j->sname,
             (unsigned)c->max_dh_bits);
}

static const td_cert_info *sent_by_subject(const struct jctx *x, const char *subject)
{
    for (size_t i = 1; i < x->n; i++)
        if (x->dec[i] && strcmp(x->ci[i].subject, subject) == 0)
            return &x->ci[i];
    return NULL;
}

/* K_UNTRUSTED: where the chain ends (words naming the root), which the
 * store checked here does not hold. */
static void untrusted_root(const struct jctx *x, judgement *j, const char *ends)
{
    const td_obs *o = x->o;
    problem *pr = add_problem(j, K_UNTRUSTED, "Certificate", "untrusted root");
    if (pr)
        setf(pr->why, sizeof pr->why,
             "the chain ends %s, which the trust store checked here (%s) does not hold; %s uses the %s store", ends,
             o->store_name[0] ? o->store_name : "?", j->sname, store_kind(j->c));
}

/* The trust path: whether the client can build it and what it ends in.
 * Returns the path the later checks look at (NULL when none). */
static const td_path *judge_path(const struct jctx *x, judgement *j)
{
    const td_obs *o = x->o;
    const td_client *c = j->c;
    const td_path *p = &o->path;
    problem *pr;
    if (!x->have_path) {
        if (o->store_error[0])
            setf(j->unknown_why, sizeof j->unknown_why, "the trust store could not be loaded: %s", o->store_error);
        else
            setf(j->unknown_why, sizeof j->unknown_why, "the certificate chain could not be verified");
        j->unknown = true;
        setf(j->unknown_step, sizeof j->unknown_step, "Certificate");
        return NULL;
    }

    if (td_path_is(p, TD_PATH_INCOMPLETE)) {
        const char *miss = p->missing_issuer[0] ? p->missing_issuer : "that issued the top of the chain";
        const char *url = p->missing_issuer_aia[0] ? p->missing_issuer_aia : o->aia_url;
        const td_path *pa = &o->path_aia;
        bool fetched = o->aia_tried && !o->aia_error[0] && pa->n > 0;
        if (c->aia_fetch && fetched && pa->trust == TD_PATH_OK) {
            p = pa; /* it completes the chain the way a browser does */
        } else if (fetched && td_path_is(pa, TD_PATH_UNTRUSTED_ROOT) && !td_path_is(pa, TD_PATH_INCOMPLETE)) {
            /* The missing issuer is a root, which servers rightly omit: a
             * client that does not fetch fails for want of it all the same. */
            char ends[800];
            setf(ends, sizeof ends, "below the root %s (fetched here from %s)", pa->top_subject, url);
            untrusted_root(x, j, ends);
            return pa;
        } else if (td_path_missing_kind(p) == TD_MISSING_ROOT) {
            /* The decision UNTRUSTED_CA makes (lib/diag/certs.c). */
            char ends[400];
            setf(ends, sizeof ends,
                 "below %s, a private root as far as the chain shows (no AIA URL, the top certificate sent is a CA)",
                 miss);
            untrusted_root(x, j, ends);
            return p;
        } else if (c->aia_fetch && !o->aia_tried && url[0]) {
            char why[256];
            setf(why, sizeof why,
                 "the server does not send the intermediate %s; %s would fetch it from %s, which this check did "
                 "not try",
                 miss, j->sname, url);
            set_unknown(j, "Certificate", why);
            return NULL;
        } else if ((pr = add_problem(j, K_CHAIN, "Certificate", "incomplete chain"))) {
            if (!c->aia_fetch)
                setf(pr->why, sizeof pr->why,
                     "the server does not send the intermediate certificate %s, and %s does not fetch missing "
                     "intermediates (AIA)",
                     miss, j->sname);
            else if (!url[0])
                setf(pr->why, sizeof pr->why,
                     "the server does not send the intermediate certificate %s, and no AIA URL says where %s could "
                     "fetch it",
                     miss, j->sname);
            else if (o->aia_error[0])
                setf(pr->why, sizeof pr->why,
                     "the server does not send the intermediate certificate %s, and fetching it from %s fails (%s)",
                     miss, url, o->aia_error);
            else
                setf(pr->why, sizeof pr->why,
                     "the server does not send the intermediate certificate %s, and even with the one %s would fetch "
                     "via AIA the chain does not verify (%s)",
                     miss, j->sname, td_path_verdict_name(pa->trust));
            return NULL;
        } else {
            return NULL;
        }
    } else if (td_path_is(p, TD_PATH_UNTRUSTED_ROOT)) {
        char ends[300];
        setf(ends, sizeof ends, "in the root %s", p->top_subject);
        untrusted_root(x, j, ends);
        return p;
    } else if (td_path_is(p, TD_PATH_SELF_SIGNED_LEAF)) {
        if ((pr = add_problem(j, K_SELF_SIGNED, "Certificate", "self-signed certificate")))
            setf(pr->why, sizeof pr->why,
                 "the certificate is self-signed and the trust store checked here (%s) does not hold it; %s uses "
                 "the %s store",
                 o->store_name[0] ? o->store_name : "?", j->sname, store_kind(c));
        return p;
    }
    return p;
}

static void judge_dates_and_sigs(const struct jctx *x, judgement *j, const td_path *p)
{
    const td_client *c = j->c;
    problem *pr;
    int ed = p->expired_depth >= 0 ? p->expired_depth : p->verdict == TD_PATH_EXPIRED ? p->depth : -1;
    int nd = p->not_yet_valid_depth >= 0         ? p->not_yet_valid_depth
             : p->verdict == TD_PATH_NOT_YET_VALID ? p->depth
                                                   : -1;
    if (ed >= 0 && (pr = add_problem(j, K_EXPIRED, "Certificate", "certificate expired"))) {
        if (ed == 0 && x->dec[0])
            setf(pr->why, sizeof pr->why, "the certificate expired on %s", x->ci[0].not_after_iso);
        else if ((size_t)ed < p->n) {
            const td_cert_info *ci = sent_by_subject(x, p->subjects[ed]);
            setf(pr->why, sizeof pr->why, "the CA certificate %s in the chain expired%s%s", p->subjects[ed],
                 ci ? " on " : "", ci ? ci->not_after_iso : "");
        } else
            setf(pr->why, sizeof pr->why, "a certificate of the chain expired");
    }
    if (nd >= 0 && (pr = add_problem(j, K_NOT_YET_VALID, "Certificate", "certificate not yet valid"))) {
        if (nd == 0 && x->dec[0])
            setf(pr->why, sizeof pr->why, "the certificate is valid only from %s", x->ci[0].not_before_iso);
        else
            setf(pr->why, sizeof pr->why, "the CA certificate %s in the chain is not valid yet",
                 (size_t)nd < p->n ? p->subjects[nd] : "?");
    }
    if ((p->verdict == TD_PATH_BAD_SIGNATURE || p->verdict == TD_PATH_PURPOSE || p->verdict == TD_PATH_OTHER) &&
        (pr = add_problem(j, p->verdict == TD_PATH_PURPOSE ? K_PURPOSE : K_PATH_OTHER, "Certificate",
                          p->verdict == TD_PATH_PURPOSE ? "certificate not for TLS servers" : "chain does not verify")))
        setf(pr->why, sizeof pr->why, "the chain does not verify: %s%s%s", td_path_verdict_name(p->verdict),
             p->x509_err_text[0] ? ", " : "", p->x509_err_text);

    /* RFC 6151 (MD5), RFC 6194 and SHAttered (SHA-1); a root's own
     * signature is never checked, and weak_sig_depth already excludes it. */
    if (p->weak_sig_depth >= 0 && (size_t)p->weak_sig_depth < p->n) {
        const char *alg = p->weak_sig_alg;
        bool md5 = strstr(alg, "md5") || strstr(alg, "MD5");
        if (md5 && (pr = add_problem(j, K_MD5, "Certificate", "MD5 signature")))
            setf(pr->why, sizeof pr->why, "the certificate %s is signed with MD5 (%s), which every current client "
                 "refuses", p->subjects[p->weak_sig_depth], alg);
        else if (!md5 && !c->sha1_ok && (pr = add_problem(j, K_SHA1, "Certificate", "SHA-1 signature")))
            setf(pr->why, sizeof pr->why, "the certificate %s is signed with SHA-1 (%s), which %s refuses",
                 p->subjects[p->weak_sig_depth], alg, j->sname);
    }
}

static void judge_keys(const struct jctx *x, judgement *j)
{
    const td_client *c = j->c;
    if (!c->min_rsa_bits)
        return;
    for (size_t i = 0; i < x->n; i++) {
        if (!x->dec[i] || !is_rsa(&x->ci[i]) || x->ci[i].key_bits <= 0 || x->ci[i].key_bits >= c->min_rsa_bits)
            continue;
        problem *pr = add_problem(j, K_RSA_SMALL, "Certificate", "RSA key too small");
        if (pr)
            setf(pr->why, sizeof pr->why, "the %s %s has a %d-bit RSA key, and %s requires at least %u bits",
                 i == 0 ? "certificate" : "CA certificate", x->ci[i].subject, x->ci[i].key_bits, j->sname,
                 (unsigned)c->min_rsa_bits);
        j->small_rsa = (int)i;
        return;
    }
}

static void judge_name(const struct jctx *x, judgement *j)
{
    const td_client *c = j->c;
    problem *pr;
    /* A client without SNI gets whatever the server presents by default. */
    if (!c->sni && x->o->sni[0] && x->have_nc_nosni) {
        if (!x->nc_nosni.ok && (pr = add_problem(j, K_SNI_CERT, "Certificate", "wrong certificate without SNI")))
            setf(pr->why, sizeof pr->why,
                 "%s sends no server name (SNI), and the certificate the server presents without one (%s) does not "
                 "cover %s",
                 j->sname, x->nosni_subject, x->adv.name);
        else if (x->nc_nosni.ok && x->nc_nosni.via_cn_only && !c->cn_fallback &&
                 (pr = add_problem(j, K_CN_ONLY, "Certificate", "name only in the CN")))
            setf(pr->why, sizeof pr->why,
                 "%s appears only in the certificate's subject CN, and %s ignores the CN (it matches subjectAltName "
                 "only)",
                 x->adv.name, j->sname);
        return;
    }
    if (!x->have_nc)
        return;
    if (!x->nc.ok && (pr = add_problem(j, K_NAME, "Certificate", "name mismatch")))
        setf(pr->why, sizeof pr->why, "the certificate does not cover %s (%s)", x->adv.name, x->nc.why);
    else if (x->nc.ok && x->nc.via_cn_only && !c->cn_fallback &&
             (pr = add_problem(j, K_CN_ONLY, "Certificate", "name only in the CN")))
        setf(pr->why, sizeof pr->why,
             "%s appears only in the certificate's subject CN, and %s ignores the CN (it matches subjectAltName only)",
             x->adv.name, j->sname);
}

static void judge_accepted(const struct jctx *x, judgement *j)
{
    judge_choice(j);
    judge_dh(j);
    if (j->np > 0)
        return; /* the handshake stops before the certificate matters */
    if (x->n == 0) {
        set_unknown(j, "Certificate", "no certificate chain was obtained to judge");
        return;
    }
    if (!x->dec[0]) {
        problem *pr = add_problem(j, K_PATH_OTHER, "Certificate", "undecodable certificate");
        if (pr)
            setf(pr->why, sizeof pr->why, "the server's certificate cannot be decoded");
        return;
    }
    const td_path *p = judge_path(x, j);
    if (p)
        judge_dates_and_sigs(x, j, p);
    judge_keys(x, j);
    judge_name(x, j);
}

static void judge_one(const struct jctx *x, judgement *j)
{
    const td_attempt *a = &j->sim->hello;
    problem *p;
    /* Cut while a lead-in (a proxy's CONNECT, a STARTTLS upgrade) was
     * still under way: the hello never reached the server. */
    if (a->leadin && a->out != TD_OUT_LEADIN) {
        set_unknown(j, a->leadin, td_outcome_name(a->out));
        return;
    }
    switch (a->out) {
    case TD_OUT_HELLO:
        j->version = a->version;
        j->suite = a->suite;
        j->group = a->group ? a->group : j->sim->ske_group;
        judge_accepted(x, j);
        return;
    case TD_OUT_HRR:
        /* RFC 8446 4.1.4: the client answers a HelloRetryRequest with a
         * share of the named group, if it supports that group. */
        j->version = a->version ? a->version : TD_TLS13;
        j->suite = a->suite;
        j->group = a->group;
        if (a->group && n_groups(j->c) > 0 && !has16(j->c->groups, n_groups(j->c), a->group)) {
            char lbl[64];
            if ((p = add_problem(j, K_GROUP, "ServerHello", "no shared group")))
                setf(p->why, sizeof p->why, "the server asks for the group %s (HelloRetryRequest), which %s does not "
                     "support", group_name(a->group, lbl, sizeof lbl), j->sname);
            return;
        }
        judge_accepted(x, j);
        return;
    case TD_OUT_ALERT:
    case TD_OUT_RESET:
    case TD_OUT_CLOSED:
    case TD_OUT_TIMEOUT:
        judge_refused(x, j);
        return;
    case TD_OUT_SSLV2:
        if ((p = add_problem(j, K_VERSION, "ServerHello", "no shared protocol version")))
            setf(p->why, sizeof p->why, "the server answers in SSLv2, which %s does not speak", j->sname);
        return;
    case TD_OUT_REFUSED:
    case TD_OUT_CONNECT_TIMEOUT:
    case TD_OUT_UNREACHABLE:
        if ((p = add_problem(j, K_TCP, "TCP", a->out == TD_OUT_REFUSED ? "connection refused" : "unreachable")))
            setf(p->why, sizeof p->why, "%s",
                 a->out == TD_OUT_REFUSED ? "the server refuses the TCP connection"
                 : a->out == TD_OUT_CONNECT_TIMEOUT ? "the TCP connection times out"
                                                    : "the server's address is unreachable");
        return;
    case TD_OUT_NOT_TLS:
        if ((p = add_problem(j, K_NOT_TLS, "ServerHello", "not TLS")))
            setf(p->why, sizeof p->why, "the port answers in %s, not TLS", a->protocol ? a->protocol : "another protocol");
        return;
    case TD_OUT_MALFORMED:
        if ((p = add_problem(j, K_ALERT, "ServerHello", "malformed answer")))
            setf(p->why, sizeof p->why, "the server's answer to %s's hello is malformed%s%s", j->sname,
                 a->error[0] ? ": " : "", a->error);
        return;
    case TD_OUT_NOT_RUN:
        set_unknown(j, "ClientHello", "not simulated");
        return;
    case TD_OUT_DEADLINE:
        set_unknown(j, "ClientHello", "not finished before the deadline");
        return;
    case TD_OUT_LIMITED:
        set_unknown(j, "ClientHello", "not tested: the server cut the connection each time it was tried, "
                                      "while answering others (a connection limit)");
        return;
    case TD_OUT_ERROR:
        set_unknown(j, "ClientHello", a->error[0] ? a->error : "local error");
        return;
    case TD_OUT_LEADIN:
        set_unknown(j, a->leadin ? a->leadin : "lead-in", a->error);
        return;
    }
    set_unknown(j, "ClientHello", "not simulated");
}

/* ---- evidence ------------------------------------------------------------ */

/* The typed reason: the JSON reason_code of the verdict and its finding,
 * and what lib/diag/rank.c links the finding by. */
static td_reason reason_of(const judgement *j, const problem *p)
{
    switch (p->k) {
    case K_VERSION: return TD_REASON_VERSION;
    case K_SUITE: return TD_REASON_SUITE;
    case K_GROUP: return TD_REASON_GROUP;
    case K_SNI_REQUIRED:
    case K_SNI_CERT: return TD_REASON_SNI;
    case K_DH_SMALL: return TD_REASON_DH;
    case K_DH_LARGE: return TD_REASON_DH_TOO_LARGE;
    case K_RSA_SMALL: return TD_REASON_KEY;
    case K_CHAIN:
    case K_PATH_OTHER: return TD_REASON_CHAIN;
    case K_UNTRUSTED: return TD_REASON_TRUST;
    case K_SELF_SIGNED: return TD_REASON_SELF_SIGNED;
    case K_EXPIRED: return TD_REASON_EXPIRED;
    case K_NOT_YET_VALID: return TD_REASON_NOT_YET_VALID;
    case K_MD5:
    case K_SHA1: return TD_REASON_SIGNATURE;
    case K_NAME: return TD_REASON_HOSTNAME;
    case K_CN_ONLY: return TD_REASON_CN_ONLY;
    case K_PURPOSE: return TD_REASON_PURPOSE;
    case K_ALERT: return TD_REASON_ALERT;
    case K_CHOICE: return TD_REASON_CHOICE;
    case K_NET:
        return j->sim->hello.out == TD_OUT_RESET    ? TD_REASON_RESET
               : j->sim->hello.out == TD_OUT_CLOSED ? TD_REASON_CLOSED
                                                    : TD_REASON_TIMEOUT;
    case K_TCP: return TD_REASON_UNREACHABLE;
    case K_NOT_TLS: return TD_REASON_NOT_TLS;
    case K_NONE: return TD_REASON_NONE;
    }
    return TD_REASON_NONE;
}

static void describe_answer(const td_sim *sim, td_str *e)
{
    const td_attempt *a = &sim->hello;
    char lbl[96];
    switch (a->out) {
    case TD_OUT_HELLO:
    case TD_OUT_HRR:
        td_str_printf(e, "%s %s, %s", a->out == TD_OUT_HRR ? "HelloRetryRequest" : "ServerHello",
                      td_version_name(a->version), td_suite_label(a->suite, lbl, sizeof lbl));
        if (a->group)
            td_str_printf(e, ", group %s", td_group_label(a->group, lbl, sizeof lbl));
        else if (sim->ske_group)
            td_str_printf(e, ", ECDHE curve %s", td_group_label(sim->ske_group, lbl, sizeof lbl));
        if (sim->dh_bits)
            td_str_printf(e, ", DHE group of %u bits", (unsigned)sim->dh_bits);
        break;
    case TD_OUT_ALERT:
        td_str_printf(e, "alert %s (%u)", alert_name(a->alert_desc), (unsigned)a->alert_desc);
        break;
    case TD_OUT_RESET:
        td_str_add(e, "TCP RST, no TLS alert");
        break;
    case TD_OUT_CLOSED:
        td_str_add(e, "connection closed (FIN), no TLS alert");
        break;
    case TD_OUT_TIMEOUT:
        td_str_add(e, "no answer");
        break;
    default:
        td_str_add(e, td_outcome_name(a->out));
        if (a->error[0])
            td_str_printf(e, ": %s", a->error);
        break;
    }
    if (a->first_ms > 0 && a->out != TD_OUT_TIMEOUT)
        td_str_printf(e, " after %.0f ms", a->first_ms);
}

static void describe_server(const td_obs *o, td_str *e)
{
    uint16_t sv[TD_NVERSIONS];
    size_t nsv = server_versions(o, sv);
    if (nsv == 0) {
        td_str_add(e, "versions the server accepts: not known");
        return;
    }
    td_str_add(e, "the server accepts ");
    for (size_t i = 0; i < nsv; i++) {
        int vi = td_vidx(sv[i]);
        td_str_printf(e, "%s%s", i ? ", " : "", td_version_name(sv[i]));
        if (server_suites_n(o, vi) > 0) {
            td_str_add(e, " (");
            server_suites_words(e, o, vi);
            td_str_add(e, ")");
        }
    }
    size_t ng = o->n_groups < TD_MAX_GROUPS ? o->n_groups : TD_MAX_GROUPS;
    if (ng) {
        td_str_add(e, "; groups ");
        group_words(e, o->groups, ng, GROUPS_SHOWN);
    }
    if (o->dh_bits_min)
        td_str_printf(e, "; DHE groups of %u to %u bits", (unsigned)o->dh_bits_min, (unsigned)o->dh_bits_max);
}

static void evidence_for(const struct jctx *x, const judgement *j, td_str *e)
{
    const td_obs *o = x->o;
    const td_client *c = j->c;
    const td_attempt *a = &j->sim->hello;
    td_str_printf(e, "%s's ClientHello", full_name(c));
    if (a->hello_len)
        td_str_printf(e, " (%zu bytes)", a->hello_len);
    td_str_add(e, ": ");
    versions_words(e, c->versions, n_versions(c));
    td_str_printf(e, "; %zu cipher suites; groups ", a->offered_suites ? a->offered_suites : n_suites(c));
    group_words(e, c->groups, n_groups(c), GROUPS_SHOWN);
    if (c->sni && o->sni[0])
        td_str_printf(e, "; SNI %s", o->sni);
    else
        td_str_add(e, "; no SNI");
    if (c->alpn && c->alpn[0])
        td_str_printf(e, "; ALPN %s", c->alpn);
    td_str_add(e, "\nthe server answered: ");
    describe_answer(j->sim, e);
    td_str_add(e, "\n");
    describe_server(o, e);
    const problem *p = &j->p[0];
    if (p->step[0] && strcmp(p->step, "Certificate") == 0) {
        if (x->have_path)
            td_str_printf(e, "\npath verdict: %s%s%s%s, trust store %s", td_path_verdict_name(o->path.verdict),
                          o->path.x509_err_text[0] ? " (" : "", o->path.x509_err_text,
                          o->path.x509_err_text[0] ? ")" : "", o->store_name[0] ? o->store_name : "?");
        td_str_printf(e, "; %s uses the %s store, %s missing intermediates via AIA, %s the subject CN",
                      j->sname, store_kind(c), c->aia_fetch ? "fetches" : "does not fetch",
                      c->cn_fallback ? "falls back to" : "ignores");
    }
    for (size_t i = 1; i < j->np; i++)
        td_str_printf(e, "%s%s: %s", i == 1 ? "\nit would fail next on: " : "; ", j->p[i].label, j->p[i].why);
    if (c->source && c->source[0])
        td_str_printf(e, "\nprofile %s, from: %s", c->id ? c->id : "?", c->source);
}

/* ---- the verdicts ---------------------------------------------------------- */

static void prepare(struct jctx *x, const td_obs *o, td_findings *out)
{
    x->o = o;
    x->out = out;
    td_advice_init(&x->adv, o);

    /* The chain the certificate rules judge (lib/diag/certs.c): the full
     * handshake's, else the TLS 1.2 Certificate message. */
    if (o->hs.n_chain > 0) {
        x->chain = o->hs.chain;
        x->n = o->hs.n_chain;
    } else if (o->n_certs > 0) {
        x->chain = o->certs;
        x->n = o->n_certs;
    }
    if (x->n > TD_FLIGHT_MAX_CERTS)
        x->n = TD_FLIGHT_MAX_CERTS;
    if (x->n > 0) {
        x->ci = calloc(x->n, sizeof *x->ci);
        if (!x->ci) {
            out->oom = true;
            x->n = 0;
        }
    }
    char err[128];
    for (size_t i = 0; i < x->n; i++)
        x->dec[i] = x->chain[i].der && td_cert_info_from_der(td_cert_der(&x->chain[i]), &x->ci[i], err, sizeof err) == 0;
    x->have_path = o->path.n > 0;
    if (x->n > 0 && x->dec[0] && x->adv.name[0]) {
        td_cert_check_name_der(td_cert_der(&x->chain[0]), x->adv.name, &x->nc);
        x->have_nc = true;
    }
    if (o->sni[0] && o->hs_nosni.n_chain > 0 && o->hs_nosni.chain[0].der) {
        const td_cert *l = &o->hs_nosni.chain[0];
        td_cert_info *ci = malloc(sizeof *ci);
        if (ci && td_cert_info_from_der(td_cert_der(l), ci, err, sizeof err) == 0) {
            td_cert_check_name_der(td_cert_der(l), x->adv.name, &x->nc_nosni);
            snprintf(x->nosni_subject, sizeof x->nosni_subject, "%s", ci->subject);
            x->have_nc_nosni = true;
        } else if (!ci) {
            out->oom = true;
        }
        free(ci);
    }
    for (int i = 0; i < TD_NVERSIONS; i++)
        x->any_version_known |= o->version_ok[i] == TD_YES;
}

/* Whether the server is not meant to serve this client: it sits below the
 * level asked for (--clients), and the user did not name it. */
static bool below_level(const td_obs *o, const td_client *c)
{
    return !o->clients_filtered && td_client_level_of(c) < o->clients_level;
}

/* A client the user named (--client) is the client in question: its
 * failure fails the check.  Otherwise every profile is tried: one the
 * server is meant to serve failing is a warning (the failures that matter
 * to everyone have findings of their own), one below the level is expected
 * to fail (a well-configured server rightly shuts out Java 7, Android 4.4
 * and TLS 1.0 devices, RFC 8996) and only noted. */
static td_severity incompatible_severity(const td_obs *o, const td_client_verdict *v)
{
    if (o->clients_filtered)
        return TD_SEV_FAIL;
    return v->below_level ? TD_SEV_INFO : TD_SEV_WARN;
}

void td_judge_clients(const td_obs *o, td_client_table *t, td_findings *out)
{
    memset(t, 0, sizeof *t);
    struct jctx *x = calloc(1, sizeof *x);
    judgement *j = calloc(1, sizeof *j);
    if (!x || !j) {
        free(x);
        free(j);
        out->oom = true;
        return;
    }
    prepare(x, o, out);

    size_t n = o->n_sims < TD_MAX_CLIENTS ? o->n_sims : TD_MAX_CLIENTS;
    for (size_t i = 0; i < n; i++) {
        const td_sim *sim = &o->sims[i];
        if (!sim->client)
            continue;
        memset(j, 0, sizeof *j);
        j->c = sim->client;
        j->sim = sim;
        j->small_rsa = -1;
        short_name(j->c, j->sname, sizeof j->sname);
        judge_one(x, j);

        td_client_verdict *v = &t->v[t->n++];
        v->client = j->c;
        v->below_level = below_level(o, j->c);
        v->version = j->version;
        v->suite = j->suite;
        v->group = j->group;
        if (j->np > 0) {
            const problem *p = &j->p[0];
            v->result = TD_CV_FAIL;
            v->reason_code = reason_of(j, p);
            setf(v->step, sizeof v->step, "%s", p->step);
            char reason[sizeof p->label + sizeof p->why + 4];
            setf(reason, sizeof reason, "%s: %s", p->label, p->why);
            copy_cut(v->reason, sizeof v->reason, reason);
        } else if (j->unknown) {
            v->result = TD_CV_UNKNOWN;
            setf(v->step, sizeof v->step, "%s", j->unknown_step);
            copy_cut(v->reason, sizeof v->reason, j->unknown_why);
        } else {
            v->result = TD_CV_OK;
        }
        /* Unreachable servers and ports without TLS are not a matter of
         * this client: CONNECT_* and NOT_TLS say so once for all. */
        if (j->np == 0 || j->p[0].k == K_TCP || j->p[0].k == K_NOT_TLS)
            continue;

        const problem *p = &j->p[0];
        td_str s, e, f, vf;
        td_str_init(&s);
        td_str_init(&e);
        td_str_init(&f);
        td_str_init(&vf);
        td_str_printf(&s, "%s cannot connect: %s.", full_name(j->c), p->why);
        if (v->below_level)
            td_str_printf(&s, " Expected at --clients %s, which leaves out %s.",
                          td_client_level_name(o->clients_level), td_client_level_below(o->clients_level));
        evidence_for(x, j, &e);
        if (v->below_level)
            td_str_printf(&f, "Nothing to change unless %s must connect; then: ", j->sname);
        td_remedy_fix(x, j, p, &f);
        td_remedy_verify(x, j, p, &vf);
        if (s.err || e.err || f.err || vf.err)
            out->oom = true;
        td_finding *fd = td_findings_add(out, TD_ID_CLIENT_INCOMPATIBLE, incompatible_severity(o, v), s.s, e.s,
                                         f.s, vf.s);
        if (fd) {
            fd->reason = v->reason_code;
            fd->client = (int)i;
            fd->cert = p->k == K_RSA_SMALL ? j->small_rsa : -1;
        }
        td_str_free(&s);
        td_str_free(&e);
        td_str_free(&f);
        td_str_free(&vf);
    }
    free(x->ci);
    free(x);
    free(j);
}
