/* The renderings of `tlsdiag logs`: the summary an SRE reads, and JSON
 * (docs/json.md). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "explain/explain_int.h"
#include "logs/logs_int.h"

#define TOP_CLIENTS 10
#define TOP_PER_CAUSE 3
#define SPARK_WIDTH 60

/* 4211 -> "4,211" */
static const char *grouped(uint64_t v, char *buf, size_t len)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%" PRIu64, v), k = 0;
    for (int i = 0; i < n && (size_t)k + 2 < len; i++) {
        if (i && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = tmp[i];
    }
    buf[k] = '\0';
    return buf;
}

static const char *when(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

/* What the line said, in words: OpenSSL's reason, or the pattern's text. */
static void reason_label(const td_xpat *p, char *buf, size_t len)
{
    size_t k = 0;
    for (const char *s = p ? p->match : "unknown"; *s && k + 4 < len; s++) {
        if (*s == '*')
            memcpy(buf + k, "...", 3), k += 3;
        else
            buf[k++] = *s;
    }
    buf[k] = '\0';
}

static const char *cause_why(const td_logs *l, td_id id)
{
    if (id == TD_ID_NONE)
        return "a failed handshake no cause in the catalog fits; the sample line shows what the server said";
    return l->kb && l->kb->causes[id].why ? l->kb->causes[id].why : td_id_name(id);
}

/* Causes with a count, most first. */
static size_t ranked_causes(const td_logs *l, td_id *out)
{
    size_t n = 0;
    for (int i = 0; i < TD_ID_COUNT; i++)
        if (l->causes[i].count)
            out[n++] = (td_id)i;
    for (size_t i = 1; i < n; i++) {
        td_id c = out[i];
        size_t j = i;
        while (j > 0 && l->causes[out[j - 1]].count < l->causes[c].count)
            out[j] = out[j - 1], j--;
        out[j] = c;
    }
    return n;
}

/* The per-minute counts in time order (minute number, count). */
typedef struct minute_count {
    int64_t minute;
    uint64_t count;
} minute_count;

static int by_minute(const void *a, const void *b)
{
    const minute_count *x = a, *y = b;
    return x->minute < y->minute ? -1 : x->minute > y->minute;
}

static minute_count *minutes(const td_logs *l, size_t *n)
{
    minute_count *m = malloc((l->minutes.used + 1) * sizeof *m);
    *n = 0;
    for (size_t i = 0; m && i < l->minutes.cap; i++)
        if (l->minutes.slots[i].key[0])
            m[(*n)++] = (minute_count){ strtoll(l->minutes.slots[i].key, NULL, 10), l->minutes.slots[i].count };
    if (m)
        qsort(m, *n, sizeof *m, by_minute);
    return m;
}

static void sparkline(const td_logs *l, FILE *f)
{
    static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
    size_t n;
    minute_count *m = minutes(l, &n);
    if (!m || n == 0) {
        free(m);
        return;
    }
    int64_t span = m[n - 1].minute - m[0].minute + 1;
    size_t width = span < SPARK_WIDTH ? (size_t)span : SPARK_WIDTH;
    uint64_t bucket[SPARK_WIDTH] = { 0 }, peak = 0, top = 0;
    size_t peak_i = 0;
    for (size_t i = 0; i < n; i++) {
        size_t b = (size_t)((m[i].minute - m[0].minute) * (int64_t)width / span);
        bucket[b] += m[i].count;
        if (m[i].count > peak)
            peak = m[i].count, peak_i = i;
    }
    for (size_t b = 0; b < width; b++)
        if (bucket[b] > top)
            top = bucket[b];
    fputs("Per minute:  ", f);
    for (size_t b = 0; b < width; b++)
        fputs(bucket[b] ? bars[(bucket[b] * 7 + top - 1) / top] : " ", f);
    char t[32], c[32];
    fprintf(f, "  peak %s/min at %s", grouped(peak, c, sizeof c), when(m[peak_i].minute * 60, t, sizeof t));
    if ((int64_t)width < span)
        fprintf(f, " (%" PRId64 " min a column)", (span + (int64_t)width - 1) / (int64_t)width);
    fputc('\n', f);
    free(m);
}

int td_logs_write_text(const td_logs *l, FILE *f, bool color)
{
    if (!l || !f)
        return -1;
    const char *b = color ? "\033[1m" : "", *r = color ? "\033[0m" : "";
    char n1[32], n2[32], t1[32], t2[32];
    fprintf(f, "%stlsdiag logs%s: %s failed handshake%s in %s lines (%u file%s)", b, r,
            grouped(l->failures, n1, sizeof n1), l->failures == 1 ? "" : "s", grouped(l->lines, n2, sizeof n2),
            l->files, l->files == 1 ? "" : "s");
    if (l->first >= 0)
        fprintf(f, ", first %s, last %s", when(l->first, t1, sizeof t1), when(l->last, t2, sizeof t2));
    fputc('\n', f);
    if (l->lines_long || l->lines_nul || l->before_since)
        fprintf(f, "Skipped: %" PRIu64 " line(s) over 64 KiB, %" PRIu64 " with NUL bytes, %" PRIu64
                   " before --since\n",
                l->lines_long, l->lines_nul, l->before_since);
    if (l->failures == 0) {
        fputs("\nNo failed handshake in these lines. nginx logs them at `error_log ... info;`, Apache httpd with\n"
              "`LogLevel ssl:info`, HAProxy as \"SSL handshake failure\" once logging is on.\n",
              f);
        return ferror(f) ? -1 : 0;
    }
    sparkline(l, f);
    td_id ids[TD_ID_COUNT];
    size_t nc = ranked_causes(l, ids);
    fprintf(f, "\n%sBy cause:%s\n", b, r);
    for (size_t i = 0; i < nc; i++) {
        const td_lcause *c = &l->causes[ids[i]];
        char label[160];
        reason_label(c->reason, label, sizeof label);
        fprintf(f, "  %-22s %9s  %3.0f%%  %s\n", ids[i] ? td_id_name(ids[i]) : "(no cause known)",
                grouped(c->count, n1, sizeof n1), 100.0 * (double)c->count / (double)l->failures, label);
        const td_lslot *top[TOP_PER_CAUSE];
        uint64_t cnt[TOP_PER_CAUSE];
        size_t nt = td_ltable_top(&l->clients, (int)ids[i], top, cnt, TOP_PER_CAUSE);
        for (size_t k = 0; k < nt; k++)
            fprintf(f, "      %s: %s handshake%s failed, %s: %s\n", top[k]->key, grouped(cnt[k], n1, sizeof n1),
                    cnt[k] == 1 ? "" : "s", label, cause_why(l, ids[i]));
        if (!ids[i])
            fprintf(f, "      e.g. %s\n", c->sample);
    }
    const td_lslot *top[TOP_CLIENTS];
    size_t nt = td_ltable_top(&l->clients, -1, top, NULL, TOP_CLIENTS);
    fprintf(f, "\n%sBy client:%s (%zu distinct%s)\n", b, r, l->clients.used,
            l->clients.overflow ? ", more not told apart" : "");
    for (size_t k = 0; k < nt; k++)
        fprintf(f, "  %-40s %9s\n", top[k]->key, grouped(top[k]->count, n1, sizeof n1));
    nt = td_ltable_top(&l->names, -1, top, NULL, TOP_CLIENTS);
    if (nt) {
        fprintf(f, "\n%sBy name (SNI):%s\n", b, r);
        for (size_t k = 0; k < nt; k++)
            fprintf(f, "  %-40s %9s\n", top[k]->key, grouped(top[k]->count, n1, sizeof n1));
    }
    fprintf(f, "\n%sFixes:%s\n", b, r);
    for (size_t i = 0; i < nc; i++)
        if (ids[i])
            fprintf(f, "  %s: %s\n", td_id_name(ids[i]), td_explain_fix(ids[i]));
    return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------------ JSON */

static json_t *slots_json(const td_ltable *t, int tag, const char *key, size_t max)
{
    const td_lslot **top = malloc(max * sizeof *top);
    uint64_t *cnt = malloc(max * sizeof *cnt);
    json_t *a = json_array();
    size_t n = top && cnt ? td_ltable_top(t, tag, top, cnt, max) : 0;
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_pack("{s:s, s:I}", key, top[i]->key, "count", (json_int_t)cnt[i])))
            json_decref(a), a = NULL;
    free(top);
    free(cnt);
    return a;
}

static json_t *causes_json(const td_logs *l)
{
    td_id ids[TD_ID_COUNT];
    size_t nc = ranked_causes(l, ids);
    json_t *a = json_array();
    for (size_t i = 0; a && i < nc; i++) {
        const td_lcause *c = &l->causes[ids[i]];
        char label[160];
        reason_label(c->reason, label, sizeof label);
        json_t *o = json_pack("{s:o, s:I, s:s, s:s, s:o, s:s, s:o}", "id",
                              ids[i] ? json_string(td_id_name(ids[i])) : json_null(), "count", (json_int_t)c->count,
                              "reason", label, "why", cause_why(l, ids[i]), "fix",
                              ids[i] ? json_string(td_explain_fix(ids[i])) : json_null(), "sample", c->sample,
                              "top_clients", slots_json(&l->clients, (int)ids[i], "client", TOP_PER_CAUSE));
        if (!o || json_array_append_new(a, o))
            json_decref(a), a = NULL;
    }
    return a;
}

static json_t *minutes_json(const td_logs *l)
{
    size_t n;
    minute_count *m = minutes(l, &n);
    json_t *a = m ? json_array() : NULL;
    for (size_t i = 0; a && i < n; i++) {
        char t[32];
        when(m[i].minute * 60, t, sizeof t);
        t[16] = '\0'; /* to the minute */
        if (json_array_append_new(a, json_pack("{s:s, s:I}", "minute", t, "count", (json_int_t)m[i].count)))
            json_decref(a), a = NULL;
    }
    free(m);
    return a;
}

int td_logs_write_json(const td_logs *l, FILE *f)
{
    if (!l || !f)
        return -1;
    char t1[32], t2[32];
    json_t *root = json_pack(
        "{s:s, s:s, s:{s:I, s:I, s:I, s:I, s:I}, s:I, s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:I}",
        "tlsdiag_version", TLSDIAG_VERSION, "command", "logs", "input", "files", (json_int_t)l->files, "lines",
        (json_int_t)l->lines, "skipped_long", (json_int_t)l->lines_long, "skipped_nul", (json_int_t)l->lines_nul,
        "before_since", (json_int_t)l->before_since, "failures", (json_int_t)l->failures, "first_seen",
        l->first >= 0 ? json_string(when(l->first, t1, sizeof t1)) : json_null(), "last_seen",
        l->last >= 0 ? json_string(when(l->last, t2, sizeof t2)) : json_null(), "causes", causes_json(l), "clients",
        slots_json(&l->clients, -1, "client", 50), "clients_distinct", (json_int_t)l->clients.used,
        "clients_untold", (json_int_t)l->clients.overflow, "names", slots_json(&l->names, -1, "name", 50),
        "per_minute", minutes_json(l), "minutes_untold", (json_int_t)l->minutes.overflow);
    int rc = -1;
    if (root && json_dumpf(root, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF)
        rc = 0;
    json_decref(root);
    return ferror(f) ? -1 : rc;
}
