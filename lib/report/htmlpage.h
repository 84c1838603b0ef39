/* The parts every HTML page of tlsdiag shares (check, pcap, scan): the
 * frame with its inline style and script, escaping, findings with their
 * fix and copyable verify command, the handshake ladder as an SVG sequence
 * diagram and a bar chart.  Internal to lib/report. */
#ifndef TD_REPORT_HTMLPAGE_H
#define TD_REPORT_HTMLPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag/finding.h"
#include "report/report.h"
#include "util/str.h"

/* Appends s (at most n bytes of it) with the five characters HTML gives a
 * meaning escaped. */
void td_html_esc_n(td_str *b, const char *s, size_t n);
void td_html_esc(td_str *b, const char *s);
/* How many bytes of s to draw in at most n: n cut back to a whole UTF-8
 * character, or all of s when it fits. */
size_t td_html_cut(const char *s, size_t n);
/* A formatted string, escaped whole. */
void td_html_escf(td_str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* open, text escaped, close: open and close are markup. */
void td_html_elem(td_str *b, const char *open, const char *text, const char *close);

/* The page up to the <body>'s first heading: title and h1 are text. */
void td_html_head(td_str *b, const char *title, const char *h1);
/* The closing lines, the script of the page (copy buttons, and extra when
 * not NULL) and the end of the document. */
void td_html_foot(td_str *b, const char *extra_script);
/* The whole page to f: 0, or -1 when memory or the write failed. */
int td_html_write(const td_str *b, FILE *f);

const char *td_html_sev_class(td_severity s);
/* A command in a box with a copy button; id names the box. */
void td_html_command(td_str *b, const char *label, const char *text, const char *id);
/* Finding i of fs with its evidence, fix and verify command; prefix keeps
 * the element ids apart when a page has several lists of findings. */
void td_html_finding(td_str *b, const td_findings *fs, size_t i, bool root, const char *prefix);

/* The steps as a sequence diagram between a client lane and a server lane
 * (names are text), step `broken` drawn in red; then the same steps as a
 * list whose lines are not cut.  prefix keeps the arrow markers' ids apart
 * when a page holds several ladders. */
void td_html_ladder(td_str *b, const td_step *v, size_t n, int broken, const char *prefix, const char *client,
                    const char *server);

/* One bar of a chart: its label (text), its count and an optional link
 * target (an element id, or NULL). */
typedef struct td_html_bar {
    const char *label;
    unsigned long n;
    const char *href_id;
} td_html_bar;
/* Horizontal bars, each with its label (a link when href_id is set) and
 * its count written out: a table whose id is id. */
void td_html_bars(td_str *b, const char *id, const char *caption, const td_html_bar *v, size_t n);

#endif
