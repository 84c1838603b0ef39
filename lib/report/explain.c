/* The renderings of `tlsdiag explain`: text for people, JSON (docs/json.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "explain/explain_int.h"
#include "registry/registry.h"

#define WHY_NOT_DISABLED                                                                                     \
    "turning certificate verification off makes the client accept any certificate, an attacker's included, " \
    "and hides the fault instead of fixing it; fix the cause below and turn verification back on"

/* The software that wrote the text, with the versions it shows. */
static void software_line(const td_explain *x, char *buf, size_t len)
{
    td_xsw sw = x->v.software;
    const char *ver = x->facts.versions[sw];
    int n = snprintf(buf, len, "%s%s%s", td_xsw_label(sw), ver[0] ? " " : "", ver);
    for (int i = 1; i < TD_XSW_COUNT && n > 0 && (size_t)n < len; i++)
        if (i != (int)sw && x->facts.versions[i][0])
            n += snprintf(buf + n, len - (size_t)n, ", %s %s", td_xsw_label((td_xsw)i), x->facts.versions[i]);
}

static const char *alert_sender(const td_explain *x)
{
    td_xside s = x->v.alert_sent ? x->v.writer : (x->v.writer == TD_XSIDE_SERVER ? TD_XSIDE_CLIENT : TD_XSIDE_SERVER);
    return td_xside_token(s);
}

static const char *disabled_how(const td_explain *x)
{
    if (x->facts.disabled_how)
        return x->facts.disabled_how;
    for (size_t i = 0; i < x->nseen; i++)
        if (x->seen[i].hit.pat->disabled)
            return x->seen[i].evidence;
    return NULL;
}

int td_explain_write_text(const td_explain *x, FILE *f, bool color)
{
    if (!x || !f)
        return -1;
    const char *b = color ? "\033[1m" : "", *r = color ? "\033[0m" : "";
    size_t n = td_explain_candidate_count(x);
    fprintf(f, "%stlsdiag explain%s: %u of %u line%s recognised", b, r, x->lines_matched, x->lines,
            x->lines == 1 ? "" : "s");
    if (x->lines_long || x->lines_nul)
        fprintf(f, " (%u skipped: %u over 64 KiB, %u with NUL bytes)", x->lines_long + x->lines_nul, x->lines_long,
                x->lines_nul);
    fputs("\n\n", f);
    if (x->nseen == 0) {
        fputs("No TLS error this version knows is in the text. It recognises curl, OpenSSL, GnuTLS, wget,\n"
              "Python, Java, Go, Node.js, .NET/Schannel, Chrome and Firefox messages, nginx, Apache httpd\n"
              "and HAProxy log lines, and codes (tlsdiag explain alert 48, x509 20, openssl 0A000086,\n"
              "curl 60). To look at the server itself: tlsdiag check HOST[:PORT]\n",
              f);
        return ferror(f) ? -1 : 0;
    }
    char sw[256];
    software_line(x, sw, sizeof sw);
    fprintf(f, "Written by:  %s (the %s side)\n", sw, td_xside_token(x->v.writer));
    fprintf(f, "Failed at:   %s; stopped by the %s\n", td_xstep_words(x->v.step), td_xside_token(x->v.stopped_by));
    if (x->v.alert >= 0)
        fprintf(f, "Alert:       %d %s, sent by the %s\n", x->v.alert, td_alert_name(x->v.alert, "unknown"),
                alert_sender(x));
    fputs("Recognised:\n", f);
    /* One row a line: the patterns that matched it name their writers
     * together ("curl, OpenSSL"), each writer once. */
    size_t rows = 0, at = 0;
    while (at < x->nseen) {
        size_t j = at + 1;
        while (j < x->nseen && x->seen[j].line == x->seen[at].line &&
               strcmp(x->seen[j].evidence, x->seen[at].evidence) == 0)
            j++;
        if (rows++ < 8) {
            fprintf(f, "  line %u (", x->seen[at].line);
            for (size_t k = at; k < j; k++) {
                const char *lbl = td_xsw_label(x->seen[k].hit.pat->software);
                bool again = false;
                for (size_t m = at; m < k; m++)
                    again |= strcmp(td_xsw_label(x->seen[m].hit.pat->software), lbl) == 0;
                if (!again)
                    fprintf(f, "%s%s", k > at ? ", " : "", lbl);
            }
            fprintf(f, "): %s\n", x->seen[at].evidence);
        }
        at = j;
    }
    if (rows > 8)
        fprintf(f, "  ... and %zu more\n", rows - 8);
    const char *how = disabled_how(x);
    if (how)
        fprintf(f, "\n%sVerification was turned off%s (%s): %s.\n", b, r, how, WHY_NOT_DISABLED);
    if (n == 0) {
        fputs("\nThe text names no cause in the catalog.\n", f);
    } else {
        fprintf(f, "\n%s%s:%s\n", b, x->checked && x->confirmed ? "The cause, confirmed by the check" : "Causes, best first", r);
        for (size_t i = 0; i < n; i++) {
            const td_xcand *c = td_explain_cand(x, i);
            char *why = td_explain_why(x, c, false);
            fprintf(f, "  %zu. %s%s%s: %s\n", i + 1, b, td_id_name(c->id), r, why ? why : "");
            free(why);
        }
        if (x->code_alert >= 0 && x->kb->alerts[x->code_alert].known) {
            /* an alert alone does not say who received it: the other reading */
            fputs("  When a server receives it (the client sent it):", f);
            for (const td_id *c = x->kb->alerts[x->code_alert].server; *c && c < x->kb->alerts[x->code_alert].server + TD_X_MAX_CAUSES; c++)
                fprintf(f, " %s", td_id_name(*c));
            fputc('\n', f);
        }
        const td_xcand *top = td_explain_cand(x, 0);
        fprintf(f, "\n%sFix (%s):%s %s\n", b, td_id_name(top->id), r, td_explain_fix(top->id));
    }
    if (x->checked) {
        fprintf(f, "\nChecked %s: ", x->check_target ? x->check_target : "");
        if (x->confirmed)
            fprintf(f, "%s found.\n", td_id_name(x->confirmed));
        else
            fputs("none of these causes is on the server; the client's own settings (its trust store, versions or "
                  "proxy) are the place to look.\n",
                  f);
        if (x->live_other)
            fprintf(f, "The check also found: %s\n", x->live_other);
    } else {
        char *next = td_explain_next_command(x);
        fprintf(f, "\n%sNext:%s %s\n  decides between these causes (`tlsdiag explain --check` runs it).\n", b, r,
                next ? next : "tlsdiag check HOST:PORT");
        free(next);
    }
    return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------------ JSON */

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *candidates(const td_explain *x)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < td_explain_candidate_count(x); i++) {
        const td_xcand *c = td_explain_cand(x, i);
        char *why = td_explain_why(x, c, true);
        json_t *o = json_pack("{s:s, s:s?, s:s, s:i}", "id", td_id_name(c->id), "why", why, "fix",
                              td_explain_fix(c->id), "score", c->score);
        free(why);
        if (!o || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *matches(const td_explain *x)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < x->nseen; i++) {
        const td_xseen *s = &x->seen[i];
        json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:s}", "pattern", s->hit.pat->name, "software",
                              td_xsw_token(s->hit.pat->software), "line", (json_int_t)s->line, "count",
                              (json_int_t)s->count, "text", s->evidence);
        if (!o || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *versions(const td_explain *x)
{
    json_t *o = json_object();
    for (int i = 1; o && i < TD_XSW_COUNT; i++)
        if (x->facts.versions[i][0] && json_object_set_new(o, td_xsw_token((td_xsw)i), json_string(x->facts.versions[i])))
            return json_decref(o), NULL;
    return o;
}

int td_explain_write_json(const td_explain *x, FILE *f)
{
    if (!x || !f)
        return -1;
    const char *how = disabled_how(x);
    char *next = td_explain_next_command(x);
    json_t *alert = x->v.alert >= 0 ? json_pack("{s:i, s:s, s:s}", "code", x->v.alert, "name",
                                                td_alert_name(x->v.alert, "unknown"), "sent_by", alert_sender(x))
                                    : json_null();
    json_t *target = x->facts.host[0] || x->facts.sni[0]
                         ? json_pack("{s:o, s:o, s:o}", "host", str_or_null(x->facts.host), "port",
                                     x->facts.port ? json_integer(x->facts.port) : json_null(), "sni",
                                     str_or_null(x->facts.sni))
                         : json_null();
    json_t *disabled = how ? json_pack("{s:s, s:s}", "how", how, "why_not", WHY_NOT_DISABLED) : json_null();
    json_t *check = x->checked ? json_pack("{s:o, s:o, s:o, s:o}", "target", str_or_null(x->check_target),
                                           "confirmed", x->confirmed ? json_string(td_id_name(x->confirmed)) : json_null(),
                                           "evidence", str_or_null(x->live_evidence), "other_failures",
                                           str_or_null(x->live_other))
                               : json_null();
    json_t *sw = x->nseen ? json_pack("{s:s, s:s, s:o}", "name", td_xsw_token(x->v.software), "label",
                                      td_xsw_label(x->v.software), "version",
                                      str_or_null(x->facts.versions[x->v.software]))
                          : json_null();
    json_t *root = json_pack(
        "{s:s, s:s, s:{s:I, s:I, s:I, s:I}, s:o, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s?, s:o, s:o}",
        "tlsdiag_version", TLSDIAG_VERSION, "command", "explain", "input", "lines", (json_int_t)x->lines,
        "recognised", (json_int_t)x->lines_matched, "skipped_long", (json_int_t)x->lines_long, "skipped_nul",
        (json_int_t)x->lines_nul, "software", sw, "versions", versions(x), "writer", td_xside_token(x->v.writer),
        "step", td_xstep_token(x->v.step), "stopped_by", td_xside_token(x->v.stopped_by), "alert", alert,
        "target", target, "matches", matches(x), "candidates", candidates(x), "next", x->nseen ? next : NULL,
        "verification_disabled", disabled, "check", check);
    free(next);
    int rc = -1;
    if (root && json_dumpf(root, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF)
        rc = 0;
    json_decref(root);
    return ferror(f) ? -1 : rc;
}
