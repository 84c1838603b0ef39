/* The report as one self-contained HTML page: to attach to a ticket, open
 * offline, print.  Everything it needs is inline (CSS, SVG, a few lines of
 * script for the copy buttons), so opening it makes no request.  It draws
 * the same report model as the text and JSON forms and decides nothing.
 * Every string from the report goes through esc(): certificate names,
 * banners and alert texts come from the peer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/clients.h"
#include "registry/registry.h"
#include "report/report.h"
#include "wire/tls.h"

#define LANE_CLIENT 150  /* x of the client's lane in the ladder */
#define LANE_SERVER 650  /* x of the server's */
#define LADDER_W 800
#define ROW_H 46         /* height of one ladder step */
#define LADDER_TOP 50
#define LADDER_CUT 88    /* bytes of a step's text drawn in the ladder; the list under it has all */

static const char style[] =
    "body{font-family:system-ui,sans-serif;max-width:62rem;margin:1rem auto;padding:0 1rem;color:#111}"
    "h1{font-size:1.3rem}h2{border-bottom:1px solid #bbb;margin-top:2rem;font-size:1.15rem}"
    ".verdict{font-size:1.15rem;padding:.6rem;border-left:.5rem solid}"
    ".v-fail{border-color:#b00020;background:#fde8eb}.v-warn{border-color:#a56a00;background:#fff4dc}"
    ".v-ok{border-color:#1b6e2e;background:#e6f4ea}"
    ".mark{font-weight:bold;white-space:nowrap}.fail{color:#b00020}.warn{color:#8a5800}.ok{color:#1b6e2e}"
    ".info,.unknown,.expected{color:#444}"
    "pre{background:#f4f4f4;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere}"
    ".cmd{position:relative}.cmd pre{padding-right:5rem}.cmd button{position:absolute;top:.3rem;right:.3rem}"
    "table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.2rem .5rem;"
    "text-align:left;vertical-align:top}tbody th{background:#eee}"
    "code{overflow-wrap:anywhere}.missing{color:#b00020;font-weight:bold}"
    "svg text{font-family:system-ui,sans-serif;font-size:13px}svg .detail{font-size:11px;fill:#333}"
    "svg .broken line,svg .broken text{stroke-width:2}svg .broken text{fill:#b00020}"
    ".finding{border:1px solid #ccc;padding:.5rem;margin:.7rem 0;break-inside:avoid}"
    "@media print{button{display:none}body{max-width:none}.finding,table,svg{break-inside:avoid}}";

static const char script[] =
    "document.querySelectorAll('button[data-copy]').forEach(function(b){"
    "b.addEventListener('click',function(){"
    "var t=document.getElementById(b.getAttribute('data-copy')).textContent;"
    "if(navigator.clipboard){navigator.clipboard.writeText(t).then(function(){b.textContent='Copied';});}"
    "else{var a=document.createElement('textarea');a.value=t;document.body.appendChild(a);a.select();"
    "document.execCommand('copy');a.remove();b.textContent='Copied';}});});";

/* Appends s with the five characters HTML gives a meaning escaped, so no
 * byte of the report's data opens a tag, an entity or an attribute. */
static void esc_n(td_str *b, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n && s[i]; i++) {
        const char *e = NULL;
        switch (s[i]) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#39;"; break;
        default: break;
        }
        if (!e)
            continue;
        td_str_printf(b, "%.*s%s", (int)(i - run), s + run, e);
        run = i + 1;
    }
    size_t end = run;
    while (end < n && s[end])
        end++;
    td_str_printf(b, "%.*s", (int)(end - run), s + run);
}

static void esc(td_str *b, const char *s)
{
    if (s)
        esc_n(b, s, strlen(s));
}

/* A formatted string, escaped whole. */
static void escf(td_str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void escf(td_str *b, const char *fmt, ...)
{
    td_str t;
    td_str_init(&t);
    va_list ap;
    va_start(ap, fmt);
    td_str_vprintf(&t, fmt, ap);
    va_end(ap);
    esc(b, t.s);
    if (t.err)
        b->err = 1;
    td_str_free(&t);
}

/* <tag>text</tag>, the text escaped; open is the whole opening tag. */
static void elem(td_str *b, const char *open, const char *text, const char *close)
{
    td_str_add(b, open);
    esc(b, text);
    td_str_add(b, close);
}

static const char *sev_class(td_severity s)
{
    return s == TD_SEV_FAIL ? "fail" : s == TD_SEV_WARN ? "warn" : "info";
}

/* A mark that says itself in words, so colour is never the only cue. */
static const char *sev_mark(td_severity s)
{
    return s == TD_SEV_FAIL ? "\u2717 FAIL" : s == TD_SEV_WARN ? "! WARN" : "i INFO";
}

/* A command in a box with a copy button; id names the box. */
static void command(td_str *b, const char *label, const char *text, const char *id)
{
    elem(b, "<h4>", label, "</h4>");
    td_str_printf(b, "<div class=\"cmd\"><pre id=\"%s\">", id);
    esc(b, text);
    td_str_printf(b, "</pre><button type=\"button\" data-copy=\"%s\">Copy</button></div>\n", id);
}

static void finding(td_str *b, const td_findings *fs, size_t i, bool root)
{
    const td_finding *f = &fs->v[i];
    td_str_printf(b, "<div class=\"finding\" id=\"finding-%zu\"><p><span class=\"mark %s\">%s</span> ", i,
                  sev_class(f->sev), sev_mark(f->sev));
    elem(b, "<code class=\"id\">", td_id_name(f->id), "</code> ");
    esc(b, f->summary);
    td_str_add(b, "</p>\n");
    if (!root && f->symptom_of >= 0 && (size_t)f->symptom_of < fs->n)
        elem(b, "<p>Follows from <code>", td_id_name(fs->v[f->symptom_of].id), "</code>.</p>\n");
    if (f->evidence && *f->evidence)
        elem(b, "<h4>Evidence</h4><pre class=\"evidence\">", f->evidence, "</pre>\n");
    if (f->fix && *f->fix) {
        elem(b, "<h4>Fix</h4><pre class=\"fix\">", f->fix, "</pre>\n");
    }
    if (f->verify && *f->verify) {
        char id[32];
        snprintf(id, sizeof id, "verify-%zu", i);
        command(b, "Verify", f->verify, id);
    }
    td_str_add(b, "</div>\n");
}

static void head(td_str *b, const td_report *r, td_verdict v)
{
    td_str_add(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    escf(b, "tlsdiag %s: %s", td_verdict_label(v), r->target);
    td_str_printf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
    elem(b, "<h1>tlsdiag check ", r->target, "</h1>\n");
}

static void verdict(td_str *b, const td_report *r, td_verdict v)
{
    td_str s;
    td_str_init(&s);
    td_verdict_sentence(r, &s);
    td_str_printf(b, "<p class=\"verdict v-%s\" id=\"verdict\"><strong>%s</strong> ", td_verdict_name(v),
                  td_verdict_label(v));
    esc(b, s.s);
    td_str_add(b, "</p>\n");
    if (s.err)
        b->err = 1;
    td_str_free(&s);
    const td_findings *fs = &r->findings;
    if (fs->root_cause < 0 || (size_t)fs->root_cause >= fs->n)
        return;
    td_str_add(b, "<section id=\"root-cause\">\n<h2>Root cause</h2>\n");
    finding(b, fs, (size_t)fs->root_cause, true);
    td_str_add(b, "</section>\n");
}

/* Up to n bytes of s, cut back to a whole UTF-8 character. */
static size_t utf8_cut(const char *s, size_t n)
{
    size_t len = strlen(s);
    if (len <= n)
        return len;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static void ladder_step(td_str *b, const td_step *st, size_t row, bool broken)
{
    int y = LADDER_TOP + (int)row * ROW_H + 18;
    const char *text = st->text.s ? st->text.s : "";
    size_t cut = utf8_cut(text, LADDER_CUT);
    td_str_printf(b, "<g class=\"step%s\" data-label=\"", broken ? " broken" : "");
    esc(b, st->label);
    td_str_add(b, "\"><title>");
    esc(b, st->label[0] ? st->label : "note");
    td_str_add(b, ": ");
    esc(b, text);
    td_str_add(b, "</title>\n");
    const char *colour = broken ? "#b00020" : "#333";
    if (st->kind != TD_STEP_MSG) {
        td_str_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-style=\"italic\" class=\"detail\">",
                      LADDER_W / 2, y);
        esc_n(b, text, cut);
        td_str_add(b, "</text></g>\n");
        return;
    }
    if (st->dir == TD_STEP_LOCAL) {
        td_str_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"120\" height=\"22\" fill=\"#fff\" stroke=\"%s\"/>",
                      LANE_CLIENT - 60, y - 15, colour);
    } else {
        bool right = st->dir == TD_STEP_TO_SERVER;
        int x1 = right ? LANE_CLIENT : LANE_SERVER, x2 = right ? LANE_SERVER - 4 : LANE_CLIENT + 4;
        td_str_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" marker-end=\"url(#%s)\"%s/>",
                      x1, y, x2, y, colour, broken ? "arrow-bad" : "arrow", broken ? " stroke-dasharray=\"6 4\"" : "");
    }
    int lx = st->dir == TD_STEP_LOCAL ? LANE_CLIENT : LADDER_W / 2;
    td_str_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">%s", lx, y - 4,
                  broken ? "\u2717 " : "");
    esc(b, st->label);
    if (st->ms >= 0)
        td_str_printf(b, " (%.0f ms)", st->ms);
    td_str_add(b, "</text>");
    td_str_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"detail\">", LADDER_W / 2, y + 15);
    esc_n(b, text, cut);
    td_str_add(b, cut < strlen(text) ? "\u2026</text></g>\n" : "</text></g>\n");
}

/* The handshake as a sequence diagram, then the same steps as a list whose
 * lines are not cut. */
static void ladder(td_str *b, const td_report *r, td_cert_info *ci)
{
    td_steps s;
    td_handshake_steps(&r->obs, ci, &s);
    if (s.err)
        b->err = 1;
    int broke = td_steps_broken(&s);
    int h = LADDER_TOP + (int)s.n * ROW_H + 20;
    td_str_add(b, "<section id=\"handshake\">\n<h2>Handshake</h2>\n");
    td_str_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"the handshake, step by step\" "
                     "width=\"100%%\" viewBox=\"0 0 %d %d\">\n",
                  LADDER_W, h);
    td_str_add(b, "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" "
                  "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#333\"/></marker>"
                  "<marker id=\"arrow-bad\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" "
                  "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"#b00020\"/></marker></defs>\n");
    td_str_printf(b, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">client (tlsdiag)</text>",
                  LANE_CLIENT);
    td_str_printf(b, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">server ", LANE_SERVER);
    esc(b, r->target);
    td_str_add(b, "</text>\n");
    td_str_printf(b, "<line x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", LANE_CLIENT, LANE_CLIENT, h - 5);
    td_str_printf(b, "<line x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", LANE_SERVER, LANE_SERVER, h - 5);
    for (size_t i = 0; i < s.n; i++)
        ladder_step(b, &s.v[i], i, (int)i == broke);
    td_str_add(b, "</svg>\n<ol class=\"steps\">\n");
    for (size_t i = 0; i < s.n; i++) {
        const td_step *st = &s.v[i];
        bool bad = (int)i == broke;
        td_str_printf(b, "<li class=\"%s\">", bad ? "broken" : "step");
        if (st->kind == TD_STEP_MSG)
            td_str_printf(b, "<span class=\"mark %s\">%s</span> ", bad ? "fail" : "ok", bad ? "\u2717" : "\u2713");
        if (st->label[0])
            elem(b, "<strong>", st->label, "</strong>: ");
        esc(b, st->text.s);
        td_str_add(b, "</li>\n");
    }
    td_str_add(b, "</ol>\n</section>\n");
    td_steps_free(&s);
}

/* The order the clients table lists verdicts in: failures first, those of
 * one reason together, then unknown, then expected failures, then OK. */
static int client_rank(const td_client_verdict *v)
{
    if (v->result == TD_CV_FAIL && !v->below_level)
        return 0;
    if (v->result == TD_CV_UNKNOWN)
        return 1;
    return v->result == TD_CV_FAIL ? 2 : 3;
}

static bool client_before(const td_client_verdict *a, const td_client_verdict *b)
{
    int ra = client_rank(a), rb = client_rank(b);
    if (ra != rb)
        return ra < rb;
    return ra <= 2 && a->reason_code < b->reason_code;
}

static bool same_group(const td_client_verdict *a, const td_client_verdict *b)
{
    return client_rank(a) == client_rank(b) && (client_rank(a) > 2 || a->reason_code == b->reason_code);
}

static void client_row(td_str *b, const td_client_verdict *v)
{
    const td_client *c = v->client;
    const char *cls = v->result == TD_CV_OK ? "ok" : v->result == TD_CV_UNKNOWN ? "unknown"
                      : v->below_level                ? "expected" : "fail";
    const char *mark = v->result == TD_CV_OK ? "\u2713 works" : v->result == TD_CV_UNKNOWN ? "? unknown"
                       : v->below_level                  ? "\u2013 fails, expected" : "\u2717 fails";
    td_str_printf(b, "<tr class=\"client %s\"><td>", cls);
    esc(b, c && c->name ? c->name : c && c->id ? c->id : "?");
    td_str_printf(b, "</td><td class=\"mark %s\">%s</td><td>", cls, mark);
    esc(b, v->step);
    td_str_add(b, "</td><td>");
    esc(b, v->reason);
    td_str_add(b, "</td></tr>\n");
}

static void clients(td_str *b, const td_report *r)
{
    const td_client_table *t = &r->clients;
    if (t->n == 0)
        return;
    size_t order[TD_MAX_CLIENTS];
    size_t n = t->n < TD_MAX_CLIENTS ? t->n : TD_MAX_CLIENTS;
    for (size_t i = 0; i < n; i++) { /* insertion sort: stable, and n is small */
        size_t j = i;
        while (j > 0 && client_before(&t->v[i], &t->v[order[j - 1]])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    td_str_printf(b, "<section id=\"clients\">\n<h2>Clients</h2>\n<table id=\"clients-table\">\n"
                     "<thead><tr><th>Client</th><th>Result</th><th>Step</th><th>Reason</th></tr></thead>\n");
    for (size_t k = 0; k < n; k++) {
        const td_client_verdict *v = &t->v[order[k]];
        if (k == 0 || !same_group(v, &t->v[order[k - 1]])) {
            size_t m = 1;
            while (k + m < n && same_group(v, &t->v[order[k + m]]))
                m++;
            const char *what = client_rank(v) == 0 ? td_reason_token(v->reason_code)
                               : client_rank(v) == 1 ? "not known"
                               : client_rank(v) == 2 ? "below the level asked for" : "connect";
            td_str_add(b, k ? "</tbody>\n<tbody>\n" : "<tbody>\n");
            td_str_printf(b, "<tr class=\"group\"><th colspan=\"4\">%zu client%s: ", m, m == 1 ? "" : "s");
            esc(b, what);
            td_str_add(b, "</th></tr>\n");
        }
        client_row(b, v);
    }
    td_str_add(b, "</tbody>\n</table>\n</section>\n");
}

/* The chain as the server sent it, then the path a strict client builds
 * from it and the trust store, the link it could not make marked. */
static void chain(td_str *b, const td_report *r, td_cert_info *ci)
{
    const td_obs *obs = &r->obs;
    const td_cert *certs = obs->hs.n_chain ? obs->hs.chain : obs->certs;
    size_t n = obs->hs.n_chain ? obs->hs.n_chain : obs->n_certs;
    if (n == 0)
        return;
    td_str_add(b, "<section id=\"chain\">\n<h2>Certificate chain</h2>\n<h3>As sent</h3>\n<ol start=\"0\">\n");
    for (size_t i = 0; i < n; i++) {
        const td_cert_info *x = td_report_cert_info(&certs[i], ci);
        if (!x) {
            td_str_add(b, "<li>(undecodable)</li>\n");
            continue;
        }
        elem(b, "<li><code class=\"subject\">", x->subject, "</code><br>issued by <code>");
        esc(b, x->issuer);
        td_str_add(b, "</code><br>valid ");
        esc(b, x->not_before_iso);
        td_str_add(b, " to ");
        esc(b, x->not_after_iso);
        td_str_add(b, "</li>\n");
    }
    td_str_add(b, "</ol>\n");
    const td_path *p = &obs->path;
    if (!td_path_done(p)) {
        td_str_add(b, "</section>\n");
        return;
    }
    td_str_add(b, "<h3>Path to the trust store</h3>\n<p>");
    escf(b, "Store: %s. Verdict: %s", obs->store_name, td_path_verdict_name(p->verdict));
    td_str tail;
    td_str_init(&tail);
    td_path_break(p, &tail);
    if (tail.s && *tail.s) {
        td_str_add(b, ": ");
        esc(b, tail.s);
    }
    td_str_free(&tail);
    td_str_add(b, ".</p>\n<ol class=\"path\" start=\"0\">\n");
    for (size_t i = 0; i < p->n && i < TD_PATH_MAX; i++) {
        bool bad = p->verdict != TD_PATH_OK && (int)i == p->depth;
        td_str_printf(b, "<li class=\"%s\">%s<code>", bad ? "missing" : "link", bad ? "\u2717 " : "");
        esc(b, p->subjects[i]);
        td_str_printf(b, "</code> (%s)</li>\n", td_path_src_name(p->src[i]));
    }
    if (p->verdict == TD_PATH_INCOMPLETE)
        elem(b, "<li class=\"missing\">\u2717 missing: <code>", p->missing_issuer[0] ? p->missing_issuer : "(unnamed)",
             "</code> (not sent, not in the trust store)</li>\n");
    td_str_add(b, "</ol>\n</section>\n");
}

static const char *tri_text(td_tri t)
{
    return t == TD_YES ? "\u2713 accepted" : t == TD_NO ? "\u2717 refused" : "? not tested";
}

static void protocols(td_str *b, const td_report *r)
{
    const td_obs *o = &r->obs;
    char nb[96];
    td_str_add(b, "<section id=\"protocols\">\n<h2>Versions, suites and groups</h2>\n<table id=\"versions\">\n"
                  "<thead><tr><th>Version</th><th>Result</th><th>Suites accepted</th></tr></thead>\n<tbody>\n");
    for (int i = TD_NVERSIONS - 1; i >= 0; i--) {
        td_str_add(b, "<tr><td>");
        esc(b, td_version_text(td_vat(i), nb, sizeof nb));
        td_str_printf(b, "</td><td>%s</td><td>", tri_text(o->version_ok[i]));
        for (size_t k = 0; k < o->n_suites[i] && k < TD_MAX_SUITES; k++) {
            td_str_add(b, k ? "<br>" : "");
            esc(b, td_suite_name(o->suites[i][k], nb, sizeof nb));
        }
        td_str_add(b, "</td></tr>\n");
    }
    td_str_add(b, "</tbody>\n</table>\n");
    if (o->n_groups) {
        td_str_add(b, "<table id=\"groups\">\n<thead><tr><th>Group, server preference</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < o->n_groups && i < TD_MAX_GROUPS; i++)
            elem(b, "<tr><td>", td_group_name(o->groups[i], nb, sizeof nb), "</td></tr>\n");
        td_str_add(b, "</tbody>\n</table>\n");
    }
    td_str_add(b, "</section>\n");
}

static void others(td_str *b, const td_findings *fs)
{
    if (fs->n == 0 || (fs->n == 1 && fs->root_cause == 0))
        return;
    td_str_add(b, "<section id=\"findings\">\n<h2>Other findings</h2>\n");
    for (size_t i = 0; i < fs->n; i++)
        if ((int)i != fs->root_cause)
            finding(b, fs, i, false);
    td_str_add(b, "</section>\n");
}

int td_report_write_html(const td_report *r, FILE *f)
{
    td_cert_info *ci = malloc(sizeof *ci);
    if (!ci)
        return -1;
    td_verdict v = td_report_verdict(r);
    td_str b;
    td_str_init(&b);
    head(&b, r, v);
    verdict(&b, r, v);
    ladder(&b, r, ci);
    clients(&b, r);
    chain(&b, r, ci);
    protocols(&b, r);
    others(&b, &r->findings);
    td_str_printf(&b, "<p><small>tlsdiag: %zu connections in %.0f ms.</small></p>\n<script>%s</script>\n</body>\n</html>\n",
                  (size_t)r->obs.connections, r->obs.elapsed_ms, script);
    free(ci);
    int rc = b.err || !b.s ? -1 : 0;
    if (rc == 0 && fwrite(b.s, 1, b.len, f) != b.len)
        rc = -1;
    td_str_free(&b);
    return rc;
}
