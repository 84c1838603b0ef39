/* The page of a fleet scan: a table of the targets (root cause, expiry,
 * clients shut out) that a few lines of inline script sort and filter
 * offline, the root causes as a bar chart, the expiry timeline as SVG, and
 * a section per target with its verdict, root cause, fix and verify.  It
 * copies what the JSON lines say and decides nothing; every string is
 * escaped (certificate names and error texts come from the servers). */
#include <stdlib.h>
#include <string.h>

#include "report/htmlpage.h"
#include "report/scanhtml.h"
#include "util/utc.h"

#define TIMELINE_ROWS 40   /* targets on the timeline, soonest first; the table has all */
#define TL_LABEL_W 260
#define TL_LABEL_CUT 30 /* bytes of a target drawn on the timeline; its title has all */
#define TL_W 460
#define TL_ROW_H 18
#define NO_EXPIRY 99999L   /* the sort value of a target without a certificate */

typedef struct row {
    char *key, *verdict, *cause, *summary, *fix, *verify, *subject, *not_after, *shut_out, *error;
    long n_shut_out;
} row;

struct td_scan_page {
    row *v;
    size_t n, cap;
};

static const char sort_script[] =
    "(function(){var t=document.getElementById('targets');if(!t)return;var tb=t.tBodies[0];"
    "var f=document.getElementById('filter'),c=document.getElementById('cause-filter');"
    "function apply(){var q=f.value.toLowerCase(),k=c.value;Array.prototype.forEach.call(tb.rows,function(r){"
    "r.hidden=!((!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!k||r.getAttribute('data-cause')===k));});}"
    "f.addEventListener('input',apply);c.addEventListener('change',apply);"
    "t.querySelectorAll('th button').forEach(function(b){b.addEventListener('click',function(){"
    "var th=b.parentNode,asc=th.getAttribute('aria-sort')!=='ascending',col=th.cellIndex,"
    "num=th.hasAttribute('data-num');t.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});"
    "th.setAttribute('aria-sort',asc?'ascending':'descending');var rows=Array.prototype.slice.call(tb.rows);"
    "rows.sort(function(x,y){var a=x.cells[col].getAttribute('data-v'),b=y.cells[col].getAttribute('data-v');"
    "var d=num?parseFloat(a)-parseFloat(b):a.localeCompare(b);return asc?d:-d;});"
    "rows.forEach(function(r){tb.appendChild(r);});});});})();";

td_scan_page *td_scan_page_new(void)
{
    return calloc(1, sizeof(td_scan_page));
}

static void row_free(row *r)
{
    char **f[] = { &r->key,     &r->verdict,   &r->cause,    &r->summary, &r->fix,
                   &r->verify,  &r->subject,   &r->not_after, &r->shut_out, &r->error };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        free(*f[i]);
}

void td_scan_page_free(td_scan_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        row_free(&p->v[i]);
    free(p->v);
    free(p);
}

static const char *str_at(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* A copy; false when out of memory. */
static bool keep(char **to, const char *s)
{
    *to = strdup(s ? s : "");
    return *to != NULL;
}

/* The clients a target shuts out: failing and not below the level asked
 * for, as the check's report counts them. */
static bool shut_out(row *r, const json_t *line)
{
    td_str names;
    td_str_init(&names);
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(line, "clients"), i, c) {
        if (strcmp(str_at(c, "result"), "fail") != 0 || json_is_true(json_object_get(c, "below_level")))
            continue;
        td_str_printf(&names, "%s%s", r->n_shut_out ? ", " : "", str_at(c, "name"));
        r->n_shut_out++;
    }
    bool ok = !names.err && keep(&r->shut_out, names.s);
    td_str_free(&names);
    return ok;
}

const char *td_scan_asked_starttls(const json_t *target)
{
    const json_t *st = json_object_get(target, "starttls");
    return json_is_object(st) && !json_is_true(json_object_get(st, "auto")) ? str_at(st, "protocol") : NULL;
}

bool td_scan_page_add(td_scan_page *p, const json_t *line)
{
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 64;
        row *v = realloc(p->v, nc * sizeof *v);
        if (!v)
            return false;
        p->v = v;
        p->cap = nc;
    }
    row *r = &p->v[p->n];
    *r = (row){ .n_shut_out = 0 };
    td_str key;
    td_str_init(&key);
    const json_t *t = json_object_get(line, "target");
    if (json_is_object(t)) {
        td_str_printf(&key, "%s:%lld (%s)", str_at(t, "host"), (long long)json_integer_value(json_object_get(t, "port")),
                      str_at(t, "address_used"));
        /* One port checked with and without an upgrade is two rows, told
         * apart as their keys are: by the upgrade asked for, not one the
         * port's greeting chose. */
        const char *st = td_scan_asked_starttls(t);
        if (st && *st)
            td_str_printf(&key, " starttls=%s", st);
    } else
        td_str_printf(&key, "line %lld: %s", (long long)json_integer_value(json_object_get(line, "line")),
                      str_at(line, "input"));
    /* "root_cause": null on a healthy target: its findings (a note, a
     * warning) have fixes, but none is the target's. */
    const json_t *root = json_object_get(line, "root_cause");
    bool has_root = json_is_object(root);
    const json_t *f = json_array_get(json_object_get(line, "findings"), (size_t)json_integer_value(json_object_get(root, "index")));
    const json_t *leaf = json_array_get(json_object_get(json_object_get(line, "observations"), "certificates"), 0);
    bool error = json_object_get(line, "error") != NULL;
    bool ok = !key.err && keep(&r->key, key.s) && keep(&r->verdict, error ? "error" : str_at(line, "verdict")) &&
              keep(&r->cause, str_at(root, "id")) && keep(&r->summary, str_at(root, "summary")) &&
              keep(&r->fix, has_root ? str_at(f, "fix") : "") &&
              keep(&r->verify, has_root ? str_at(f, "verify") : "") &&
              keep(&r->subject, str_at(leaf, "subject")) && keep(&r->not_after, str_at(leaf, "not_after")) && keep(&r->error, str_at(line, "error")) &&
              shut_out(r, line);
    td_str_free(&key);
    if (!ok) {
        row_free(r);
        return false;
    }
    p->n++;
    return true;
}

/* Whole days from now to the row's certificate end, rounded down; false
 * when it has none. */
static bool days_left(const row *r, int64_t now, long *days)
{
    int64_t t;
    if (!td_utc_parse_iso(r->not_after, &t))
        return false;
    int64_t d = t - now;
    *days = (long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
    return true;
}

static void counts(td_str *b, const json_t *sum)
{
    static const char *const keys[] = { "targets", "ok", "warn", "fail", "input_errors" };
    static const char *const labels[] = { "Targets", "OK", "WARN", "FAIL", "Input errors" };
    td_str_add(b, "<table id=\"counts\"><tbody>\n");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        td_str_printf(b, "<tr><th>%s</th><td>%lld</td></tr>\n", labels[i],
                      (long long)json_integer_value(json_object_get(sum, keys[i])));
    td_str_add(b, "</tbody></table>\n");
}

/* The first target whose root cause is id, for the chart's links. */
static long first_with(const td_scan_page *p, const char *id)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->v[i].cause, id) == 0)
            return (long)i;
    return -1;
}

static void causes(td_str *b, const td_scan_page *p, const json_t *sum)
{
    const json_t *rc = json_object_get(sum, "root_causes");
    size_t n = json_object_size(rc), k = 0;
    if (n == 0)
        return;
    td_html_bar *bars = calloc(n, sizeof *bars);
    char (*ids)[32] = calloc(n, sizeof *ids);
    if (!bars || !ids) {
        b->err = 1;
        free(bars);
        free(ids);
        return;
    }
    const char *id;
    const json_t *v;
    json_object_foreach((json_t *)rc, id, v) {
        long at = first_with(p, id);
        snprintf(ids[k], sizeof ids[k], "t-%ld", at);
        bars[k] = (td_html_bar){ id, (unsigned long)json_integer_value(v), at >= 0 ? ids[k] : NULL };
        k++;
    }
    td_str_add(b, "<h3>By root cause</h3>\n");
    td_html_bars(b, "causes", "targets by root cause", bars, k);
    free(bars);
    free(ids);
}

typedef struct dated {
    size_t i;
    long days;
} dated;

static int by_days(const void *a, const void *b)
{
    const dated *x = a, *y = b;
    return x->days != y->days ? (x->days < y->days ? -1 : 1) : (x->i < y->i ? -1 : x->i > y->i);
}

/* The soonest certificate ends on one axis from the earliest to the latest
 * shown (today always on it), coloured by the expiry window and said in
 * days as well. */
static void timeline(td_str *b, const td_scan_page *p, long warn_days, int64_t now)
{
    dated *d = calloc(p->n ? p->n : 1, sizeof *d);
    if (!d) {
        b->err = 1;
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (days_left(&p->v[i], now, &d[n].days))
            d[n++].i = i;
    qsort(d, n, sizeof *d, by_days);
    size_t shown = n < TIMELINE_ROWS ? n : TIMELINE_ROWS;
    if (shown == 0) {
        free(d);
        return;
    }
    long lo = d[0].days < 0 ? d[0].days : 0, hi = d[shown - 1].days > warn_days ? d[shown - 1].days : warn_days;
    hi = hi > lo ? hi : lo + 1;
    int h = (int)shown * TL_ROW_H + 30;
    int x0 = TL_LABEL_W + (int)((double)(0 - lo) / (double)(hi - lo) * TL_W);
    td_str_add(b, "<h3>Certificate expiry</h3>\n");
    td_str_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"expiry\" role=\"img\" aria-label=\"certificate "
                     "expiry, soonest first\" width=\"100%%\" viewBox=\"0 0 %d %d\">\n",
                  TL_LABEL_W + TL_W + 90, h);
    td_str_printf(b, "<line x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/><text x=\"%d\" y=\"%d\" "
                     "class=\"detail\">today</text>\n",
                  x0, x0, h - 16, x0 + 3, h - 4);
    for (size_t k = 0; k < shown; k++) {
        const row *r = &p->v[d[k].i];
        long days = d[k].days;
        int y = (int)k * TL_ROW_H + 12;
        int x = TL_LABEL_W + (int)((double)(days - lo) / (double)(hi - lo) * TL_W);
        const char *colour = days < 0 ? "#b00020" : days <= warn_days ? "#a56a00" : "#1b6e2e";
        td_str_printf(b, "<g class=\"expiry%s\"><title>", days <= warn_days ? " soon" : "");
        td_html_escf(b, "%s: %s", r->key, r->not_after);
        td_str_printf(b, "</title><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", TL_LABEL_W - 8, y + 4);
        size_t cut = td_html_cut(r->key, TL_LABEL_CUT);
        td_html_esc_n(b, r->key, cut);
        td_str_printf(b, "%s</text><circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" "
                         "class=\"detail\">%ld days</text></g>\n",
                      cut < strlen(r->key) ? "\u2026" : "", x, y, colour, x + 9, y + 4, days);
    }
    td_str_add(b, "</svg>\n");
    if (n > shown)
        td_str_printf(b, "<p>The %zu soonest of %zu certificates; the table lists all.</p>\n", shown, n);
    free(d);
}

/* A cell with its sort value. */
static void cell(td_str *b, const char *sort, const char *text)
{
    td_str_add(b, "<td data-v=\"");
    td_html_esc(b, sort);
    td_str_add(b, "\">");
    td_html_esc(b, text);
    td_str_add(b, "</td>");
}

static void table(td_str *b, const td_scan_page *p, const json_t *sum, int64_t now)
{
    td_str_add(b, "<h2>Targets</h2>\n<p><label>Filter: <input type=\"search\" id=\"filter\"></label> "
                  "<label>Root cause: <select id=\"cause-filter\"><option value=\"\">any</option>");
    const char *id;
    const json_t *v;
    json_object_foreach((json_t *)json_object_get(sum, "root_causes"), id, v)
        td_html_elem(b, "<option>", id, "</option>");
    td_str_add(b, "</select></label></p>\n<table id=\"targets\">\n<thead><tr><th><button type=\"button\">Target"
                  "</button></th><th><button type=\"button\">Verdict</button></th><th><button type=\"button\">Root "
                  "cause</button></th><th data-num><button type=\"button\">Days left</button></th><th data-num>"
                  "<button type=\"button\">Clients shut out</button></th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < p->n; i++) {
        const row *r = &p->v[i];
        char num[32], shown[32];
        long days = 0;
        td_str_add(b, "<tr data-cause=\"");
        td_html_esc(b, r->cause);
        td_str_printf(b, "\" class=\"target\"><td data-v=\"");
        td_html_esc(b, r->key);
        td_str_printf(b, "\"><a href=\"#t-%zu\">", i);
        td_html_esc(b, r->key);
        td_str_add(b, "</a></td>");
        cell(b, r->verdict, r->verdict);
        cell(b, r->cause, r->cause[0] ? r->cause : r->error);
        bool has_end = days_left(r, now, &days);
        snprintf(num, sizeof num, "%ld", has_end ? days : NO_EXPIRY);
        snprintf(shown, sizeof shown, "%ld", days);
        cell(b, num, has_end ? shown : "");
        snprintf(num, sizeof num, "%ld", r->n_shut_out);
        cell(b, num, num);
        td_str_add(b, "</tr>\n");
    }
    td_str_add(b, "</tbody>\n</table>\n");
}

static void target(td_str *b, const row *r, size_t i)
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, "t%zu-", i);
    td_str_printf(b, "<section class=\"conn\" id=\"t-%zu\">\n", i);
    td_html_elem(b, "<h2>", r->key, "</h2>\n");
    bool ok = strcmp(r->verdict, "ok") == 0;
    td_str_printf(b, "<p class=\"verdict v-%s\"><strong>", ok ? "ok" : strcmp(r->verdict, "warn") == 0 ? "warn" : "fail");
    td_html_esc(b, r->verdict);
    td_str_add(b, "</strong> ");
    td_html_esc(b, r->error[0] ? r->error : r->summary);
    td_str_add(b, "</p>\n");
    if (r->cause[0])
        td_html_elem(b, "<p>Root cause: <code class=\"id\">", r->cause, "</code></p>\n");
    if (r->fix[0])
        td_html_elem(b, "<h4>Fix</h4><pre class=\"fix\">", r->fix, "</pre>\n");
    if (r->verify[0]) {
        char id[48];
        snprintf(id, sizeof id, "%sverify", prefix);
        td_html_command(b, "Verify", r->verify, id);
    }
    /* The subject is the certificate owner's text: escaped like the rest. */
    if (r->subject[0])
        td_html_elem(b, "<p>Certificate: <code class=\"subject\">", r->subject, "</code></p>\n");
    if (r->not_after[0])
        td_html_elem(b, "<p>Certificate ends ", r->not_after, ".</p>\n");
    if (r->n_shut_out)
        td_html_elem(b, "<p>Clients shut out: ", r->shut_out, ".</p>\n");
    td_str_add(b, "</section>\n");
}

int td_scan_page_write(const td_scan_page *p, const json_t *summary, int64_t now, FILE *f)
{
    const json_t *sum = json_object_get(summary, "summary");
    long fail = (long)json_integer_value(json_object_get(sum, "fail"));
    long targets = (long)json_integer_value(json_object_get(sum, "targets"));
    long refused = (long)json_integer_value(json_object_get(sum, "input_errors"));
    td_str b;
    td_str_init(&b);
    td_html_head(&b, "tlsdiag scan", "tlsdiag scan");
    bool bad = fail || refused;
    td_str_printf(&b, "<p class=\"verdict v-%s\" id=\"verdict\"><strong>%s</strong> ", bad ? "fail" : "ok",
                  bad ? "FAIL" : "OK");
    td_html_escf(&b, "%ld of %ld targets fail", fail, targets);
    if (refused)
        td_html_escf(&b, "; %ld line%s of the list name%s no target", refused, refused == 1 ? "" : "s",
                     refused == 1 ? "s" : "");
    if (json_is_true(json_object_get(sum, "interrupted")))
        td_str_add(&b, " (the scan was interrupted)");
    td_str_add(&b, "</p>\n<section id=\"summary\">\n<h2>Summary</h2>\n");
    counts(&b, sum);
    causes(&b, p, sum);
    timeline(&b, p, (long)json_integer_value(json_object_get(sum, "warn_days")), now);
    td_str_add(&b, "</section>\n");
    table(&b, p, sum, now);
    for (size_t i = 0; i < p->n; i++)
        target(&b, &p->v[i], i);
    td_html_foot(&b, sort_script);
    int rc = td_html_write(&b, f);
    td_str_free(&b);
    return rc;
}
