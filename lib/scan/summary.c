#include "scan/summary.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/scanhtml.h"
#include "util/str.h"
#include "util/utc.h"

#define WORST_MAX 10
#define KEY_MAX   400

typedef struct cause {
    char id[64];
    unsigned long n;
} cause;

typedef struct worst {
    char key[KEY_MAX];
    char root[64];
    long fails, warns;
} worst;

typedef struct expiring {
    char key[KEY_MAX];
    char not_after[32];
    long days;
} expiring;

struct td_summary {
    int warn_days;
    int64_t now;
    unsigned long targets, ok, warn, fail, errors;
    cause *causes;
    size_t n_causes, cap_causes;
    worst worst[WORST_MAX];
    size_t n_worst;
    expiring *exp;
    size_t n_exp, cap_exp;
};

td_summary *td_summary_new(int warn_days)
{
    td_summary *s = calloc(1, sizeof *s);
    if (s) {
        s->warn_days = warn_days;
        s->now = (int64_t)time(NULL);
    }
    return s;
}

void td_summary_free(td_summary *s)
{
    if (!s)
        return;
    free(s->causes);
    free(s->exp);
    free(s);
}

static const char *str_at(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

void td_scan_target_key(const char *host, long long port, const char *addr, const char *starttls, char *out,
                        size_t cap)
{
    snprintf(out, cap, "%s %lld %s%s%s", host, port, addr, starttls && *starttls ? " starttls=" : "",
             starttls ? starttls : "");
}

void td_scan_line_key(const json_t *line, char *out, size_t cap)
{
    const json_t *t = json_object_get(line, "target");
    if (json_is_object(t)) {
        td_scan_target_key(str_at(t, "host"), (long long)json_integer_value(json_object_get(t, "port")),
                           str_at(t, "address_used"), td_scan_asked_starttls(t), out, cap);
        return;
    }
    if (json_object_get(line, "error"))
        snprintf(out, cap, "! %lld %s", (long long)json_integer_value(json_object_get(line, "line")),
                 str_at(line, "input"));
    else
        snprintf(out, cap, "%s", "");
}

bool td_summary_failing(const json_t *line)
{
    return json_object_get(line, "error") || strcmp(str_at(line, "verdict"), "fail") == 0;
}

static bool count_cause(td_summary *s, const char *id)
{
    for (size_t i = 0; i < s->n_causes; i++) {
        if (strcmp(s->causes[i].id, id) == 0) {
            s->causes[i].n++;
            return true;
        }
    }
    cause *v = td_grow(s->causes, &s->cap_causes, s->n_causes, sizeof *v);
    if (!v)
        return false;
    s->causes = v;
    cause *c = &s->causes[s->n_causes++];
    snprintf(c->id, sizeof c->id, "%s", id);
    c->n = 1;
    return true;
}

static bool worse(const worst *a, const worst *b)
{
    if (a->fails != b->fails)
        return a->fails > b->fails;
    if (a->warns != b->warns)
        return a->warns > b->warns;
    return strcmp(a->key, b->key) < 0; /* the same order whatever the order of the lines */
}

/* Keeps the WORST_MAX worst, sorted, by insertion. */
static void rank_worst(td_summary *s, const worst *w)
{
    size_t i = s->n_worst;
    if (i == WORST_MAX) {
        if (!worse(w, &s->worst[WORST_MAX - 1]))
            return;
        i--;
    } else {
        s->n_worst++;
    }
    while (i > 0 && worse(w, &s->worst[i - 1])) {
        s->worst[i] = s->worst[i - 1];
        i--;
    }
    s->worst[i] = *w;
}

/* Days from now to an RFC 3339 time ("2026-11-23T10:00:00Z"). */
static bool days_left(const td_summary *s, const char *iso, long *days)
{
    int y, mo, d, h, mi, se;
    if (sscanf(iso, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &se) != 6)
        return false;
    int64_t t = td_utc_seconds(y, mo, d, h, mi, se);
    int64_t diff = t - s->now;
    *days = (long)(diff >= 0 ? diff / 86400 : -((-diff + 86399) / 86400));
    return true;
}

static bool note_expiry(td_summary *s, const json_t *line, const char *key)
{
    const json_t *certs = json_object_get(json_object_get(line, "observations"), "certificates");
    const char *na = str_at(json_array_get(certs, 0), "not_after");
    long days;
    if (!na[0] || !days_left(s, na, &days) || days > s->warn_days)
        return true;
    expiring *v = td_grow(s->exp, &s->cap_exp, s->n_exp, sizeof *v);
    if (!v)
        return false;
    s->exp = v;
    expiring *e = &s->exp[s->n_exp++];
    snprintf(e->key, sizeof e->key, "%s", key);
    snprintf(e->not_after, sizeof e->not_after, "%s", na);
    e->days = days;
    return true;
}

bool td_summary_add(td_summary *s, const json_t *line)
{
    char key[KEY_MAX];
    td_scan_line_key(line, key, sizeof key);
    if (json_object_get(line, "error")) {
        s->errors++;
        return true;
    }
    s->targets++;
    const char *v = str_at(line, "verdict");
    if (strcmp(v, "fail") == 0)
        s->fail++;
    else if (strcmp(v, "warn") == 0)
        s->warn++;
    else
        s->ok++;
    const char *root = str_at(json_object_get(line, "root_cause"), "id");
    if (root[0] && !count_cause(s, root))
        return false;
    worst w = { .fails = 0 };
    snprintf(w.key, sizeof w.key, "%s", key);
    snprintf(w.root, sizeof w.root, "%s", root);
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(line, "findings"), i, f) {
        const char *sev = str_at(f, "severity");
        w.fails += strcmp(sev, "fail") == 0;
        w.warns += strcmp(sev, "warn") == 0;
    }
    if (w.fails || w.warns)
        rank_worst(s, &w);
    return note_expiry(s, line, key);
}

unsigned long td_summary_count(const td_summary *s)
{
    return s->targets + s->errors;
}

unsigned long td_summary_failures(const td_summary *s)
{
    return s->fail + s->errors;
}

static int by_count(const void *a, const void *b)
{
    const cause *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->id, y->id);
}

static int by_days(const void *a, const void *b)
{
    const expiring *x = a, *y = b;
    if (x->days != y->days)
        return x->days < y->days ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Sorted for output: the lines may come in any order. */
static void sort_for_output(td_summary *s)
{
    /* qsort's array may not be NULL, even for no elements (C11 7.22.5). */
    if (s->n_causes)
        qsort(s->causes, s->n_causes, sizeof *s->causes, by_count);
    if (s->n_exp)
        qsort(s->exp, s->n_exp, sizeof *s->exp, by_days);
}

json_t *td_summary_json(const td_summary *cs, bool interrupted)
{
    td_summary *s = (td_summary *)cs;
    sort_for_output(s);
    json_t *causes = json_object(), *w = json_array(), *e = json_array();
    for (size_t i = 0; causes && i < s->n_causes; i++)
        json_object_set_new(causes, s->causes[i].id, json_integer((json_int_t)s->causes[i].n));
    for (size_t i = 0; w && i < s->n_worst; i++)
        json_array_append_new(w, json_pack("{s:s, s:s?, s:I, s:I}", "target", s->worst[i].key, "root_cause",
                                           s->worst[i].root[0] ? s->worst[i].root : NULL, "fails",
                                           (json_int_t)s->worst[i].fails, "warns", (json_int_t)s->worst[i].warns));
    for (size_t i = 0; e && i < s->n_exp; i++)
        json_array_append_new(e, json_pack("{s:s, s:s, s:I}", "target", s->exp[i].key, "not_after",
                                           s->exp[i].not_after, "days_left", (json_int_t)s->exp[i].days));
    json_t *sum = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:i, s:o, s:b}", "targets", (json_int_t)s->targets,
                            "ok", (json_int_t)s->ok, "warn", (json_int_t)s->warn, "fail", (json_int_t)s->fail,
                            "input_errors", (json_int_t)s->errors, "root_causes", causes, "worst", w, "warn_days",
                            s->warn_days, "expiring", e, "interrupted", interrupted);
    return sum ? json_pack("{s:o}", "summary", sum) : NULL;
}

int td_summary_write_text(const td_summary *cs, FILE *f, bool interrupted)
{
    td_summary *s = (td_summary *)cs;
    sort_for_output(s);
    fprintf(f, "\n%lu targets: %lu ok, %lu warn, %lu fail; %lu input errors%s\n", s->targets, s->ok, s->warn,
            s->fail, s->errors, interrupted ? " (interrupted: resume with the same --state)" : "");
    if (s->n_causes) {
        fprintf(f, "\n  %-36s %8s\n", "root cause", "targets");
        for (size_t i = 0; i < s->n_causes; i++)
            fprintf(f, "  %-36s %8lu\n", s->causes[i].id, s->causes[i].n);
    }
    if (s->n_worst) {
        fprintf(f, "\nworst targets:\n");
        for (size_t i = 0; i < s->n_worst; i++)
            fprintf(f, "  %-44s %-28s %ld fail, %ld warn\n", s->worst[i].key,
                    s->worst[i].root[0] ? s->worst[i].root : "-", s->worst[i].fails, s->worst[i].warns);
    }
    if (s->n_exp) {
        fprintf(f, "\ncertificates ending within %d days:\n", s->warn_days);
        for (size_t i = 0; i < s->n_exp; i++)
            fprintf(f, "  %-44s %s (%ld days)\n", s->exp[i].key, s->exp[i].not_after, s->exp[i].days);
    }
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

int td_summary_write_failure(const json_t *line, FILE *f)
{
    if (json_object_get(line, "error")) {
        fprintf(f, "ERROR line %lld: %s: %s\n", (long long)json_integer_value(json_object_get(line, "line")),
                str_at(line, "input"), str_at(line, "error"));
    } else {
        char key[KEY_MAX];
        td_scan_line_key(line, key, sizeof key);
        const json_t *rc = json_object_get(line, "root_cause");
        fprintf(f, "FAIL  %s  %s: %s\n", key, rc ? str_at(rc, "id") : "-", rc ? str_at(rc, "summary") : "");
    }
    return ferror(f) ? -1 : 0;
}
