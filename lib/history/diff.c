/* tlsdiag diff: two snapshots of the history and what changed between
 * them.  A snapshot at run R holds every target's latest record up to R,
 * so a history of single checks (one target a run) compares as well as
 * one of scans. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history/history_int.h"
#include "logs/parse.h"
#include "util/str.h"
#include "util/utc.h"

/* The records of a snapshot: for each (host, port, address, starttls), the
 * newest.  GROUP BY puts the NULLs (no upgrade asked, and every record
 * older than the column) in one group. */
#define LATEST_AT "SELECT MAX(id) FROM targets WHERE run_id <= $1 GROUP BY host, port, address, starttls"
static const char targets_sql[] =
    "SELECT id, run_id, checked, host, port, address, verdict, root_cause, root_summary, starttls"
    " FROM targets WHERE id IN (" LATEST_AT ") ORDER BY id";
static const char certs_sql[] =
    "SELECT target_id, depth, subject, sha256, serial, not_after"
    " FROM certificates WHERE target_id IN (" LATEST_AT ") ORDER BY target_id, depth";
static const char clients_sql[] =
    "SELECT target_id, client FROM client_failures"
    " WHERE below_level = 0 AND target_id IN (" LATEST_AT ") ORDER BY target_id, client";

static const char run_sql[] = "SELECT id, started, finished, command, shard, targets FROM runs WHERE id = $1";
static const char latest_sql[] = "SELECT MAX(id) FROM runs";
static const char before_sql[] = "SELECT MAX(id) FROM runs WHERE id < $1";
static const char at_time_sql[] = "SELECT MAX(id) FROM runs WHERE started <= $1";

static char *dup_or_null(const char *s)
{
    return s ? td_strdup(s) : NULL;
}

static int64_t num(const char *s)
{
    return s ? strtoll(s, NULL, 10) : 0;
}

static int add_target(void *arg, const char *const *col, size_t ncol)
{
    td_snapshot *s = arg;
    if (ncol < 10)
        return -1;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        td_hist_target *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    td_hist_target *t = &s->v[s->n];
    memset(t, 0, sizeof *t);
    t->leaf.depth = t->soonest.depth = -1;
    t->id = num(col[0]);
    t->run = num(col[1]);
    t->checked = num(col[2]);
    t->port = (int)num(col[4]);
    snprintf(t->verdict, sizeof t->verdict, "%s", col[6] ? col[6] : "");
    t->host = td_strdup(col[3] ? col[3] : "");
    t->address = td_strdup(col[5] ? col[5] : "");
    t->root = dup_or_null(col[7]);
    t->root_summary = dup_or_null(col[8]);
    t->starttls = dup_or_null(col[9]);
    s->n++; /* counted even when a copy failed, so that it is freed */
    return t->host && t->address && (t->root || !col[7]) && (t->root_summary || !col[8]) &&
                   (t->starttls || !col[9])
               ? 0
               : -1;
}

static int by_id(const void *key, const void *elem)
{
    int64_t id = *(const int64_t *)key, other = ((const td_hist_target *)elem)->id;
    return id < other ? -1 : id > other;
}

static td_hist_target *find_id(td_snapshot *s, const char *id)
{
    int64_t k = num(id);
    return bsearch(&k, s->v, s->n, sizeof *s->v, by_id);
}

static int fill_cert(td_hist_cert *c, const char *const *col)
{
    c->depth = (int)num(col[1]);
    c->subject = dup_or_null(col[2]);
    c->sha256 = dup_or_null(col[3]);
    c->serial = dup_or_null(col[4]);
    c->has_not_after = col[5] != NULL;
    c->not_after = num(col[5]);
    return (c->subject || !col[2]) && (c->sha256 || !col[3]) && (c->serial || !col[4]) ? 0 : -1;
}

static void free_cert(td_hist_cert *c)
{
    free(c->subject);
    free(c->sha256);
    free(c->serial);
}

static int add_cert(void *arg, const char *const *col, size_t ncol)
{
    td_hist_target *t = ncol >= 6 ? find_id(arg, col[0]) : NULL;
    if (!t)
        return 0; /* a row of a target outside the snapshot: none, by the query */
    if (num(col[1]) == 0 && t->leaf.depth < 0 && fill_cert(&t->leaf, col) != 0)
        return -1;
    bool sooner = col[5] && (!t->soonest.has_not_after || num(col[5]) < t->soonest.not_after);
    if (sooner) {
        free_cert(&t->soonest);
        return fill_cert(&t->soonest, col);
    }
    return 0;
}

static int add_client(void *arg, const char *const *col, size_t ncol)
{
    td_hist_target *t = ncol >= 2 && col[1] ? find_id(arg, col[0]) : NULL;
    if (!t)
        return 0;
    if (t->n_clients == t->cap_clients) {
        size_t cap = t->cap_clients ? 2 * t->cap_clients : 8;
        char **v = realloc(t->clients, cap * sizeof *v);
        if (!v)
            return -1;
        t->clients = v;
        t->cap_clients = cap;
    }
    t->clients[t->n_clients] = td_strdup(col[1]);
    return t->clients[t->n_clients++] ? 0 : -1;
}

/* Targets in the order diff lists them, and matches them in. */
static int by_key(const void *a, const void *b)
{
    const td_hist_target *x = a, *y = b;
    int c = strcmp(x->host, y->host);
    if (c == 0)
        c = (x->port > y->port) - (x->port < y->port);
    if (c == 0)
        c = strcmp(x->address, y->address);
    /* as the query groups them: no upgrade is one key, listed first */
    return c ? c : strcmp(x->starttls ? x->starttls : "", y->starttls ? y->starttls : "");
}

int td_snapshot_load(td_db *db, int64_t run, td_snapshot *s)
{
    memset(s, 0, sizeof *s);
    td_dbv p[] = { td_dbv_int(run) };
    if (td_db_query(db, targets_sql, p, 1, add_target, s) != 0 ||
        td_db_query(db, certs_sql, p, 1, add_cert, s) != 0 ||
        td_db_query(db, clients_sql, p, 1, add_client, s) != 0)
        return -1;
    if (s->n)
        qsort(s->v, s->n, sizeof *s->v, by_key);
    return 0;
}

void td_snapshot_free(td_snapshot *s)
{
    for (size_t i = 0; i < s->n; i++) {
        td_hist_target *t = &s->v[i];
        free(t->host);
        free(t->address);
        free(t->root);
        free(t->root_summary);
        free(t->starttls);
        free_cert(&t->leaf);
        free_cert(&t->soonest);
        for (size_t k = 0; k < t->n_clients; k++)
            free(t->clients[k]);
        free(t->clients);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ---- the comparison ------------------------------------------------------ */

static td_change *add_change(td_diff *d, td_change_kind kind, const td_hist_target *now, const td_hist_target *was)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 32;
        td_change *v = realloc(d->v, cap * sizeof *v);
        if (!v)
            return NULL;
        d->v = v;
        d->cap = cap;
    }
    td_change *c = &d->v[d->n++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->now = now;
    c->was = was;
    d->count[kind]++;
    return c;
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool has_client(const td_hist_target *t, const char *id)
{
    for (size_t k = 0; k < t->n_clients; k++)
        if (strcmp(t->clients[k], id) == 0)
            return true;
    return false;
}

/* The clients that fail now and did not before. */
static int shut_out(td_diff *d, const td_hist_target *now, const td_hist_target *was)
{
    size_t fresh = 0;
    for (size_t k = 0; k < now->n_clients; k++)
        fresh += !has_client(was, now->clients[k]);
    if (!fresh)
        return 0;
    td_change *c = add_change(d, TD_CH_SHUT_OUT, now, was);
    if (!c || !(c->clients = malloc(fresh * sizeof *c->clients)))
        return -1;
    for (size_t k = 0; k < now->n_clients; k++)
        if (!has_client(was, now->clients[k]))
            c->clients[c->n_clients++] = now->clients[k];
    return 0;
}

static int compare_target(td_diff *d, const td_hist_target *now, const td_hist_target *was)
{
    bool fails = strcmp(now->verdict, "fail") == 0, failed = was && strcmp(was->verdict, "fail") == 0;
    if (fails && !failed && !add_change(d, TD_CH_NEW_FAILURE, now, was))
        return -1;
    if (failed && !fails && !add_change(d, TD_CH_FIXED, now, was))
        return -1;
    if (fails && failed && !same(now->root, was->root) && !add_change(d, TD_CH_ROOT_CAUSE, now, was))
        return -1;
    if (was && now->leaf.sha256 && was->leaf.sha256 && strcmp(now->leaf.sha256, was->leaf.sha256) != 0 &&
        !add_change(d, TD_CH_ROTATED, now, was))
        return -1;
    if (now->soonest.has_not_after && now->soonest.not_after - d->at < (int64_t)d->warn_days * 86400 &&
        !add_change(d, TD_CH_EXPIRING, now, was))
        return -1;
    return was ? shut_out(d, now, was) : 0;
}

/* Changes listed by kind, then by target. */
static int by_kind(const void *a, const void *b)
{
    const td_change *x = a, *y = b;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    return by_key(x->now, y->now);
}

int td_diff_compare(td_diff *d)
{
    for (size_t i = 0; i < d->now.n; i++) {
        const td_hist_target *now = &d->now.v[i];
        const td_hist_target *was = d->was.n ? bsearch(now, d->was.v, d->was.n, sizeof *d->was.v, by_key) : NULL;
        if (compare_target(d, now, was) != 0)
            return -1;
    }
    if (d->n)
        qsort(d->v, d->n, sizeof *d->v, by_kind);
    return 0;
}

/* ---- td_history_diff ------------------------------------------------------ */

static int take_run(void *arg, const char *const *col, size_t ncol)
{
    td_run_info *r = arg;
    if (ncol < 6)
        return -1;
    r->present = true;
    r->id = num(col[0]);
    r->started = num(col[1]);
    r->finished = num(col[2]);
    r->command = dup_or_null(col[3]);
    r->shard = dup_or_null(col[4]);
    r->targets = num(col[5]);
    return (r->command || !col[3]) && (r->shard || !col[4]) ? 0 : -1;
}

static int load_run(td_db *db, int64_t id, td_run_info *r)
{
    td_dbv p[] = { td_dbv_int(id) };
    return td_db_query(db, run_sql, p, 1, take_run, r);
}

static void free_run(td_run_info *r)
{
    free(r->command);
    free(r->shard);
}

/* The baseline run --since names: 0, with *base 0 when there is none. */
static td_status baseline_of(td_history *h, const char *since, int64_t latest, int64_t *base)
{
    bool found = false;
    *base = 0;
    if (!since) {
        td_dbv p[] = { td_dbv_int(latest) };
        if (td_db_int(&h->db, before_sql, p, 1, base, &found) != 0)
            return TD_ERR_DB;
        return TD_OK;
    }
    if (*since && since[strspn(since, "0123456789")] == '\0') {
        *base = strtoll(since, NULL, 10);
        if (strlen(since) > 18 || *base < 1 || *base > latest) {
            snprintf(h->err, sizeof h->err, "--since: no run %.20s in the history (runs 1 to %lld)", since,
                     (long long)latest);
            return TD_ERR_USAGE;
        }
        return TD_OK;
    }
    /* the history's times are UTC: a trailing Z says so and changes nothing */
    char when[64];
    snprintf(when, sizeof when, "%s", since);
    size_t n = strlen(when);
    if (n && (when[n - 1] == 'Z' || when[n - 1] == 'z'))
        when[n - 1] = '\0';
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    int64_t t = td_lsince(when, (int64_t)now, tm.tm_year + 1900);
    if (t < 0 || strlen(since) >= sizeof when) {
        snprintf(h->err, sizeof h->err,
                 "--since needs a run id, a time (2026-12-07, 2026-12-07 10:00, 2026-12-07T10:00:00Z) or an age (90m, 2h, 3d), not '%.40s'",
                 since);
        return TD_ERR_USAGE;
    }
    td_dbv p[] = { td_dbv_int(t) };
    if (td_db_int(&h->db, at_time_sql, p, 1, base, &found) != 0)
        return TD_ERR_DB;
    if (!found) {
        char iso[32];
        td_utc_iso(t, iso, sizeof iso);
        snprintf(h->err, sizeof h->err, "--since: no run started at or before %s", iso);
        return TD_ERR_USAGE;
    }
    return TD_OK;
}

static td_status diff_fail(td_history *h, td_diff *d, td_status st)
{
    td_diff_free(d);
    if (st == TD_ERR_DB || !h->err[0])
        snprintf(h->err, sizeof h->err, "history: %.480s", h->db.err[0] ? h->db.err : "out of memory");
    return st;
}

td_status td_history_diff(td_history *h, const char *since, unsigned warn_days, td_diff **out)
{
    if (!h || !out)
        return TD_ERR_USAGE;
    *out = NULL;
    h->err[0] = h->db.err[0] = '\0';
    if (!h->open) {
        snprintf(h->err, sizeof h->err, "history: no database open");
        return TD_ERR_USAGE;
    }
    if (warn_days > 3650) {
        snprintf(h->err, sizeof h->err, "--warn-days is 0 to 3650");
        return TD_ERR_USAGE;
    }
    int64_t latest = 0, base = 0;
    bool found = false;
    if (td_db_int(&h->db, latest_sql, NULL, 0, &latest, &found) != 0)
        return diff_fail(h, NULL, TD_ERR_DB);
    if (!found) {
        snprintf(h->err, sizeof h->err, "the history has no run yet: record one with tlsdiag check HOST --db URL");
        return TD_ERR_USAGE;
    }
    td_status st = baseline_of(h, since, latest, &base);
    if (st != TD_OK)
        return diff_fail(h, NULL, st);
    td_diff *d = calloc(1, sizeof *d);
    if (!d)
        return diff_fail(h, NULL, TD_ERR_INTERNAL);
    d->warn_days = warn_days;
    d->at = (int64_t)time(NULL);
    if (load_run(&h->db, latest, &d->current) != 0 || (base && load_run(&h->db, base, &d->baseline) != 0) ||
        td_snapshot_load(&h->db, latest, &d->now) != 0 || (base && td_snapshot_load(&h->db, base, &d->was) != 0))
        return diff_fail(h, d, TD_ERR_DB);
    if (td_diff_compare(d) != 0)
        return diff_fail(h, d, TD_ERR_INTERNAL);
    *out = d;
    return TD_OK;
}

bool td_diff_worse(const td_diff *d)
{
    return d && (d->count[TD_CH_NEW_FAILURE] || d->count[TD_CH_ROOT_CAUSE] || d->count[TD_CH_SHUT_OUT]);
}

size_t td_diff_change_count(const td_diff *d)
{
    return d ? d->n : 0;
}

void td_diff_free(td_diff *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i].clients);
    free(d->v);
    td_snapshot_free(&d->now);
    td_snapshot_free(&d->was);
    free_run(&d->current);
    free_run(&d->baseline);
    free(d);
}
