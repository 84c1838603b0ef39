/* `tlsdiag lint --profile`: a server's effective policy against one of
 * Mozilla's server-side TLS profiles (lib/registry/mozilla.c), each
 * departure a CONFIG_PROFILE_DEVIATION with the profile's value as the
 * edit where one directive carries it. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "cert/cert.h"
#include "diag/lint_int.h"
#include "registry/registry.h"
#include "wire/tls.h"

static unsigned profile_versions(const td_moz_profile *p)
{
    unsigned m = 0;
    for (size_t i = 0; i < p->n_versions; i++)
        m |= p->versions[i] == TD_TLS10 ? TD_CV_TLS10
           : p->versions[i] == TD_TLS11 ? TD_CV_TLS11
           : p->versions[i] == TD_TLS12 ? TD_CV_TLS12
           : p->versions[i] == TD_TLS13 ? TD_CV_TLS13 : 0;
    return m;
}

static bool has_suite(const uint16_t *v, size_t n, uint16_t id)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == id)
            return true;
    return false;
}

/* One deviation: "Mozilla P 5.7 wants WANT; VHOST has HAVE". */
static td_finding *deviation(td_lctx *c, const td_cvhost *v, const td_moz_profile *p, td_loc loc, const char *what,
                             td_str *have, const char *want, const char *fix)
{
    const td_moz *m = td_mozilla();
    td_str sum, ev;
    td_str_init(&sum);
    td_str_init(&ev);
    td_lint_label(v, &sum);
    td_str_printf(&sum, " departs from Mozilla's %s profile: %s.", p->name, what);
    td_str_printf(&ev, "%s; the profile (guidelines %s, %s): %s", have->s ? have->s : "", m ? m->version : "?",
                  m ? m->source : "?", want);
    td_str_free(have);
    return td_lint_add(c, v, TD_ID_CONFIG_PROFILE_DEVIATION, loc, &sum, &ev, fix);
}

static void versions(td_lctx *c, const td_cvhost *v, const td_moz_profile *p)
{
    unsigned want = profile_versions(p);
    if (v->versions == want || &c->o->vh[v->versions_from] != v)
        return;
    td_str have, w, value, fix;
    td_str_init(&have);
    td_str_init(&w);
    td_str_init(&value);
    td_str_init(&fix);
    td_lint_where(&v->protocols, c->o, &have);
    td_str_add(&have, "; negotiated: ");
    td_lint_versions_text(v->versions, &have);
    td_lint_versions_value(c->o, want, &value);
    td_str_printf(&w, "versions %s", value.s);
    td_lint_fix_text(&fix, &v->protocols, value.s);
    td_finding *f = deviation(c, v, p, v->protocols.loc, "the protocol versions", &have, w.s, fix.s);
    td_lint_set_directive(c, f, v, &v->protocols, value.s);
    td_str_free(&w);
    td_str_free(&value);
    td_str_free(&fix);
}

/* The suites of a list the profile lacks, named; "" when none. */
static void extra_suites(const uint16_t *have, size_t n, const uint16_t *want, size_t nw, td_str *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (has_suite(want, nw, have[i]))
            continue;
        const td_suite *s = td_suite_by_id(have[i]);
        if (k++ < 4)
            td_str_printf(out, "%s%s", k > 1 ? ", " : "", s ? s->iana : "?");
    }
    if (k > 4)
        td_str_printf(out, " and %zu more", k - 4);
}

static void suites(td_lctx *c, const td_cvhost *v, const td_moz_profile *p)
{
    unsigned want = profile_versions(p);
    td_str extra;
    td_str_init(&extra);
    if ((v->versions & want & (TD_CV_TLS12 | TD_CV_LEGACY)) && p->n12)
        extra_suites(v->suites12, v->n12, p->suites12, p->n12, &extra);
    if (extra.s && extra.s[0]) {
        td_str have, fix;
        td_str_init(&have);
        td_str_init(&fix);
        td_lint_where(&v->ciphers, c->o, &have);
        td_str_printf(&have, "; suites outside the profile: %s", extra.s);
        td_lint_fix_text(&fix, &v->ciphers, p->openssl12);
        td_finding *f = deviation(c, v, p, v->ciphers.loc, "TLS 1.2 cipher suites", &have, p->openssl12, fix.s);
        td_lint_set_directive(c, f, v, &v->ciphers, p->openssl12);
        td_str_free(&fix);
    }
    td_str_free(&extra);
    td_str_init(&extra);
    if (v->versions & TD_CV_TLS13)
        extra_suites(v->suites13, v->n13, p->suites13, p->n13, &extra);
    if (extra.s && extra.s[0]) {
        td_str have, fix;
        td_str_init(&have);
        td_str_init(&fix);
        td_str_printf(&have, "TLS 1.3 suites outside the profile: %s", extra.s);
        td_str_printf(&fix, "Set `ssl_conf_command Ciphersuites %s;`.", p->tls13_names);
        deviation(c, v, p, v->tls13_suites.loc, "TLS 1.3 cipher suites", &have, p->tls13_names, fix.s);
        td_str_free(&fix);
    }
    td_str_free(&extra);
}

static void certificate(td_lctx *c, const td_cvhost *v, const td_moz_profile *p, const td_ccert *cc)
{
    if (!cc->leaf)
        return;
    const td_cert_info *ci = cc->leaf;
    bool rsa = strncmp(ci->key_type, "RSA", 3) == 0, ec = strcmp(ci->key_type, "EC") == 0;
    td_str have;
    if ((rsa && !p->cert_rsa) || (ec && !p->cert_ecdsa) || (!rsa && !ec)) {
        td_str_init(&have);
        td_str_printf(&have, "%s holds a key of type %s", cc->cert.value, ci->key_type);
        deviation(c, v, p, cc->cert.loc, "the certificate's key type", &have,
                  p->cert_rsa && p->cert_ecdsa ? "RSA or ECDSA" : p->cert_rsa ? "RSA" : "ECDSA",
                  "Issue the certificate with a key of the type the profile names.");
    }
    if (rsa && p->rsa_key_size && ci->key_bits < p->rsa_key_size) {
        td_str_init(&have);
        td_str_printf(&have, "%s holds an RSA key of %d bits", cc->cert.value, ci->key_bits);
        char want[48];
        snprintf(want, sizeof want, "%d bits or more", p->rsa_key_size);
        deviation(c, v, p, cc->cert.loc, "the RSA key size", &have, want,
                  "Issue the certificate with an RSA key as large as the profile asks.");
    }
    int64_t days = (ci->not_after - ci->not_before) / 86400;
    if (p->max_lifespan_days && days > p->max_lifespan_days) {
        td_str_init(&have);
        td_str_printf(&have, "%s is valid for %lld days (%s to %s)", cc->cert.value, (long long)days,
                      ci->not_before_iso, ci->not_after_iso);
        char want[48];
        snprintf(want, sizeof want, "at most %d days", p->max_lifespan_days);
        deviation(c, v, p, cc->cert.loc, "the certificate's lifespan", &have, want,
                  "Issue certificates for a shorter time (ACME clients renew them automatically).");
    }
}

static bool on(const td_cset *s)
{
    return s->value && strcmp(s->value, "on") == 0;
}

static void switches(td_lctx *c, const td_cvhost *v, const td_moz_profile *p)
{
    td_str have, fix;
    if (p->ocsp_staple && !on(&v->stapling)) {
        td_str_init(&have);
        td_str_init(&fix);
        td_lint_where(&v->stapling, c->o, &have);
        td_lint_fix_text(&fix, &v->stapling, "on");
        td_finding *f = deviation(c, v, p, v->stapling.loc, "OCSP stapling", &have, "on", fix.s);
        td_lint_set_directive(c, f, v, &v->stapling, "on");
        td_str_free(&fix);
    }
    if (p->server_preferred_order != on(&v->prefer)) {
        const char *want = p->server_preferred_order ? "on" : "off";
        td_str_init(&have);
        td_str_init(&fix);
        td_lint_where(&v->prefer, c->o, &have);
        td_lint_fix_text(&fix, &v->prefer, want);
        td_finding *f = deviation(c, v, p, v->prefer.loc, "the server's cipher order", &have, want, fix.s);
        td_lint_set_directive(c, f, v, &v->prefer, want);
        td_str_free(&fix);
    }
    if (!td_cset_written(&v->groups) || !v->groups.value)
        return;
    /* the curves written, each must be one of the profile's */
    char *copy = td_strdup(v->groups.value), *save = NULL;
    bool out = false;
    for (char *w = copy ? strtok_r(copy, ":", &save) : NULL; w; w = strtok_r(NULL, ":", &save)) {
        bool known = false;
        for (size_t i = 0; i < p->n_curves; i++)
            known |= strcasecmp(w, p->curves[i]) == 0;
        out |= !known;
    }
    free(copy);
    if (!out)
        return;
    td_str want;
    td_str_init(&want);
    for (size_t i = 0; i < p->n_curves; i++)
        td_str_printf(&want, "%s%s", i ? ":" : "", p->curves[i]);
    td_str_init(&have);
    td_str_init(&fix);
    td_lint_where(&v->groups, c->o, &have);
    td_lint_fix_text(&fix, &v->groups, want.s);
    td_finding *f = deviation(c, v, p, v->groups.loc, "the key exchange groups", &have, want.s, fix.s);
    td_lint_set_directive(c, f, v, &v->groups, want.s);
    td_str_free(&fix);
    td_str_free(&want);
}

void td_lint_profile(td_lctx *c, const td_cvhost *v, const td_moz_profile *p)
{
    versions(c, v, p);
    suites(c, v, p);
    for (size_t i = 0; i < v->n_certs; i++)
        certificate(c, v, p, &v->certs[i]);
    switches(c, v, p);
}
