/* The report as one self-contained HTML page: to attach to a ticket, open
 * offline, print.  Everything it needs is inline (CSS, SVG, a few lines of
 * script for the copy buttons), so opening it makes no request.  It draws
 * the same report model as the text and JSON forms and decides nothing.
 * Every string from the report goes through td_html_esc(): certificate names,
 * banners and alert texts come from the peer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/clients.h"
#include "registry/registry.h"
#include "report/htmlpage.h"
#include "report/report.h"
#include "wire/tls.h"

static void head(td_str *b, const td_report *r, td_verdict v)
{
    td_str title, h1;
    td_str_init(&title);
    td_str_init(&h1);
    td_str_printf(&title, "tlsdiag %s: %s", td_verdict_label(v), r->target);
    td_str_printf(&h1, "tlsdiag check %s", r->target);
    b->err |= title.err | h1.err;
    td_html_head(b, title.s ? title.s : "tlsdiag", h1.s ? h1.s : "tlsdiag");
    td_str_free(&title);
    td_str_free(&h1);
}

static void verdict(td_str *b, const td_report *r, td_verdict v)
{
    td_str s;
    td_str_init(&s);
    td_verdict_sentence(r, &s);
    td_str_printf(b, "<p class=\"verdict v-%s\" id=\"verdict\"><strong>%s</strong> ", td_verdict_name(v),
                  td_verdict_label(v));
    td_html_esc(b, s.s);
    td_str_add(b, "</p>\n");
    if (s.err)
        b->err = 1;
    td_str_free(&s);
    const td_findings *fs = &r->findings;
    if (fs->root_cause < 0 || (size_t)fs->root_cause >= fs->n)
        return;
    td_str_add(b, "<section id=\"root-cause\">\n<h2>Root cause</h2>\n");
    td_html_finding(b, fs, (size_t)fs->root_cause, true, "");
    td_str_add(b, "</section>\n");
}

/* The handshake as a sequence diagram, then the same steps as a list whose
 * lines are not cut. */
static void ladder(td_str *b, const td_report *r, td_cert_info *ci)
{
    td_steps s;
    td_handshake_steps(&r->obs, ci, &s);
    if (s.err)
        b->err = 1;
    td_str server;
    td_str_init(&server);
    td_str_printf(&server, "server %s", r->target);
    b->err |= server.err;
    td_str_add(b, "<section id=\"handshake\">\n<h2>Handshake</h2>\n");
    td_html_ladder(b, s.v, s.n, td_steps_broken(&s), "", "client (tlsdiag)", server.s ? server.s : "server");
    td_str_add(b, "</section>\n");
    td_str_free(&server);
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
    td_html_esc(b, c && c->name ? c->name : c && c->id ? c->id : "?");
    td_str_printf(b, "</td><td class=\"mark %s\">%s</td><td>", cls, mark);
    td_html_esc(b, v->step);
    td_str_add(b, "</td><td>");
    td_html_esc(b, v->reason);
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
            td_html_esc(b, what);
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
        td_html_elem(b, "<li><code class=\"subject\">", x->subject, "</code><br>issued by <code>");
        td_html_esc(b, x->issuer);
        td_str_add(b, "</code><br>valid ");
        td_html_esc(b, x->not_before_iso);
        td_str_add(b, " to ");
        td_html_esc(b, x->not_after_iso);
        td_str_add(b, "</li>\n");
    }
    td_str_add(b, "</ol>\n");
    const td_path *p = &obs->path;
    if (!td_path_done(p)) {
        td_str_add(b, "</section>\n");
        return;
    }
    td_str_add(b, "<h3>Path to the trust store</h3>\n<p>");
    td_html_escf(b, "Store: %s. Verdict: %s", obs->store_name, td_path_verdict_name(p->verdict));
    td_str tail;
    td_str_init(&tail);
    td_path_break(p, &tail);
    if (tail.s && *tail.s) {
        td_str_add(b, ": ");
        td_html_esc(b, tail.s);
    }
    td_str_free(&tail);
    td_str_add(b, ".</p>\n<ol class=\"path\" start=\"0\">\n");
    for (size_t i = 0; i < p->n && i < TD_PATH_MAX; i++) {
        bool bad = p->verdict != TD_PATH_OK && (int)i == p->depth;
        td_str_printf(b, "<li class=\"%s\">%s<code>", bad ? "missing" : "link", bad ? "\u2717 " : "");
        td_html_esc(b, p->subjects[i]);
        td_str_printf(b, "</code> (%s)</li>\n", td_path_src_name(p->src[i]));
    }
    if (p->verdict == TD_PATH_INCOMPLETE)
        td_html_elem(b, "<li class=\"missing\">\u2717 missing: <code>", p->missing_issuer[0] ? p->missing_issuer : "(unnamed)",
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
        td_html_esc(b, td_version_text(td_vat(i), nb, sizeof nb));
        td_str_printf(b, "</td><td>%s</td><td>", tri_text(o->version_ok[i]));
        for (size_t k = 0; k < o->n_suites[i] && k < TD_MAX_SUITES; k++) {
            td_str_add(b, k ? "<br>" : "");
            td_html_esc(b, td_suite_name(o->suites[i][k], nb, sizeof nb));
        }
        td_str_add(b, "</td></tr>\n");
    }
    td_str_add(b, "</tbody>\n</table>\n");
    if (o->n_groups) {
        td_str_add(b, "<table id=\"groups\">\n<thead><tr><th>Group, server preference</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < o->n_groups && i < TD_MAX_GROUPS; i++)
            td_html_elem(b, "<tr><td>", td_group_name(o->groups[i], nb, sizeof nb), "</td></tr>\n");
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
            td_html_finding(b, fs, i, false, "");
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
    td_str_printf(&b, "<p><small>tlsdiag: %zu connections in %.0f ms.</small></p>\n", (size_t)r->obs.connections,
                  r->obs.elapsed_ms);
    td_html_foot(&b, NULL);
    free(ci);
    int rc = td_html_write(&b, f);
    td_str_free(&b);
    return rc;
}
