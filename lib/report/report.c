#include "report/report.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "registry/clients.h"
#include "registry/registry.h"
#include "wire/tls.h"

td_verdict td_report_verdict(const td_report *r)
{
    td_verdict v = TD_VERDICT_OK;
    for (size_t i = 0; i < r->findings.n; i++) {
        if (r->findings.v[i].sev == TD_SEV_FAIL)
            return TD_VERDICT_FAIL;
        if (r->findings.v[i].sev == TD_SEV_WARN)
            v = TD_VERDICT_WARN;
    }
    return v;
}

const char *td_verdict_name(td_verdict v)
{
    return v == TD_VERDICT_FAIL ? "fail" : v == TD_VERDICT_WARN ? "warn" : "ok";
}

const char *td_verdict_label(td_verdict v)
{
    return v == TD_VERDICT_FAIL ? "FAIL" : v == TD_VERDICT_WARN ? "WARN" : "OK";
}

/* "TLS 1.3, 1.2 and SSLv3": newest first, the "TLS " family prefix said
 * once per run.  Returns how many versions were named. */
static size_t versions_phrase(const td_obs *o, td_str *out)
{
    size_t total = 0, n = 0;
    for (int i = 0; i < TD_NVERSIONS; i++)
        if (o->version_ok[i] == TD_YES)
            total++;
    bool prev_tls = false;
    for (int i = TD_NVERSIONS - 1; i >= 0; i--) {
        if (o->version_ok[i] != TD_YES)
            continue;
        const char *name = td_version_name(td_vat(i));
        bool tls = strncmp(name, "TLS ", 4) == 0;
        if (n > 0)
            td_str_add(out, n + 1 == total ? " and " : ", ");
        td_str_add(out, tls && prev_tls ? name + 4 : name);
        prev_tls = tls;
        n++;
    }
    return n;
}

/* The root cause's summary, then how many findings follow from it and how
 * many failures stand apart: "X; 4 findings follow from it; 1 more failure." */
static bool root_sentence(const td_report *r, td_str *out)
{
    const td_findings *fs = &r->findings;
    if (fs->root_cause < 0 || (size_t)fs->root_cause >= fs->n)
        return false;
    const td_finding *root = &fs->v[fs->root_cause];
    if (root->sev != TD_SEV_FAIL)
        return false;
    size_t follow = 0, other = 0;
    for (size_t i = 0; i < fs->n; i++) {
        if ((int)i == fs->root_cause)
            continue;
        if (fs->v[i].symptom_of == fs->root_cause)
            follow++;
        else if (fs->v[i].sev == TD_SEV_FAIL)
            other++;
    }
    const char *s = root->summary && *root->summary ? root->summary : td_id_name(root->id);
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
        n--;
    td_str_printf(out, "%.*s", (int)n, s);
    if (follow)
        td_str_printf(out, "; %zu finding%s follow%s from it", follow, follow == 1 ? "" : "s", follow == 1 ? "s" : "");
    if (other)
        td_str_printf(out, "; %zu more failure%s", other, other == 1 ? "" : "s");
    td_str_add(out, ".");
    return true;
}

/* "; 10 of 36 simulated clients cannot connect (Java 8, Android 7 and 8
 * more)": when nothing fails for everyone, which clients are shut out is
 * the answer the reader came for.  Names as in the clients table.  Only
 * the clients the server is meant to serve count: those below the level
 * asked for (--clients) are expected to fail, and the clients table says
 * so. */
size_t td_report_served(const td_report *r)
{
    size_t served = 0;
    for (size_t i = 0; i < r->clients.n && i < TD_MAX_CLIENTS; i++)
        served += !r->clients.v[i].below_level;
    return served;
}

static void clients_phrase(const td_report *r, td_str *out)
{
    const td_client_table *t = &r->clients;
    size_t fails = 0, served = td_report_served(r);
    for (size_t i = 0; i < t->n; i++)
        fails += !t->v[i].below_level && t->v[i].result == TD_CV_FAIL;
    if (fails == 0)
        return;
    td_str_printf(out, "; %zu of %zu simulated client%s cannot connect (", fails, served, served == 1 ? "" : "s");
    enum { SHOWN = 4 };
    size_t named = 0;
    for (size_t i = 0; i < t->n && named < SHOWN; i++) {
        if (t->v[i].below_level || t->v[i].result != TD_CV_FAIL)
            continue;
        const td_client *c = t->v[i].client;
        const char *n = c && c->name && c->name[0] ? c->name : c && c->id ? c->id : "?";
        size_t len = td_client_short_len(n);
        named++;
        if (named > 1)
            td_str_add(out, named == fails ? " and " : ", ");
        td_str_printf(out, "%.*s", (int)len, n);
    }
    if (fails > named)
        td_str_printf(out, " and %zu more", fails - named);
    td_str_add(out, ")");
}

/* A full handshake or a clean first flight (td_obs_handshake_done), or a
 * simulated client that gets through. */
static bool handshake_done(const td_report *r)
{
    if (td_obs_handshake_done(&r->obs))
        return true;
    for (size_t i = 0; i < r->clients.n; i++)
        if (r->clients.v[i].result == TD_CV_OK)
            return true;
    return false;
}

void td_verdict_sentence(const td_report *r, td_str *out)
{
    const td_findings *fs = &r->findings;
    size_t fails = 0, warns = 0;
    const td_finding *first_fail = NULL;
    for (size_t i = 0; i < fs->n; i++) {
        if (fs->v[i].sev == TD_SEV_FAIL && fails++ == 0)
            first_fail = &fs->v[i];
        if (fs->v[i].sev == TD_SEV_WARN)
            warns++;
    }

    td_str_printf(out, "%s \u2014 ", r->target);
    /* A failure opens with its root cause when the ranking found one. */
    if (first_fail && root_sentence(r, out))
        return;
    if (first_fail) {
        const char *s = first_fail->summary && *first_fail->summary ? first_fail->summary : td_id_name(first_fail->id);
        size_t n = strlen(s);
        /* the sentence goes on after the summary, so its own full stop goes */
        while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
            n--;
        td_str_printf(out, "%.*s", (int)n, s);
        if (fails > 1)
            td_str_printf(out, "; %zu more failure%s", fails - 1, fails > 2 ? "s" : "");
        td_str_add(out, ".");
        return;
    }

    /* A version "works" when a handshake got through, not when a server
     * merely answered with a ServerHello. */
    size_t named = 0;
    if (!handshake_done(r))
        td_str_add(out, "no handshake completed");
    else if ((named = versions_phrase(&r->obs, out)) > 0)
        td_str_add(out, named > 1 ? " work" : " works");
    else if (r->obs.baseline.out == TD_OUT_HELLO && r->obs.baseline.version) {
        char vb[32];
        td_str_printf(out, "%s works", td_version_text(r->obs.baseline.version, vb, sizeof vb));
    }
    else
        td_str_add(out, "no check failed");
    clients_phrase(r, out);
    if (warns)
        td_str_printf(out, "; %zu warning%s.", warns, warns > 1 ? "s" : "");
    else
        td_str_add(out, "; no problems found.");
}

const char *td_version_text(uint16_t v, char *buf, size_t len)
{
    return td_name_or_code(td_vidx(v) >= 0 ? td_version_name(v) : NULL, v, buf, len);
}

const char *td_attempt_error(const td_attempt *a)
{
    if (a->error[0])
        return a->error;
    if (a->sys_errno && (a->out == TD_OUT_ERROR || a->out == TD_OUT_UNREACHABLE))
        return strerror(a->sys_errno);
    return NULL;
}

const char *td_suite_name(uint16_t id, char *buf, size_t len)
{
    const td_suite *s = td_suite_by_id(id);
    if (s && s->iana)
        return s->iana;
    return td_suite_label(id, buf, len);
}

const char *td_group_name(uint16_t id, char *buf, size_t len)
{
    const td_group *g = td_group_by_id(id);
    if (g && g->name)
        return g->name;
    return td_group_label(id, buf, len);
}

void td_hex_compact(const uint8_t *p, size_t n, char *buf, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    if (len == 0)
        return;
    size_t o = 0;
    for (size_t i = 0; i < n && o + 2 < len; i++) {
        buf[o++] = digits[p[i] >> 4];
        buf[o++] = digits[p[i] & 15];
    }
    buf[o] = '\0';
}

bool td_cert_pem(const uint8_t *der, size_t len, td_str *out)
{
    if (!der || len > (size_t)LONG_MAX)
        return false;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (!x)
        return false;
    bool ok = false;
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio) {
        out->err = 1;
    } else if (PEM_write_bio_X509(bio, x) == 1) {
        char *data;
        long n = BIO_get_mem_data(bio, &data);
        if (n > 0) {
            td_str_printf(out, "%.*s", (int)n, data);
            ok = true;
        }
    }
    BIO_free(bio);
    X509_free(x);
    return ok;
}

const td_cert *td_hs_leaf(const td_hs *h)
{
    return h->n_chain > 0 && h->chain[0].der ? &h->chain[0] : NULL;
}

bool td_path_done(const td_path *p)
{
    return p->x509_err_text[0] != '\0';
}

const char *td_path_src_name(td_path_src s)
{
    switch (s) {
    case TD_SRC_SENT: return "sent";
    case TD_SRC_EXTRA: return "extra";
    case TD_SRC_STORE: return "store";
    }
    return "unknown";
}
