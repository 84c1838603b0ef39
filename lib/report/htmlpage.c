/* What every HTML page of tlsdiag shares: everything inline (CSS, SVG, a
 * few lines of script), so opening a page makes no request.  Every string
 * from a report goes through td_html_esc(): certificate names, banners,
 * SNI and alert texts come from the peer. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report/htmlpage.h"

#define LANE_CLIENT 150  /* x of the client's lane in the ladder */
#define LANE_SERVER 650  /* x of the server's */
#define LADDER_W 800
#define ROW_H 46         /* height of one ladder step */
#define LADDER_TOP 50
#define LADDER_CUT 88    /* bytes of a step's text drawn in the ladder; the list under it has all */
#define BAR_W 360        /* the longest bar */
#define BAR_H 14

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
    ".conn{border-top:2px solid #888;margin-top:2.5rem}th button{font:inherit;border:0;background:none;"
    "padding:0;cursor:pointer}th[aria-sort=ascending] button::after{content:' \\25B2'}"
    "th[aria-sort=descending] button::after{content:' \\25BC'}.bars td,.bars th{border:0}"
    "@media print{button{display:none}body{max-width:none}.finding,table,svg{break-inside:avoid}"
    ".conn{break-before:page}}";

static const char script[] =
    "document.querySelectorAll('button[data-copy]').forEach(function(b){"
    "b.addEventListener('click',function(){"
    "var t=document.getElementById(b.getAttribute('data-copy')).textContent;"
    "if(navigator.clipboard){navigator.clipboard.writeText(t).then(function(){b.textContent='Copied';});}"
    "else{var a=document.createElement('textarea');a.value=t;document.body.appendChild(a);a.select();"
    "document.execCommand('copy');a.remove();b.textContent='Copied';}});});";

void td_html_esc_n(td_str *b, const char *s, size_t n)
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

void td_html_esc(td_str *b, const char *s)
{
    if (s)
        td_html_esc_n(b, s, strlen(s));
}

void td_html_escf(td_str *b, const char *fmt, ...)
{
    td_str t;
    td_str_init(&t);
    va_list ap;
    va_start(ap, fmt);
    td_str_vprintf(&t, fmt, ap);
    va_end(ap);
    td_html_esc(b, t.s);
    if (t.err)
        b->err = 1;
    td_str_free(&t);
}

void td_html_elem(td_str *b, const char *open, const char *text, const char *close)
{
    td_str_add(b, open);
    td_html_esc(b, text);
    td_str_add(b, close);
}

void td_html_head(td_str *b, const char *title, const char *h1)
{
    td_str_add(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    td_html_elem(b, "<title>", title, "</title>\n");
    td_str_printf(b, "<style>%s</style>\n</head>\n<body>\n", style);
    td_html_elem(b, "<h1>", h1, "</h1>\n");
}

void td_html_foot(td_str *b, const char *extra_script)
{
    td_str_printf(b, "<script>%s%s</script>\n</body>\n</html>\n", script, extra_script ? extra_script : "");
}

int td_html_write(const td_str *b, FILE *f)
{
    if (b->err || !b->s)
        return -1;
    return fwrite(b->s, 1, b->len, f) == b->len ? 0 : -1;
}

const char *td_html_sev_class(td_severity s)
{
    return s == TD_SEV_FAIL ? "fail" : s == TD_SEV_WARN ? "warn" : "info";
}

/* A mark that says itself in words, so colour is never the only cue. */
static const char *sev_mark(td_severity s)
{
    return s == TD_SEV_FAIL ? "\u2717 FAIL" : s == TD_SEV_WARN ? "! WARN" : "i INFO";
}

void td_html_command(td_str *b, const char *label, const char *text, const char *id)
{
    td_html_elem(b, "<h4>", label, "</h4>");
    td_str_printf(b, "<div class=\"cmd\"><pre id=\"%s\">", id);
    td_html_esc(b, text);
    td_str_printf(b, "</pre><button type=\"button\" data-copy=\"%s\">Copy</button></div>\n", id);
}

void td_html_finding(td_str *b, const td_findings *fs, size_t i, bool root, const char *prefix)
{
    const td_finding *f = &fs->v[i];
    td_str_printf(b, "<div class=\"finding\" id=\"%sfinding-%zu\"><p><span class=\"mark %s\">%s</span> ", prefix, i,
                  td_html_sev_class(f->sev), sev_mark(f->sev));
    td_html_elem(b, "<code class=\"id\">", td_id_name(f->id), "</code> ");
    td_html_esc(b, f->summary);
    td_str_add(b, "</p>\n");
    if (!root && f->symptom_of >= 0 && (size_t)f->symptom_of < fs->n)
        td_html_elem(b, "<p>Follows from <code>", td_id_name(fs->v[f->symptom_of].id), "</code>.</p>\n");
    if (f->evidence && *f->evidence)
        td_html_elem(b, "<h4>Evidence</h4><pre class=\"evidence\">", f->evidence, "</pre>\n");
    if (f->fix && *f->fix)
        td_html_elem(b, "<h4>Fix</h4><pre class=\"fix\">", f->fix, "</pre>\n");
    if (f->verify && *f->verify) {
        char id[64];
        snprintf(id, sizeof id, "%sverify-%zu", prefix, i);
        td_html_command(b, "Verify", f->verify, id);
    }
    td_str_add(b, "</div>\n");
}

size_t td_html_cut(const char *s, size_t n)
{
    size_t len = strlen(s);
    if (len <= n)
        return len;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* The arrow of a message: client to server, server to client, or from the
 * middle of the path to the client (what a middlebox sends in the name of
 * the server). */
static void arrow(td_str *b, const td_step *st, int y, bool broken, const char *prefix)
{
    const char *colour = broken ? "#b00020" : "#333";
    if (st->dir == TD_STEP_LOCAL) {
        td_str_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"120\" height=\"22\" fill=\"#fff\" stroke=\"%s\"/>",
                      LANE_CLIENT - 60, y - 15, colour);
        return;
    }
    int x1 = st->dir == TD_STEP_TO_SERVER ? LANE_CLIENT : st->dir == TD_STEP_FROM_MIDDLE ? LADDER_W / 2 : LANE_SERVER;
    int x2 = st->dir == TD_STEP_TO_SERVER ? LANE_SERVER - 4 : LANE_CLIENT + 4;
    if (st->dir == TD_STEP_FROM_MIDDLE)
        td_str_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"16\" fill=\"%s\"/>"
                         "<text x=\"%d\" y=\"%d\" class=\"detail\">middlebox</text>",
                      x1 - 8, y - 8, colour, x1 + 12, y + 4);
    td_str_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" marker-end=\"url(#%s%s)\"%s/>", x1, y,
                  x2, y, colour, prefix, broken ? "arrow-bad" : "arrow", broken ? " stroke-dasharray=\"6 4\"" : "");
}

static void ladder_step(td_str *b, const td_step *st, size_t row, bool broken, const char *prefix)
{
    int y = LADDER_TOP + (int)row * ROW_H + 18;
    const char *text = st->text.s ? st->text.s : "";
    size_t cut = td_html_cut(text, LADDER_CUT);
    td_str_printf(b, "<g class=\"step%s\" data-label=\"", broken ? " broken" : "");
    td_html_esc(b, st->label);
    td_str_add(b, "\"><title>");
    td_html_esc(b, st->label[0] ? st->label : "note");
    td_str_add(b, ": ");
    td_html_esc(b, text);
    td_str_add(b, "</title>\n");
    if (st->kind != TD_STEP_MSG) {
        td_str_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-style=\"italic\" class=\"detail\">",
                      LADDER_W / 2, y);
        td_html_esc_n(b, text, cut);
        td_str_add(b, "</text></g>\n");
        return;
    }
    arrow(b, st, y, broken, prefix);
    /* A message from the middle is labelled over its own half-length arrow. */
    int lx = st->dir == TD_STEP_LOCAL ? LANE_CLIENT : st->dir == TD_STEP_FROM_MIDDLE ? (LANE_CLIENT + LADDER_W / 2) / 2
                                                                                      : LADDER_W / 2;
    td_str_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">%s", lx, y - 4,
                  broken ? "\u2717 " : "");
    td_html_esc(b, st->label);
    if (st->ms >= 0)
        td_str_printf(b, " (%.0f ms)", st->ms);
    td_str_add(b, "</text>");
    td_str_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"detail\">",
                  st->dir == TD_STEP_LOCAL ? LADDER_W / 2 : lx, y + 15);
    td_html_esc_n(b, text, cut);
    td_str_add(b, cut < strlen(text) ? "\u2026</text></g>\n" : "</text></g>\n");
}

static void marker(td_str *b, const char *prefix, const char *name, const char *colour)
{
    td_str_printf(b, "<marker id=\"%s%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" "
                     "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"%s\"/></marker>",
                  prefix, name, colour);
}

void td_html_ladder(td_str *b, const td_step *v, size_t n, int broken, const char *prefix, const char *client,
                    const char *server)
{
    int h = LADDER_TOP + (int)n * ROW_H + 20;
    td_str_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"the handshake, step by step\" "
                     "width=\"100%%\" viewBox=\"0 0 %d %d\">\n<defs>",
                  LADDER_W, h);
    marker(b, prefix, "arrow", "#333");
    marker(b, prefix, "arrow-bad", "#b00020");
    td_str_printf(b, "</defs>\n<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">", LANE_CLIENT);
    td_html_esc(b, client);
    td_str_printf(b, "</text><text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">", LANE_SERVER);
    td_html_esc(b, server);
    td_str_add(b, "</text>\n");
    td_str_printf(b, "<line x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", LANE_CLIENT, LANE_CLIENT, h - 5);
    td_str_printf(b, "<line x1=\"%d\" y1=\"30\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", LANE_SERVER, LANE_SERVER, h - 5);
    for (size_t i = 0; i < n; i++)
        ladder_step(b, &v[i], i, (int)i == broken, prefix);
    td_str_add(b, "</svg>\n<ol class=\"steps\">\n");
    for (size_t i = 0; i < n; i++) {
        const td_step *st = &v[i];
        bool bad = (int)i == broken;
        td_str_printf(b, "<li class=\"%s\">", bad ? "broken" : "step");
        if (st->kind == TD_STEP_MSG)
            td_str_printf(b, "<span class=\"mark %s\">%s</span> ", bad ? "fail" : "ok", bad ? "\u2717" : "\u2713");
        if (st->label[0])
            td_html_elem(b, "<strong>", st->label, "</strong>: ");
        td_html_esc(b, st->text.s);
        td_str_add(b, "</li>\n");
    }
    td_str_add(b, "</ol>\n");
}

void td_html_bars(td_str *b, const char *id, const char *caption, const td_html_bar *v, size_t n)
{
    unsigned long max = 1;
    for (size_t i = 0; i < n; i++)
        max = v[i].n > max ? v[i].n : max;
    td_str_printf(b, "<table class=\"bars\" id=\"%s\">\n", id);
    td_html_elem(b, "<caption>", caption, "</caption>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        int w = (int)((double)v[i].n / (double)max * BAR_W);
        td_str_add(b, "<tr class=\"bar\"><th>");
        if (v[i].href_id)
            td_str_printf(b, "<a href=\"#%s\">", v[i].href_id);
        td_html_esc(b, v[i].label);
        td_str_add(b, v[i].href_id ? "</a></th>" : "</th>");
        td_str_printf(b, "<td><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" aria-hidden=\"true\">"
                         "<rect width=\"%d\" height=\"%d\" fill=\"#b00020\"/></svg></td><td>%lu</td></tr>\n",
                      BAR_W, BAR_H, w < 1 ? 1 : w, BAR_H, v[i].n);
    }
    td_str_add(b, "</tbody>\n</table>\n");
}
