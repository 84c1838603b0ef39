/* The report for a person in an outage: the verdict first, then where the
 * handshake broke, then what to do, then the raw facts for the curious.
 * Everything is built in memory and written once, so a failed write is
 * reported instead of leaving half a report looking complete. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ocsp.h>

#include "registry/clients.h"
#include "registry/registry.h"
#include "report/report.h"
#include "report/wrap.h"
#include "wire/tls.h"

#define C_RED    "\033[31m"
#define C_GREEN  "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN   "\033[36m"
#define C_BOLD   "\033[1m"
#define C_RESET  "\033[0m"

#define MARK_OK  "\u2713"
#define MARK_BAD "\u2717"

#define LABEL_W 20 /* width of the step and observation labels */
#define SANS_SHOWN 4     /* subjectAltName entries listed per certificate */
#define FPR_SHOWN 16     /* hex digits of a fingerprint in the backends table */
#define SECS_PER_DAY 86400

typedef struct out {
    td_str b;
    bool color;
    size_t width; /* columns to fit; 0 for the long form, which fits none */
} out;

/* What is left of the width after col columns. */
static size_t room_after(const out *o, size_t col)
{
    return o->width > col ? o->width - col : 0;
}

static void paint(out *o, const char *code, const char *text)
{
    if (o->color)
        td_str_printf(&o->b, "%s%s%s", code, text, C_RESET);
    else
        td_str_add(&o->b, text);
}

static void heading(out *o, const char *title)
{
    td_str_add(&o->b, "\n");
    paint(o, C_BOLD, title);
    td_str_add(&o->b, "\n");
}

/* One handshake step: a mark, a label, and what happened there.  Fitted to
 * a width, a step that went well is cut to one line and one that failed is
 * wrapped whole: its end says why. */
static void step(out *o, bool ok, const char *label, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void step(out *o, bool ok, const char *label, const char *fmt, ...)
{
    td_str_add(&o->b, "  ");
    paint(o, ok ? C_GREEN : C_RED, ok ? MARK_OK : MARK_BAD);
    td_str_printf(&o->b, " %-*s", LABEL_W - 2, label);
    size_t col = 4 + (strlen(label) > LABEL_W - 2 ? strlen(label) : LABEL_W - 2);
    if (strlen(label) >= LABEL_W - 2) {
        td_str_add(&o->b, " "); /* "CertificateRequest" fills the column */
        col++;
    }
    td_str what;
    td_str_init(&what);
    va_list ap;
    va_start(ap, fmt);
    td_str_vprintf(&what, fmt, ap);
    va_end(ap);
    const char *w = what.s ? what.s : "";
    if (!o->width) {
        td_str_add(&o->b, w);
        td_str_add(&o->b, "\n");
    } else if (ok) {
        td_cut_add(&o->b, w, room_after(o, col));
        td_str_add(&o->b, "\n");
    } else {
        td_wrap_add(&o->b, w, col, LABEL_W + 2, o->width);
    }
    if (what.err)
        o->b.err = 1;
    td_str_free(&what);
}

/* A remark under the steps, in their value column. */
static void step_note(out *o, const char *text)
{
    td_str_printf(&o->b, "    %-*s", LABEL_W - 2, "");
    if (o->width)
        td_cut_add(&o->b, text, room_after(o, LABEL_W + 2));
    else
        td_str_add(&o->b, text);
    td_str_add(&o->b, "\n");
}

/* A label and a value, for the observations. */
static void fact(out *o, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fact(out *o, const char *label, const char *fmt, ...)
{
    td_str_printf(&o->b, "  %-*s", LABEL_W, label);
    va_list ap;
    va_start(ap, fmt);
    td_str_vprintf(&o->b, fmt, ap);
    va_end(ap);
    td_str_add(&o->b, "\n");
}

static const char *tri_word(td_tri t)
{
    return t == TD_YES ? "yes" : t == TD_NO ? "no" : "?";
}

static td_cert_info *cert_info(const td_cert *c, td_cert_info *ci)
{
    return td_report_cert_info(c, ci);
}

static void handshake(out *o, const td_obs *obs, td_cert_info *ci)
{
    heading(o, "Handshake");
    td_steps s;
    td_handshake_steps(obs, ci, &s);
    if (s.err)
        o->b.err = 1;
    for (size_t i = 0; i < s.n; i++) {
        const td_step *st = &s.v[i];
        const char *text = st->text.s ? st->text.s : "";
        if (st->kind == TD_STEP_MSG)
            step(o, st->ok, st->label, "%s", text);
        else if (st->kind == TD_STEP_NONE)
            td_str_printf(&o->b, "  %s\n", text);
        else if (!st->detail || !o->width) /* a remark the short form has no room for */
            step_note(o, text);
    }
    td_steps_free(&s);
}

/* Continuation lines of a multi-line value line up under its first line. */
static void indented(out *o, const char *label, const char *text)
{
    if (!text || !*text)
        return;
    td_str_printf(&o->b, "       %-10s", label);
    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            if (p[1])
                td_str_printf(&o->b, "\n       %-10s", "");
            continue;
        }
        td_str_printf(&o->b, "%c", *p);
    }
    td_str_add(&o->b, "\n");
}

/* A finding's severity as its mark: "[FAIL]", "[WARN]", "[INFO]". */
static void tag(out *o, td_severity sev)
{
    const char *t = sev == TD_SEV_FAIL ? "[FAIL]" : sev == TD_SEV_WARN ? "[WARN]" : "[INFO]";
    paint(o, sev == TD_SEV_FAIL ? C_RED : sev == TD_SEV_WARN ? C_YELLOW : C_CYAN, t);
}

/* One finding: tag, id, summary; then its evidence, fix and verify, or
 * only the verify command for a symptom (its cause's fix is what to do). */
static void finding_block(out *o, const td_finding *f, bool symptom, const char *follows)
{
    tag(o, f->sev);
    td_str_printf(&o->b, " %s  %s", td_id_name(f->id), f->summary ? f->summary : "");
    if (follows)
        td_str_printf(&o->b, " (follows from %s)", follows);
    td_str_add(&o->b, "\n");
    if (!symptom) {
        indented(o, "evidence:", f->evidence);
        indented(o, "fix:", f->fix);
    }
    indented(o, "verify:", f->verify);
}

static int root_of(const td_findings *fs)
{
    return fs->root_cause >= 0 && (size_t)fs->root_cause < fs->n ? fs->root_cause : -1;
}

static const char *parent_id(const td_findings *fs, const td_finding *f)
{
    return f->symptom_of >= 0 && (size_t)f->symptom_of < fs->n ? td_id_name(fs->v[f->symptom_of].id) : NULL;
}

/* The root cause first, then what else needs fixing, then the symptoms that
 * go away with the root cause. */
static void findings(out *o, const td_findings *fs)
{
    heading(o, "Findings");
    if (fs->n == 0) {
        td_str_add(&o->b, "  none\n");
        return;
    }
    int root = root_of(fs);
    size_t shown = 0, symptoms = 0;
    if (root >= 0) {
        finding_block(o, &fs->v[root], false, NULL);
        shown++;
    }
    for (size_t i = 0; i < fs->n; i++) {
        const td_finding *f = &fs->v[i];
        if ((int)i == root)
            continue;
        if (root >= 0 && f->symptom_of == root) {
            symptoms++;
            continue;
        }
        if (shown++)
            td_str_add(&o->b, "\n");
        finding_block(o, f, false, parent_id(fs, f));
    }
    if (!symptoms)
        return;
    td_str_add(&o->b, "\n");
    char title[160];
    snprintf(title, sizeof title, "Symptoms of the root cause (%s): they go away with it", td_id_name(fs->v[root].id));
    paint(o, C_BOLD, title);
    td_str_add(&o->b, "\n");
    for (size_t i = 0; i < fs->n; i++)
        if ((int)i != root && fs->v[i].symptom_of == root)
            finding_block(o, &fs->v[i], true, NULL);
}

#define CLIENT_NAME_W 28  /* name column of the clients table */
#define LINE_W        100 /* the long form's clients table keeps to this many columns */

static const char *client_name(const td_client *c)
{
    return c && c->name && c->name[0] ? c->name : c && c->id ? c->id : "?";
}

/* The start of a clients table row: its mark, then its name in a column w
 * wide.  A name too long for it, "Java 8 (8u161 and later)", is said by the
 * part before the parenthesis when that fits (the JSON has the whole name),
 * else cut. */
static void client_cell(out *o, const td_client_verdict *v, size_t w)
{
    const char *full = client_name(v->client);
    char name[CLIENT_NAME_W + 1];
    size_t short_len = td_client_short_len(full);
    if (strlen(full) > w && short_len < strlen(full) && short_len <= w)
        snprintf(name, sizeof name, "%.*s", (int)short_len, full);
    else
        snprintf(name, sizeof name, "%s", strlen(full) > w ? "" : full);
    if (!name[0]) {
        td_str cut;
        td_str_init(&cut);
        td_cut_add(&cut, full, w);
        snprintf(name, sizeof name, "%s", cut.s ? cut.s : "");
        td_str_free(&cut);
    }
    td_str_add(&o->b, "  ");
    if (v->result == TD_CV_OK)
        paint(o, C_GREEN, MARK_OK);
    else if (v->result == TD_CV_FAIL)
        paint(o, v->below_level ? C_CYAN : C_RED, MARK_BAD);
    else
        paint(o, C_YELLOW, "?");
    td_str_printf(&o->b, " %-*s  ", (int)w, name);
}

/* "3 end-of-life clients (TLS 1.1 and below) cannot connect, as expected
 * (--clients intermediate)": said here, under the table, and not in the
 * verdict, which counts only the clients the server is meant to serve. */
static void expected_failures(out *o, const td_report *r)
{
    const td_client_table *t = &r->clients;
    size_t n = 0;
    for (size_t i = 0; i < t->n && i < TD_MAX_CLIENTS; i++)
        n += t->v[i].below_level && t->v[i].result == TD_CV_FAIL;
    const char *who = td_client_level_below(r->obs.clients_level);
    if (n == 0 || !who)
        return;
    char line[256];
    snprintf(line, sizeof line, "%zu %s%s cannot connect, as expected (--clients %s)", n, n == 1 ? "of the " : "", who,
             td_client_level_name(r->obs.clients_level));
    td_str_add(&o->b, "  ");
    if (o->width)
        td_wrap_add(&o->b, line, 2, 4, o->width);
    else
        td_str_printf(&o->b, "%s\n", line);
}

static void clients_table(out *o, const td_report *r)
{
    const td_client_table *t = &r->clients;
    size_t n = t->n < TD_MAX_CLIENTS ? t->n : TD_MAX_CLIENTS;
    if (n == 0)
        return;
    heading(o, r->obs.clients_filtered ? "Clients (as chosen with --client)" : "Clients");
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        const td_client *c = t->v[i].client;
        size_t len = c && c->name ? strlen(c->name) : 0;
        w = len > w ? len : w;
    }
    w = w > CLIENT_NAME_W ? CLIENT_NAME_W : w;
    for (size_t i = 0; i < n; i++) {
        const td_client_verdict *v = &t->v[i];
        client_cell(o, v, w);
        size_t room = LINE_W - 4 - w - 2;
        char vb[32], sb[96], gb[64];
        if (v->result == TD_CV_OK) {
            td_str_printf(&o->b, "%-8s %s", v->version ? td_version_text(v->version, vb, sizeof vb) : "?",
                          v->suite ? td_suite_name(v->suite, sb, sizeof sb) : "?");
            if (v->group)
                td_str_printf(&o->b, "  %s", td_group_name(v->group, gb, sizeof gb));
        } else {
            char line[320];
            snprintf(line, sizeof line, "%s: %s", v->step[0] ? v->step : "?", v->reason[0] ? v->reason : "unknown");
            td_cut_add(&o->b, line, room);
        }
        td_str_add(&o->b, "\n");
    }
    expected_failures(o, r);
}

static void suite_line(out *o, const char *name, bool weak, td_suite_class cls)
{
    td_str_printf(&o->b, "    %s", name);
    if (weak) {
        char mark[32];
        snprintf(mark, sizeof mark, "  [weak: %s]", td_suite_class_name(cls));
        paint(o, C_YELLOW, mark);
    }
    td_str_add(&o->b, "\n");
}

static void suites_of(out *o, const td_obs *obs, int i)
{
    const char *name = td_version_name(td_vat(i));
    td_str_printf(&o->b, "  %s suites%s%s:\n", name,
                  obs->server_order[i] == TD_YES ? " (server's order)" : "",
                  obs->suites_complete[i] ? "" : " (enumeration incomplete)");
    if (td_vat(i) == TD_SSL2) {
        size_t n = obs->n_v2_specs < TD_FLIGHT_MAX_V2SPECS ? obs->n_v2_specs : TD_FLIGHT_MAX_V2SPECS;
        for (size_t k = 0; k < n; k++) {
            const td_v2spec *s = td_v2spec_by_id(obs->v2_specs[k]);
            char lbl[32];
            snprintf(lbl, sizeof lbl, "unknown (0x%06x)", (unsigned)obs->v2_specs[k]);
            suite_line(o, s ? s->name : lbl, s && s->cls <= TD_CLASS_3DES, s ? s->cls : TD_CLASS_NULL);
        }
        return;
    }
    size_t n = obs->n_suites[i] < TD_MAX_SUITES ? obs->n_suites[i] : TD_MAX_SUITES;
    for (size_t k = 0; k < n; k++) {
        char lbl[96];
        const td_suite *s = td_suite_by_id(obs->suites[i][k]);
        suite_line(o, td_suite_name(obs->suites[i][k], lbl, sizeof lbl), s && td_suite_weak(s),
                   s ? s->cls : TD_CLASS_NULL);
    }
}

/* Which hash made a weak signature weak, from the algorithm's name. */
static const char *weak_hash(const char *sig_alg)
{
    static const char *const names[][2] = {
        { "md2", "MD2" }, { "md4", "MD4" }, { "md5", "MD5" }, { "sha1", "SHA-1" }, { "sha-1", "SHA-1" },
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcasestr(sig_alg, names[i][0]))
            return names[i][1];
    return "a broken hash";
}

/* A row under a certificate: a short label, then the value. */
static void cert_row(out *o, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cert_row(out *o, const char *label, const char *fmt, ...)
{
    td_str_printf(&o->b, "      %-11s", label);
    va_list ap;
    va_start(ap, fmt);
    td_str_vprintf(&o->b, fmt, ap);
    va_end(ap);
}

static void cert_block(out *o, const td_obs *obs, const td_cert *c, size_t index, td_cert_info *ci,
                       bool show_pem)
{
    const td_cert_info *x = cert_info(c, ci);
    if (!x) {
        td_cert_text ct;
        td_cert_describe(c->der, c->len, &ct);
        td_str_printf(&o->b, "  [%zu] ", index);
        paint(o, C_RED, "undecodable certificate");
        td_str_printf(&o->b, " (%zu bytes)\n", c->len);
        cert_row(o, "sha256", "%s\n", ct.sha256);
        return;
    }
    td_str_printf(&o->b, "  [%zu] %s", index, x->subject[0] ? x->subject : "(empty subject)");
    if (x->self_signed)
        td_str_add(&o->b, "  (self-signed)");
    else if (x->is_ca)
        td_str_add(&o->b, "  (CA)");
    td_str_add(&o->b, "\n");
    cert_row(o, "issuer", "%s\n", x->issuer);

    cert_row(o, "valid", "%s to %s", x->not_before_iso, x->not_after_iso);
    if (obs->now > 0) {
        int64_t warn = (int64_t)(obs->warn_days > 0 ? obs->warn_days : 0) * SECS_PER_DAY;
        switch (td_cert_check_time(x, obs->now, warn)) {
        case TD_TIME_EXPIRED: {
            char m[64];
            snprintf(m, sizeof m, "  [expired %lld days ago]",
                     (long long)((obs->now - x->not_after) / SECS_PER_DAY));
            paint(o, C_RED, m);
            break;
        }
        case TD_TIME_NOT_YET_VALID:
            paint(o, C_RED, "  [not yet valid]");
            break;
        case TD_TIME_EXPIRING_SOON: {
            char m[64];
            long long days = (long long)((x->not_after - obs->now) / SECS_PER_DAY);
            if (days < 1)
                snprintf(m, sizeof m, "  [expires within a day]");
            else
                snprintf(m, sizeof m, "  [expires in %lld day%s]", days, days == 1 ? "" : "s");
            paint(o, C_YELLOW, m);
            break;
        }
        case TD_TIME_VALID:
            break;
        }
    }
    td_str_add(&o->b, "\n");

    if (x->key_curve[0])
        cert_row(o, "key", "%s %d bits (%s)", x->key_type, x->key_bits, x->key_curve);
    else if (x->key_bits > 0)
        cert_row(o, "key", "%s %d bits", x->key_type, x->key_bits);
    else
        cert_row(o, "key", "%s", x->key_type);
    if (td_cert_key_too_small(x, NULL, 0))
        paint(o, C_YELLOW, "  [too small]");
    td_str_add(&o->b, "\n");

    cert_row(o, "signature", "%s", x->sig_alg);
    if (x->sig_weak) {
        char m[64];
        snprintf(m, sizeof m, "  [weak: %s]", weak_hash(x->sig_alg));
        paint(o, C_YELLOW, m);
    }
    td_str_add(&o->b, "\n");

    size_t kept = x->n_san < TD_CERT_MAX_SAN ? x->n_san : TD_CERT_MAX_SAN;
    if (kept == 0) {
        cert_row(o, "names", "%s\n", x->has_san_ext ? "(empty subjectAltName)" : "no subjectAltName");
    } else {
        cert_row(o, "names", "%s", "");
        for (size_t k = 0; k < kept && k < SANS_SHOWN; k++)
            td_str_printf(&o->b, "%s%s", k ? ", " : "", x->san[k]);
        if (x->n_san_total > SANS_SHOWN)
            td_str_printf(&o->b, " and %zu more (%zu in all)", x->n_san_total - SANS_SHOWN, x->n_san_total);
        td_str_add(&o->b, "\n");
    }
    cert_row(o, "sha256", "%s\n", x->sha256);
    if (show_pem) {
        td_str pem;
        td_str_init(&pem);
        if (td_cert_pem(c->der, c->len, &pem) && pem.s)
            td_str_add(&o->b, pem.s);
        if (pem.err)
            o->b.err = 1;
        td_str_free(&pem);
    }
}

/* The chain the full handshake saw, else the one the TLS 1.2 flight showed. */
static void chain_section(out *o, const td_obs *obs, td_cert_info *ci, bool show_pem)
{
    const td_cert *chain = obs->hs.chain;
    size_t n = obs->hs.n_chain;
    if (n == 0) {
        chain = obs->certs;
        n = obs->n_certs;
    }
    if (n == 0)
        return;
    if (n > TD_FLIGHT_MAX_CERTS)
        n = TD_FLIGHT_MAX_CERTS;
    heading(o, "Certificate chain (as sent)");
    for (size_t k = 0; k < n; k++) {
        if (!chain[k].der)
            continue;
        if (k)
            td_str_add(&o->b, "\n");
        cert_block(o, obs, &chain[k], k, ci, show_pem);
    }
}

static const char *src_words(td_path_src s)
{
    switch (s) {
    case TD_SRC_SENT: return "sent";
    case TD_SRC_EXTRA: return "fetched via AIA";
    case TD_SRC_STORE: return "trust store";
    }
    return "?";
}

/* One built path, leaf first, each certificate with where it came from, and
 * the broken link marked where it is. */
static void path_lines(out *o, const td_path *p)
{
    size_t n = p->n < TD_PATH_MAX ? p->n : TD_PATH_MAX;
    bool at_line = p->verdict != TD_PATH_OK && p->verdict != TD_PATH_INCOMPLETE && p->depth >= 0 &&
                   (size_t)p->depth < n;
    for (size_t d = 0; d < n; d++) {
        bool broken = at_line && (size_t)p->depth == d;
        td_str_add(&o->b, "  ");
        if (broken)
            paint(o, C_RED, MARK_BAD);
        else
            td_str_add(&o->b, " ");
        td_str_printf(&o->b, " %zu  %s  (%s)", d, p->subjects[d], src_words(p->src[d]));
        int di = (int)d;
        if (p->expired_depth == di && !(broken && p->verdict == TD_PATH_EXPIRED))
            paint(o, C_RED, "  [expired]");
        if (p->not_yet_valid_depth == di && !(broken && p->verdict == TD_PATH_NOT_YET_VALID))
            paint(o, C_RED, "  [not yet valid]");
        if (p->weak_sig_depth == di)
            paint(o, C_YELLOW, "  [weak signature]");
        if (p->small_key_depth == di)
            paint(o, C_YELLOW, "  [key too small]");
        if (broken) {
            td_str why;
            td_str_init(&why);
            td_str_printf(&why, "  %s: ", td_path_verdict_name(p->verdict));
            td_path_break(p, &why);
            paint(o, C_RED, why.s ? why.s : "");
            if (why.err)
                o->b.err = 1;
            td_str_free(&why);
        }
        td_str_add(&o->b, "\n");
    }
    if (td_path_is(p, TD_PATH_INCOMPLETE)) {
        td_str_add(&o->b, "  ");
        paint(o, C_RED, MARK_BAD);
        td_str_printf(&o->b, " %zu  missing: %s  (issuer of %s: not sent, not in the trust store", n,
                      p->missing_issuer[0] ? p->missing_issuer : "(unnamed)",
                      p->top_subject[0] ? p->top_subject : "the last certificate");
        if (p->missing_issuer_aia[0])
            td_str_printf(&o->b, "; caIssuers %s", p->missing_issuer_aia);
        td_str_add(&o->b, ")");
        td_str_add(&o->b, "\n");
    }
    if (at_line || p->verdict == TD_PATH_INCOMPLETE)
        return;
    if (p->verdict == TD_PATH_OK) {
        td_str_add(&o->b, "  ");
        paint(o, C_GREEN, MARK_OK);
        td_str_add(&o->b, " trusted");
        if (p->strict_err != 0 && p->strict_err_text[0])
            td_str_printf(&o->b, " (strict RFC 5280 checks object: %s)", p->strict_err_text);
        td_str_add(&o->b, "\n");
        return;
    }
    td_str_add(&o->b, "  ");
    paint(o, C_RED, MARK_BAD);
    td_str_printf(&o->b, " %s: ", td_path_verdict_name(p->verdict));
    td_str why;
    td_str_init(&why);
    td_path_break(p, &why);
    td_str_add(&o->b, why.s ? why.s : "");
    if (why.err)
        o->b.err = 1;
    td_str_free(&why);
    td_str_add(&o->b, "\n");
}

static void path_section(out *o, const td_obs *obs)
{
    if (obs->hs.n_chain == 0 && obs->n_certs == 0)
        return;
    heading(o, "Path built");
    if (obs->store_name[0])
        td_str_printf(&o->b, "  trust store: %s\n", obs->store_name);
    if (!td_path_done(&obs->path)) {
        if (obs->store_error[0])
            td_str_printf(&o->b, "  not verified: the trust store could not be loaded (%s)\n", obs->store_error);
        else
            td_str_add(&o->b, "  not verified\n");
        return;
    }
    path_lines(o, &obs->path);
    if (!obs->aia_tried)
        return;
    if (!obs->aia_cert.der || obs->aia_cert.len == 0) {
        td_str_printf(&o->b, "  fetching the missing issuer from %s failed%s%s\n", obs->aia_url,
                      obs->aia_error[0] ? ": " : "", obs->aia_error);
        return;
    }
    td_str_printf(&o->b, "  with the issuer fetched from %s (as browsers do):\n", obs->aia_url);
    if (td_path_done(&obs->path_aia))
        path_lines(o, &obs->path_aia);
    else
        td_str_add(&o->b, "  not verified\n");
}

/* When more than one handshake was made: what each address presented. */
static void backends_table(out *o, const td_obs *obs, td_cert_info *ci)
{
    const td_hs *all[1 + TD_MAX_BACKENDS];
    size_t n = 0;
    if (obs->hs.out != TD_OUT_NOT_RUN)
        all[n++] = &obs->hs;
    for (size_t k = 0; k < obs->n_backends && k < TD_MAX_BACKENDS; k++)
        all[n++] = &obs->backends[k];
    if (n < 2)
        return;
    char fprs[1 + TD_MAX_BACKENDS][FPR_SHOWN + 1];
    size_t distinct = 0;
    for (size_t k = 0; k < n; k++) {
        const td_cert_info *x = cert_info(td_hs_leaf(all[k]), ci);
        snprintf(fprs[k], sizeof fprs[k], "%.*s", FPR_SHOWN, x ? x->sha256 : "");
        if (!fprs[k][0])
            continue;
        bool seen = false;
        for (size_t i = 0; i < k && !seen; i++)
            seen = strcmp(fprs[i], fprs[k]) == 0;
        distinct += !seen;
    }
    fact(o, "Backends", "%zu handshakes, %zu different leaf certificate%s", n, distinct, distinct == 1 ? "" : "s");
    int w = 1;
    for (size_t k = 0; k < n; k++)
        if ((int)strlen(all[k]->addr) > w)
            w = (int)strlen(all[k]->addr);
    for (size_t k = 0; k < n; k++) {
        char vb[32], why[160];
        const td_hs *h = all[k];
        if (h->done || h->n_chain) {
            td_str_printf(&o->b, "    %-*s  %-*s  %s\n", w, h->addr[0] ? h->addr : "?", FPR_SHOWN,
                          fprs[k][0] ? fprs[k] : "(no leaf)", h->version ? td_version_text(h->version, vb, sizeof vb) : "");
        } else {
            td_hs_failure(h, why, sizeof why);
            td_str_printf(&o->b, "    %-*s  failed: %s\n", w, h->addr[0] ? h->addr : "?", why);
        }
    }
}

/* The full handshakes' facts: resumption, OCSP, ALPN, SNI, client
 * certificate, trust store. */
static void hs_facts(out *o, const td_obs *obs, td_cert_info *ci)
{
    const td_hs *h = &obs->hs;
    char why[256];
    backends_table(o, obs, ci);
    if (obs->hs_resume.out != TD_OUT_NOT_RUN) {
        const td_hs *r = &obs->hs_resume;
        const char *how = h->ticket ? "a session ticket" : h->session_id ? "a session id" : "the session";
        if (r->resumed)
            fact(o, "Resumption", "yes: offering %s again resumed it", how);
        else if (r->done)
            fact(o, "Resumption", "no: offering %s again got a full handshake", how);
        else {
            td_hs_failure(r, why, sizeof why);
            fact(o, "Resumption", "the resumption handshake failed: %s", why);
        }
    } else if (h->done) {
        fact(o, "Resumption", "not tried: the server gave neither a session ticket nor a session id");
    }
    if (h->done) {
        if (!h->ocsp_stapled)
            fact(o, "OCSP", "no stapled response");
        else if (h->ocsp_status == V_OCSP_CERTSTATUS_GOOD)
            fact(o, "OCSP", "stapled, status good");
        else if (h->ocsp_status == V_OCSP_CERTSTATUS_REVOKED)
            fact(o, "OCSP", "stapled, status REVOKED");
        else if (h->ocsp_status == V_OCSP_CERTSTATUS_UNKNOWN)
            fact(o, "OCSP", "stapled, status unknown");
        else
            fact(o, "OCSP", "stapled, but the response could not be read");
    }
    if (obs->alpn_offered[0])
        fact(o, "ALPN", "offered %s; %s%s", obs->alpn_offered, h->alpn[0] ? "the server chose " : "the server chose none",
             h->alpn);
    else if (h->alpn[0])
        fact(o, "ALPN", "%s", h->alpn);
    if (obs->hs_nosni.out != TD_OUT_NOT_RUN) {
        const td_hs *ns = &obs->hs_nosni;
        const td_cert *a = td_hs_leaf(h), *b = td_hs_leaf(ns);
        if (!ns->done && !b) {
            td_hs_failure(ns, why, sizeof why);
            fact(o, "Without SNI", "the handshake failed: %s", why);
        } else if (a && b && a->len == b->len && memcmp(a->der, b->der, a->len) == 0) {
            fact(o, "Without SNI", "the same certificate");
        } else {
            const td_cert_info *x = cert_info(b, ci);
            fact(o, "Without SNI", "a different certificate: %s", x ? x->subject : b ? "(undecodable)" : "none");
        }
    }
    if (obs->hs_client.out != TD_OUT_NOT_RUN) {
        const td_hs *c = &obs->hs_client;
        if (c->done)
            fact(o, "With --cert", "the handshake presenting it completed");
        else {
            td_hs_failure(c, why, sizeof why);
            fact(o, "With --cert", "the handshake presenting it failed: %s", why);
        }
    }
    if (obs->store_error[0])
        fact(o, "Trust store", "could not be loaded: %s", obs->store_error);
    else if (obs->store_name[0])
        fact(o, "Trust store", "%s", obs->store_name);
}

/* The proxy the connections went through, or the no_proxy that sent the
 * check direct. */
static void proxy_facts(out *o, const td_obs *obs)
{
    const td_obs_proxy *p = &obs->proxy;
    if (obs->proxy_bypass[0])
        fact(o, "Proxy", "none: %s matches %s", obs->proxy_bypass, obs->host);
    if (!p->used)
        return;
    fact(o, "Proxy", "%s (from %s%s): %u tunnel%s opened, %u refused", p->url, p->from,
         p->auth ? ", with credentials" : "", p->stats.up, p->stats.up == 1 ? "" : "s", p->stats.refused);
    if (p->direct.done)
        fact(o, "Direct", "the same handshake without the proxy: %zu certificate%s", p->direct.n_chain,
             p->direct.n_chain == 1 ? "" : "s");
    else if (p->direct_note[0])
        fact(o, "Direct", "%s", p->direct_note);
}

static void observations(out *o, const td_obs *obs, td_cert_info *ci)
{
    heading(o, "Observations");
    td_str row;
    td_str_init(&row);
    for (int i = TD_NVERSIONS - 1; i >= 0; i--)
        td_str_printf(&row, "%s%s %s", i == TD_NVERSIONS - 1 ? "" : ", ", td_version_name(td_vat(i)),
                      tri_word(obs->version_ok[i]));
    fact(o, "Versions", "%s", row.s ? row.s : "");
    td_str_free(&row);

    for (int i = TD_NVERSIONS - 1; i >= 0; i--)
        if (obs->version_ok[i] == TD_YES)
            suites_of(o, obs, i);

    td_str_init(&row);
    size_t ng = obs->n_groups < TD_MAX_GROUPS ? obs->n_groups : TD_MAX_GROUPS;
    for (size_t k = 0; k < ng; k++) {
        char gb[64];
        td_str_printf(&row, "%s%s", k ? ", " : "", td_group_name(obs->groups[k], gb, sizeof gb));
    }
    fact(o, "Groups", "%s%s", ng ? row.s : "none seen", ng && !obs->groups_complete ? " (incomplete)" : "");
    td_str_free(&row);

    if (!obs->dh_bits_min)
        fact(o, "DH group", "no DHE key exchange seen");
    else if (obs->dh_bits_min == obs->dh_bits_max)
        fact(o, "DH group", "%u bits", (unsigned)obs->dh_bits_min);
    else
        fact(o, "DH group", "%u to %u bits", (unsigned)obs->dh_bits_min, (unsigned)obs->dh_bits_max);
    fact(o, "Fallback SCSV", "%s", tri_word(obs->fallback_scsv));
    fact(o, "Secure reneg.", "%s", tri_word(obs->secure_reneg));
    if (obs->cert_request)
        fact(o, "Client cert", "requested, %zu acceptable CA name%s", obs->n_ca_names,
             obs->n_ca_names == 1 ? "" : "s");
    else if (obs->hs.cert_request)
        fact(o, "Client cert", "requested, %zu acceptable CA name%s", obs->hs.n_ca_names,
             obs->hs.n_ca_names == 1 ? "" : "s");
    else if (obs->client_cert_given && obs->hs_client.done && !obs->hs_client.cert_request)
        fact(o, "Client cert", "not requested: the --cert given was not sent");
    hs_facts(o, obs, ci);
    const td_cert_info *leaf = cert_info(td_hs_leaf(&obs->hs), ci);
    if (leaf) {
        fact(o, "Certificate", "%s, valid until %s (%zu in chain)", leaf->subject, leaf->not_after_iso,
             obs->hs.n_chain);
    } else if (obs->n_certs && obs->certs[0].der) {
        td_cert_text ct;
        td_cert_describe(obs->certs[0].der, obs->certs[0].len, &ct);
        if (ct.parsed)
            fact(o, "Certificate", "%s, valid until %s (%zu in chain)", ct.subject,
                 ct.not_after[0] ? ct.not_after : "?", obs->n_certs);
        else
            fact(o, "Certificate", "unparseable leaf, sha256 %s (%zu in chain)", ct.sha256, obs->n_certs);
    }
    proxy_facts(o, obs);
    char took[32];
    if (obs->elapsed_ms < 1000)
        snprintf(took, sizeof took, "%.0f ms", obs->elapsed_ms);
    else
        snprintf(took, sizeof took, "%.1f s", obs->elapsed_ms / 1000.0);
    char pace[64] = "";
    if (obs->limit.rate > 0)
        snprintf(pace, sizeof pace, ", at most %.2g a second", obs->limit.rate);
    else if (obs->limit.user_rate > 0)
        snprintf(pace, sizeof pace, ", at most %.2g a second (--rate)", obs->limit.user_rate);
    fact(o, "Probes", "%u connection%s in %s%s%s", obs->connections, obs->connections == 1 ? "" : "s", took, pace,
         obs->deadline_hit ? "; the deadline cut the run short, results are incomplete" : "");
}

/* ---- the report that fits a screen ------------------------------------------
 *
 * What a reader under pressure needs, in this order: the verdict, the
 * handshake, the root cause with its fix and verify command, a line per
 * group of what follows from it, the other problems, the failing clients.
 * Evidence, every client and the observations are in the long form. */

#define GROUP_COL    7  /* where the lines about a finding's symptoms start */
#define SCREEN_LINES 40 /* the failing clients fill the screen up to this many lines */
#define MIN_ROWS     3  /* ... but show at least this many of them */
#define DEFAULT_WIDTH 80
#define MIN_WIDTH     40 /* narrower, the labels and indents leave no room */

static size_t lines_so_far(const out *o)
{
    size_t n = 0;
    for (const char *p = o->b.s; p && (p = strchr(p, '\n')); p++)
        n++;
    return n;
}

/* The standalone finding that explains finding i, or -1 when it stands
 * alone.  The ranking links every symptom to a finding that stands alone;
 * a link that does not is ignored rather than followed. */
static int cause_of(const td_findings *fs, size_t i)
{
    int p = fs->v[i].symptom_of;
    if (p < 0 || (size_t)p >= fs->n || (size_t)p == i)
        return -1;
    int pp = fs->v[p].symptom_of;
    return pp >= 0 && (size_t)pp < fs->n && pp != p ? -1 : p;
}

static bool is_client(const td_finding *f)
{
    return f->id == TD_ID_CLIENT_INCOMPATIBLE;
}

/* Client failures are grouped by what explains them and why they fail;
 * the root cause, said in full, belongs to no group. */
static bool same_group(const td_findings *fs, int root, size_t i, size_t j)
{
    return (int)i != root && (int)j != root && is_client(&fs->v[i]) && is_client(&fs->v[j]) &&
           cause_of(fs, i) == cause_of(fs, j) && fs->v[i].reason == fs->v[j].reason;
}

static bool first_of_group(const td_findings *fs, int root, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (same_group(fs, root, i, j))
            return false;
    return true;
}

static const td_client *client_of(const td_report *r, const td_finding *f)
{
    const td_obs *obs = &r->obs;
    if (f->client < 0 || (size_t)f->client >= obs->n_sims || f->client >= TD_MAX_CLIENTS)
        return NULL;
    return obs->sims[f->client].client;
}

static const td_client_verdict *verdict_of(const td_report *r, const td_client *c)
{
    for (size_t k = 0; c && k < r->clients.n && k < TD_MAX_CLIENTS; k++)
        if (r->clients.v[k].client == c)
            return &r->clients.v[k];
    return NULL;
}

/* "no shared cipher suite" from a verdict's "no shared cipher suite: the
 * server accepts only ...". */
static void reason_label(const char *reason, char *buf, size_t len)
{
    const char *colon = strstr(reason, ": ");
    snprintf(buf, len, "%.*s", (int)(colon ? (size_t)(colon - reason) : strlen(reason)), reason);
}

/* The client a CLIENT_INCOMPATIBLE finding is about, by the part of its
 * name before any parenthesis; from the summary when the profile is not
 * known. */
static void finding_client(const td_report *r, const td_finding *f, char *buf, size_t len)
{
    const td_client *c = client_of(r, f);
    const char *full = c ? client_name(c) : f->summary ? f->summary : "?";
    const char *end = c ? NULL : strstr(full, " cannot connect");
    size_t n = end ? (size_t)(end - full) : strlen(full);
    size_t short_len = td_client_short_len(full);
    snprintf(buf, len, "%.*s", (int)(short_len < n ? short_len : n), full);
}

/* Why a group of clients fails, in a few words. */
static void group_reason(const td_report *r, const td_finding *f, char *buf, size_t len)
{
    const td_client_verdict *v = verdict_of(r, client_of(r, f));
    const char *token = td_reason_token(f->reason);
    if (v && v->reason[0])
        reason_label(v->reason, buf, len);
    else
        snprintf(buf, len, "%s", token ? token : "another reason");
}

/* "3 of 36 clients", or "3 clients" when not of_all or no table says how
 * many were tried. */
static void clients_count(const td_report *r, size_t n, bool of_all, td_str *b)
{
    size_t served = td_report_served(r);
    if (of_all && served)
        td_str_printf(b, "%zu of %zu client%s", n, served, served == 1 ? "" : "s");
    else
        td_str_printf(b, "%zu client%s", n, n == 1 ? "" : "s");
}

static size_t group_size(const td_findings *fs, int root, size_t first)
{
    size_t n = 1;
    for (size_t j = first + 1; j < fs->n; j++)
        n += same_group(fs, root, first, j);
    return n;
}

/* The clients of the group of finding first, as many names as fit in room
 * columns: "Chrome, Firefox, curl and 24 more", or all of them "A, B and C".
 * When not even one fits, false, and nothing is written unless cut says to
 * cut the first name (not the count). */
static bool group_names(const td_report *r, int root, size_t first, size_t room, bool cut, td_str *b)
{
    const td_findings *fs = &r->findings;
    size_t n = group_size(fs, root, first);
    char name[128];
    for (size_t k = n; k >= 1; k--) {
        td_str t;
        td_str_init(&t);
        size_t named = 0;
        for (size_t j = first; j < fs->n && named < k; j++) {
            if (j != first && !same_group(fs, root, first, j))
                continue;
            finding_client(r, &fs->v[j], name, sizeof name);
            named++;
            td_str_printf(&t, "%s%s", named == 1 ? "" : named == k && k == n ? " and " : ", ", name);
        }
        if (k < n)
            td_str_printf(&t, " and %zu more", n - k);
        bool fits = t.s && td_cols(t.s, strlen(t.s)) <= room;
        if (fits)
            td_str_add(b, t.s);
        if (t.err)
            b->err = 1;
        td_str_free(&t);
        if (fits)
            return true;
    }
    if (!cut)
        return false;
    char tail[48] = "";
    if (n > 1)
        snprintf(tail, sizeof tail, " and %zu more", n - 1);
    finding_client(r, &fs->v[first], name, sizeof name);
    td_cut_add(b, name, room > strlen(tail) ? room - strlen(tail) : 0);
    td_str_add(b, tail);
    return false;
}

/* A line for a group of client failures, going on from column col: how
 * many (of how many when of_all) fail, then how, why when asked, and whom,
 * as many names as fit; on a line of their own when not even one does.
 * When every client fails, naming them says nothing. */
static void group_line(out *o, const td_report *r, int root, size_t first, size_t col, bool of_all, const char *how,
                       bool why)
{
    td_str lead;
    td_str_init(&lead);
    size_t n = group_size(&r->findings, root, first);
    bool all = n > 1 && n == r->clients.n;
    if (all)
        td_str_printf(&lead, "all %zu clients", n);
    else
        clients_count(r, n, of_all, &lead);
    td_str_printf(&lead, " fail%s%s", n == 1 ? "s" : "", how);
    if (why) {
        char reason[256];
        group_reason(r, &r->findings.v[first], reason, sizeof reason);
        td_str_printf(&lead, " (%s)", reason);
    }
    if (!all)
        td_str_add(&lead, ":");
    const char *text = lead.s ? lead.s : "";
    size_t used = col + td_cols(text, strlen(text)) + 1;
    td_cut_add(&o->b, text, room_after(o, col));
    if (!all) {
        td_str names;
        td_str_init(&names);
        if (used < o->width && group_names(r, root, first, o->width - used, false, &names)) {
            td_str_printf(&o->b, " %s", names.s ? names.s : "");
        } else {
            td_str_printf(&o->b, "\n%*s", GROUP_COL + 2, "");
            group_names(r, root, first, room_after(o, GROUP_COL + 2), true, &o->b);
        }
        if (names.err)
            o->b.err = 1;
        td_str_free(&names);
    }
    td_str_add(&o->b, "\n");
    if (lead.err)
        o->b.err = 1;
    td_str_free(&lead);
}

/* What follows from the standalone finding c: a line per group of clients
 * that fail because of it, then the other symptoms by ID, each ID once. */
static void symptom_lines(out *o, const td_report *r, int root, size_t c)
{
    const td_findings *fs = &r->findings;
    size_t groups = 0;
    for (size_t i = 0; i < fs->n; i++)
        groups += cause_of(fs, i) == (int)c && is_client(&fs->v[i]) && first_of_group(fs, root, i);
    for (size_t i = 0; i < fs->n; i++) {
        if (cause_of(fs, i) != (int)c || !is_client(&fs->v[i]) || !first_of_group(fs, root, i))
            continue;
        td_str_printf(&o->b, "%*s", GROUP_COL, "");
        group_line(o, r, root, i, GROUP_COL, true, " because of it", groups > 1);
    }
    td_str ids;
    td_str_init(&ids);
    for (size_t i = 0; i < fs->n; i++) {
        if (cause_of(fs, i) != (int)c || is_client(&fs->v[i]))
            continue;
        bool said = false;
        for (size_t j = 0; j < i && !said; j++)
            said = cause_of(fs, j) == (int)c && fs->v[j].id == fs->v[i].id;
        if (!said)
            td_str_printf(&ids, "%s%s", ids.s ? ", " : "also explained by it: ", td_id_name(fs->v[i].id));
    }
    if (ids.s) {
        td_str_printf(&o->b, "%*s", GROUP_COL, "");
        td_wrap_add(&o->b, ids.s, GROUP_COL, GROUP_COL + 2, o->width);
    }
    if (ids.err)
        o->b.err = 1;
    td_str_free(&ids);
}

/* "fix:" or "verify:" and its value, wrapped under the value's first
 * column; a command broken only where it still pastes. */
static void labelled(out *o, const char *label, const char *text, bool command)
{
    if (!text || !*text)
        return;
    size_t col = GROUP_COL + strlen(label) + 1;
    td_str_printf(&o->b, "%*s%s ", GROUP_COL, "", label);
    if (command)
        td_wrap_command_add(&o->b, text, col, col, o->width);
    else
        td_wrap_add(&o->b, text, col, col, o->width);
}

/* Whether the verdict line already says the summary s (but for its full
 * stop): the root cause's, usually. */
static bool in_verdict(const char *verdict, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
        n--;
    return n > 0 && verdict && memmem(verdict, strlen(verdict), s, n);
}

/* A finding the reader acts on.  The root cause and failures are said
 * whole, with fix and verify command (the summary only when the verdict
 * did not say it); a warning in one line and its fix; a note in one line.
 * Then what follows from it. */
static void cause_block(out *o, const td_report *r, int root, size_t i, const char *verdict)
{
    const td_finding *f = &r->findings.v[i];
    bool whole = (int)i == root || f->sev == TD_SEV_FAIL;
    tag(o, f->sev);
    td_str line;
    td_str_init(&line);
    td_str_add(&line, td_id_name(f->id));
    if (!whole || !in_verdict(verdict, f->summary))
        td_str_printf(&line, "  %s", f->summary ? f->summary : "");
    const char *text = line.s ? line.s : "";
    td_str_add(&o->b, " ");
    if (whole) {
        td_wrap_add(&o->b, text, GROUP_COL, GROUP_COL, o->width);
    } else {
        td_cut_add(&o->b, text, room_after(o, GROUP_COL));
        td_str_add(&o->b, "\n");
    }
    if (line.err)
        o->b.err = 1;
    td_str_free(&line);
    if (whole || f->sev == TD_SEV_WARN)
        labelled(o, "fix:", f->fix, false);
    if (whole)
        labelled(o, "verify:", f->verify, true);
    symptom_lines(o, r, root, i);
}

static void findings_brief(out *o, const td_report *r, const char *verdict)
{
    const td_findings *fs = &r->findings;
    int root = root_of(fs);
    if (root >= 0) {
        heading(o, "Root cause");
        cause_block(o, r, root, (size_t)root, verdict);
    }
    bool headed = false;
    for (size_t i = 0; i < fs->n; i++) {
        const td_finding *f = &fs->v[i];
        if ((int)i == root || cause_of(fs, i) >= 0)
            continue;
        /* A client failing at info is one below the --clients level: the
         * line under the failing clients says those once. */
        if (is_client(f) && f->sev == TD_SEV_INFO)
            continue;
        if (!headed) {
            heading(o, root >= 0 ? "Other findings" : "Findings");
            headed = true;
        }
        if (!is_client(f)) {
            cause_block(o, r, root, i, verdict);
        } else if (first_of_group(fs, root, i)) {
            tag(o, f->sev);
            td_str_add(&o->b, " ");
            group_line(o, r, root, i, GROUP_COL, false, "", true);
        }
    }
    if (fs->n == 0) {
        heading(o, "Findings");
        td_str_add(&o->b, "  none\n");
    }
}

/* The long form, as the command asks for it: first in the lines that say
 * where the rest is, so a narrow screen cuts the words around it. */
#define MORE_HINT "tlsdiag check -v"

/* Whether client c's failure follows from the root cause, or is it. */
static bool root_client(const td_report *r, int root, const td_client *c)
{
    const td_findings *fs = &r->findings;
    for (size_t i = 0; root >= 0 && i < fs->n; i++)
        if (is_client(&fs->v[i]) && client_of(r, &fs->v[i]) == c)
            return (int)i == root || cause_of(fs, i) == root;
    return false;
}

/* The failing clients, a line each: name, step, why in a few words; those
 * the root cause shuts out first, as above.  They come last and fill what
 * is left of a screen; a last line counts the rest and says where they
 * are.  Returns whether it said so. */
static bool failing_clients(out *o, const td_report *r)
{
    const td_client_table *t = &r->clients;
    size_t n = t->n < TD_MAX_CLIENTS ? t->n : TD_MAX_CLIENTS, fails = 0, w = 0, sw = 0;
    for (size_t i = 0; i < n; i++) {
        const td_client_verdict *v = &t->v[i];
        /* Clients below the level asked for are expected to fail: one
         * line says so (expected_failures), no rows. */
        if (v->result != TD_CV_FAIL || v->below_level)
            continue;
        fails++;
        size_t len = td_client_short_len(client_name(v->client));
        w = len > w ? len : w;
        sw = strlen(v->step) > sw ? strlen(v->step) : sw;
    }
    if (fails == 0) {
        expected_failures(o, r);
        return false;
    }
    w = w > CLIENT_NAME_W ? CLIENT_NAME_W : w;
    char title[96];
    snprintf(title, sizeof title, "Failing clients (%zu of %zu%s)", fails, td_report_served(r),
             r->obs.clients_filtered ? ", as chosen with --client" : "");
    heading(o, title);
    /* All of them, then the closing hint after a blank line; or fewer, the
     * hint in the line that counts the rest (one row is never left out:
     * it takes that line's place). */
    size_t used = lines_so_far(o), rows = fails;
    if (used + fails + 2 > SCREEN_LINES) {
        size_t left = SCREEN_LINES > used + 1 ? SCREEN_LINES - used - 1 : 0;
        rows = left > MIN_ROWS ? left : MIN_ROWS;
        rows = rows + 1 < fails ? rows : fails;
    }
    int root = root_of(&r->findings);
    size_t shown = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n && shown < rows; i++) {
            const td_client_verdict *v = &t->v[i];
            if (v->result != TD_CV_FAIL || v->below_level || root_client(r, root, v->client) != (pass == 0))
                continue;
            shown++;
            client_cell(o, v, w);
            td_str_printf(&o->b, "%-*s  ", (int)sw, v->step[0] ? v->step : "?");
            char why[256];
            reason_label(v->reason[0] ? v->reason : "unknown", why, sizeof why);
            td_cut_add(&o->b, why, room_after(o, 4 + w + 2 + sw + 2));
            td_str_add(&o->b, "\n");
        }
    }
    expected_failures(o, r);
    if (shown == fails)
        return false;
    char more[160];
    snprintf(more, sizeof more, "  and %zu more: %s shows them, and every finding in full", fails - shown, MORE_HINT);
    td_cut_add(&o->b, more, o->width);
    td_str_add(&o->b, "\n");
    return true;
}

/* The short form: see above. */
static void brief(out *o, const td_report *r, td_cert_info *ci, const char *verdict)
{
    handshake(o, &r->obs, ci);
    findings_brief(o, r, verdict);
    bool hinted = failing_clients(o, r);
    if (r->show_certs)
        chain_section(o, &r->obs, ci, true);
    if (hinted)
        return;
    td_str_add(&o->b, "\n");
    td_cut_add(&o->b, MORE_HINT " shows every finding in full, every client and the observations", o->width);
    td_str_add(&o->b, "\n");
}

/* The verdict: its label, then its sentence, which it leaves in sentence. */
static void verdict_line(out *o, const td_report *r, td_str *sentence)
{
    td_verdict v = td_report_verdict(r);
    const char *col = v == TD_VERDICT_FAIL ? C_RED : v == TD_VERDICT_WARN ? C_YELLOW : C_GREEN;
    const char *label = td_verdict_label(v);
    if (o->color)
        td_str_printf(&o->b, "%s%s%s%s  ", C_BOLD, col, label, C_RESET);
    else
        td_str_printf(&o->b, "%s  ", label);
    td_verdict_sentence(r, sentence);
    const char *text = sentence->s ? sentence->s : "";
    if (o->width)
        td_wrap_add(&o->b, text, strlen(label) + 2, strlen(label) + 2, o->width);
    else
        td_str_printf(&o->b, "%s\n", text);
    if (sentence->err)
        o->b.err = 1;
}

int td_report_write_text_ex(const td_report *r, FILE *f, unsigned flags, unsigned width)
{
    if (!r || !f)
        return -1;
    bool verbose = flags & TD_TEXT_VERBOSE;
    out o = { .color = flags & TD_TEXT_COLOR };
    if (!verbose)
        o.width = width == 0 ? DEFAULT_WIDTH : width < MIN_WIDTH ? MIN_WIDTH : width;
    td_str_init(&o.b);
    td_str sentence;
    td_str_init(&sentence);
    verdict_line(&o, r, &sentence);

    /* One scratch block for every certificate decoded below. */
    td_cert_info *ci = malloc(sizeof *ci);
    if (!ci)
        o.b.err = 1;
    else if (verbose) {
        handshake(&o, &r->obs, ci);
        findings(&o, &r->findings);
        clients_table(&o, r);
        chain_section(&o, &r->obs, ci, r->show_certs);
        path_section(&o, &r->obs);
        observations(&o, &r->obs, ci);
    } else {
        brief(&o, r, ci, sentence.s);
    }
    free(ci);

    int rc = -1;
    if (!o.b.err && o.b.s && fputs(o.b.s, f) != EOF)
        rc = 0;
    td_str_free(&sentence);
    td_str_free(&o.b);
    return rc;
}

int td_report_write_text(const td_report *r, FILE *f, bool color)
{
    return td_report_write_text_ex(r, f, color ? TD_TEXT_COLOR : 0, 0);
}
