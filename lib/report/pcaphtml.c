/* The report of `tlsdiag pcap` as one self-contained HTML page: the
 * summary (handshakes, failures by root cause as a bar chart, by server, by
 * client fingerprint), then a section per listed connection: its verdict,
 * who the client looks like, root cause with fix and verify, the ladder as
 * a sequence diagram and its other findings.  It
 * lists the connections the text report lists and decides nothing; every
 * string from the capture (SNI, certificate fields, alert texts) is
 * escaped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/htmlpage.h"
#include "report/pcap_int.h"
#include "util/utc.h"

static bool listed(const td_capture *c, const td_cap_result *r, bool verbose)
{
    return verbose || r->failed || c->stream_set;
}

/* The first listed connection whose root cause is id, for the chart's links. */
static const td_cap_result *first_with_cause(const td_capture *c, size_t id, bool verbose)
{
    for (size_t k = 0; k < c->n_results; k++) {
        const td_cap_result *r = &c->results[k];
        const td_findings *fs = &r->fs;
        if (listed(c, r, verbose) && fs->root_cause >= 0 && (size_t)fs->root_cause < fs->n &&
            (size_t)fs->v[fs->root_cause].id == id)
            return r;
    }
    return NULL;
}

static void put_li(void *arg, const char *line)
{
    td_html_elem(arg, "<li>", line, "</li>\n");
}

/* The list items put_li gathered, under a heading; frees them. */
static void note_list(td_str *b, td_str *notes)
{
    if (notes->len) {
        td_str_add(b, "<h3>Notes</h3>\n<ul class=\"notes\">\n");
        td_str_add(b, notes->s);
        td_str_add(b, "</ul>\n");
    }
    b->err |= notes->err;
    td_str_free(notes);
}

static void causes(td_str *b, const td_capture *c, bool verbose)
{
    td_html_bar bars[TD_ID_COUNT];
    char ids[TD_ID_COUNT][32];
    size_t n = 0;
    for (size_t k = 0; k < TD_ID_COUNT; k++) {
        if (!c->causes[k].n)
            continue;
        const td_cap_result *r = first_with_cause(c, k, verbose);
        snprintf(ids[n], sizeof ids[n], "conn-%lu", r ? r->obs.stream : 0);
        bars[n] = (td_html_bar){ c->causes[k].name, c->causes[k].n, r ? ids[n] : NULL };
        n++;
    }
    if (n == 0)
        return;
    td_str_add(b, "<h3>By root cause</h3>\n");
    td_html_bars(b, "causes", "failed handshakes by root cause", bars, n);
}

static void servers(td_str *b, const td_capture *c)
{
    if (c->n_servers == 0)
        return;
    td_str_add(b, "<h3>By server</h3>\n<table id=\"servers\">\n<thead><tr><th>Server</th><th>Handshakes</th>"
                  "<th>Failed</th></tr></thead>\n<tbody>\n");
    for (size_t k = 0; k < c->n_servers; k++) {
        td_html_elem(b, "<tr><td>", c->servers[k].name, "</td>");
        td_str_printf(b, "<td>%lu</td><td>%lu</td></tr>\n", c->servers[k].n, c->servers[k].failed);
    }
    if (c->other_servers)
        td_str_printf(b, "<tr><td>other servers</td><td>%lu</td><td>%lu</td></tr>\n", c->other_servers,
                      c->other_servers_failed);
    td_str_add(b, "</tbody>\n</table>\n");
}

static void clients(td_str *b, const td_capture *c)
{
    if (c->n_clients == 0)
        return;
    td_str_add(b, "<h3>By client fingerprint</h3>\n<table id=\"clients\">\n<thead><tr><th>JA4</th><th>Looks like</th>"
                  "<th>Handshakes</th><th>Failed</th></tr></thead>\n<tbody>\n");
    for (size_t k = 0; k < c->n_clients; k++) {
        const td_cap_fpcount *x = &c->clients[k];
        td_html_elem(b, "<tr><td><code>", x->ja4, "</code></td>");
        td_html_elem(b, "<td>", x->like ? x->like->name : "unknown client", "</td>");
        td_str_printf(b, "<td>%lu</td><td>%lu</td></tr>\n", x->n, x->failed);
    }
    if (c->other_clients)
        td_str_printf(b, "<tr><td colspan=\"2\">other or unreadable hellos</td><td>%lu</td><td>%lu</td></tr>\n",
                      c->other_clients, c->other_clients_failed);
    td_str_add(b, "</tbody>\n</table>\n");
}

static void summary(td_str *b, const td_capture *c, bool verbose)
{
    bool bad = td_capture_failed(c);
    td_str_printf(b, "<p class=\"verdict v-%s\" id=\"verdict\"><strong>%s</strong> ", bad ? "fail" : "ok",
                  bad ? "FAIL" : "OK");
    if (c->stream_set)
        td_html_escf(b, "%s: stream %lu of %lu TCP connection%s", c->file, c->stream, c->connections,
                     c->connections == 1 ? "" : "s");
    else
        td_html_escf(b, "%s: %lu of %lu TLS handshake%s failed", c->file, c->failed, c->handshakes,
                     c->handshakes == 1 ? "" : "s");
    td_str_add(b, "</p>\n<section id=\"summary\">\n<h2>Summary</h2>\n<table id=\"counts\"><tbody>\n");
    td_str_printf(b, "<tr><th>TCP connections</th><td>%lu</td></tr>\n<tr><th>TLS handshakes</th><td>%lu</td></tr>\n"
                     "<tr><th>Failed</th><td>%lu</td></tr>\n<tr><th>Without TLS</th><td>%lu</td></tr>\n",
                  c->connections, c->handshakes, c->failed, c->not_tls);
    if (c->decrypted)
        td_str_printf(b, "<tr><th>Opened with --keylog</th><td>%lu</td></tr>\n", c->decrypted);
    td_str_add(b, "</tbody></table>\n");
    causes(b, c, verbose);
    servers(b, c);
    clients(b, c);
    td_str notes;
    td_str_init(&notes);
    td_cap_summary_notes(c, put_li, &notes);
    note_list(b, &notes);
    td_str_add(b, "</section>\n");
}

/* The capture's rungs as the steps the ladder draws; a reset the rules
 * judged a middlebox's comes from the middle of the path. */
static size_t cap_steps(const td_cap_result *r, td_step *v, td_str *page)
{
    const td_capobs *o = &r->obs;
    bool middle = false;
    for (size_t k = 0; k < r->fs.n; k++)
        middle |= r->fs.v[k].id == TD_ID_MIDDLEBOX_RESET;
    for (size_t k = 0; k < o->n_steps; k++) {
        const td_cap_step *s = &o->steps[k];
        td_step *st = &v[k];
        *st = (td_step){ .kind = TD_STEP_MSG, .ok = true, .ms = s->t * 1e3 };
        st->dir = s->from_server ? TD_STEP_TO_CLIENT : TD_STEP_TO_SERVER;
        if (s->kind == TD_CS_RST && s->from_server && middle)
            st->dir = TD_STEP_FROM_MIDDLE;
        td_str_init(&st->text);
        td_cap_step_text(s, &st->text);
        page->err |= st->text.err;
        switch (s->kind) {
        case TD_CS_HANDSHAKE: st->label = td_cap_step_message(s); break;
        case TD_CS_ALERT: st->label = "Alert"; break;
        case TD_CS_RST: st->label = "RST"; break;
        case TD_CS_FIN: st->label = "FIN"; break;
        case TD_CS_SYN: st->label = "SYN"; break;
        case TD_CS_SYNACK: st->label = "SYN-ACK"; break;
        case TD_CS_CCS: st->label = "ChangeCipherSpec"; break;
        case TD_CS_ENCRYPTED: st->label = "encrypted"; break;
        case TD_CS_SSLV2_HELLO: st->label = "SSLv2 CLIENT-HELLO"; break;
        case TD_CS_NOT_TLS: st->label = "not TLS"; break;
        }
    }
    return o->n_steps;
}

static void connection(td_str *b, const td_capture *c, const td_cap_result *r)
{
    const td_capobs *o = &r->obs;
    char cl[96], sv[96], when[40], prefix[32];
    td_cap_endpoint(o, false, cl, sizeof cl);
    td_cap_endpoint(o, true, sv, sizeof sv);
    if (!td_utc_iso((int64_t)o->start, when, sizeof when))
        snprintf(when, sizeof when, "?");
    snprintf(prefix, sizeof prefix, "c%lu-", o->stream);
    const char *name = td_cap_verdict_name(r);
    td_str_printf(b, "<section class=\"conn\" id=\"conn-%lu\" data-verdict=\"%s\">\n<h2>", o->stream, name);
    td_html_escf(b, "Stream %lu: %s \u2192 %s", o->stream, cl, sv);
    td_str_printf(b, "</h2>\n<p class=\"verdict v-%s\"><strong>%s</strong> ", r->failed ? "fail" : "ok",
                  td_cap_verdict_label(r));
    td_html_escf(b, "at %s", when);
    if (o->sni[0])
        td_html_elem(b, ", SNI <code class=\"sni\">", o->sni, "</code>");
    td_str_add(b, "</p>\n");
    if (o->fp_read) {
        td_str who;
        td_str_init(&who);
        td_cap_client_words(o, &who);
        td_html_elem(b, "<p class=\"client\">Client: ", who.s ? who.s : "", "; JA3 <code>");
        td_html_elem(b, "", o->ja3, "</code>, JA4 <code>");
        td_html_elem(b, "", o->ja4, "</code></p>\n");
        b->err |= who.err;
        td_str_free(&who);
    }
    const td_findings *fs = &r->fs;
    if (fs->root_cause >= 0 && (size_t)fs->root_cause < fs->n) {
        td_str_add(b, "<h3>Root cause</h3>\n");
        td_html_finding(b, fs, (size_t)fs->root_cause, true, prefix);
    }
    td_step v[TD_CAP_MAX_STEPS];
    size_t n = cap_steps(r, v, b);
    td_str_add(b, "<h3>Handshake</h3>\n");
    char lane_c[112], lane_s[112];
    snprintf(lane_c, sizeof lane_c, "client %s", cl);
    snprintf(lane_s, sizeof lane_s, "server %s", sv);
    td_html_ladder(b, v, n, td_cap_broken_step(r), prefix, lane_c, lane_s);
    for (size_t k = 0; k < n; k++)
        td_str_free(&v[k].text);
    if (o->steps_dropped)
        td_str_printf(b, "<p>(%u more steps not listed)</p>\n", o->steps_dropped);
    if (fs->n > 1 || (fs->n == 1 && fs->root_cause != 0)) {
        td_str_add(b, "<h3>Other findings</h3>\n");
        for (size_t k = 0; k < fs->n; k++)
            if ((int)k != fs->root_cause)
                td_html_finding(b, fs, k, false, prefix);
    }
    td_str notes;
    td_str_init(&notes);
    td_cap_notes(c, o, put_li, &notes);
    note_list(b, &notes);
    td_str_add(b, "</section>\n");
}

int td_capture_write_html(const td_capture *c, FILE *f, unsigned flags)
{
    if (!c || !f)
        return -1;
    bool verbose = flags & TD_TEXT_VERBOSE;
    td_str b, title;
    td_str_init(&b);
    td_str_init(&title);
    td_str_printf(&title, "tlsdiag pcap %s", c->file);
    b.err |= title.err;
    td_html_head(&b, title.s ? title.s : "tlsdiag pcap", title.s ? title.s : "tlsdiag pcap");
    td_str_free(&title);
    summary(&b, c, verbose);
    for (size_t k = 0; k < c->n_results; k++)
        if (listed(c, &c->results[k], verbose))
            connection(&b, c, &c->results[k]);
    td_html_foot(&b, NULL);
    int rc = td_html_write(&b, f);
    td_str_free(&b);
    return rc;
}
