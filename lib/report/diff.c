/* Renderings of `tlsdiag diff` (lib/history/diff.c): the answer first,
 * then one section per kind of change; or one JSON document. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "history/history_int.h"
#include "util/utc.h"

/* Section titles and the counts of the headline, by kind. */
static const struct {
    const char *title, *one, *many;
} kinds[TD_CH_KINDS] = {
    [TD_CH_NEW_FAILURE] = { "New failures", "new failure", "new failures" },
    [TD_CH_FIXED] = { "Fixed", "fixed", "fixed" },
    [TD_CH_ROOT_CAUSE] = { "Root cause changed", "root cause changed", "root causes changed" },
    [TD_CH_ROTATED] = { "Certificates rotated", "certificate rotated", "certificates rotated" },
    [TD_CH_EXPIRING] = { "Certificates expiring", "certificate expiring", "certificates expiring" },
    [TD_CH_SHUT_OUT] = { "Clients newly shut out", "target with clients newly shut out",
                         "targets with clients newly shut out" },
};

static const char *iso(int64_t t, char buf[32])
{
    if (!td_utc_iso(t, buf, 32))
        snprintf(buf, 32, "%" PRId64, t);
    return buf;
}

/* "host:port", "[v6]:port", the address when it adds something, and the
 * upgrade asked for as a scan's key names it ("starttls=smtp"): one port
 * with and without it is two targets. */
static void target_label(const td_hist_target *t, char *buf, size_t cap)
{
    bool v6 = strchr(t->host, ':') != NULL;
    bool addr = t->address[0] && strcmp(t->address, t->host) != 0;
    snprintf(buf, cap, v6 ? "[%s]:%d%s%s%s%s%s" : "%s:%d%s%s%s%s%s", t->host, t->port, addr ? " (" : "",
             addr ? t->address : "", addr ? ")" : "", t->starttls ? " starttls=" : "", t->starttls ? t->starttls : "");
}

static int fails(const td_snapshot *s)
{
    int n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += strcmp(s->v[i].verdict, "fail") == 0;
    return n;
}

/* A fingerprint short enough for a line, long enough to tell two apart. */
static const char *short_fp(const char *sha256, char buf[16])
{
    snprintf(buf, 16, "%.12s", sha256 ? sha256 : "?"); /* 12 of 64 hex digits */
    return buf;
}

static void days_left(const td_diff *d, int64_t not_after, char *buf, size_t cap)
{
    int64_t left = not_after - d->at;
    int64_t days = (left >= 0 ? left : -left) / 86400;
    if (left < 0)
        snprintf(buf, cap, "expired %" PRId64 " day%s ago", days, days == 1 ? "" : "s");
    else
        snprintf(buf, cap, "in %" PRId64 " day%s", days, days == 1 ? "" : "s");
}

static void change_line(const td_diff *d, const td_change *c, FILE *f)
{
    char label[600], a[32], b[64], fp1[16], fp2[16];
    target_label(c->now, label, sizeof label);
    const td_hist_target *now = c->now, *was = c->was;
    switch (c->kind) {
    case TD_CH_NEW_FAILURE:
        fprintf(f, "  %s  %s: %s (%s)\n", label, now->root ? now->root : "fail",
                now->root_summary ? now->root_summary : "a handshake fails",
                was ? (strcmp(was->verdict, "ok") == 0 ? "was ok" : "was warn") : "first seen");
        break;
    case TD_CH_FIXED:
        fprintf(f, "  %s  was %s, now %s\n", label, was->root ? was->root : "fail", now->verdict);
        break;
    case TD_CH_ROOT_CAUSE:
        fprintf(f, "  %s  %s -> %s: %s\n", label, was->root ? was->root : "none", now->root ? now->root : "none",
                now->root_summary ? now->root_summary : "");
        break;
    case TD_CH_ROTATED:
        fprintf(f, "  %s  sha256 %s... -> %s...: %s, serial %s, until %s\n", label, short_fp(was->leaf.sha256, fp1),
                short_fp(now->leaf.sha256, fp2), now->leaf.subject ? now->leaf.subject : "(unreadable)",
                now->leaf.serial ? now->leaf.serial : "?",
                now->leaf.has_not_after ? iso(now->leaf.not_after, a) : "?");
        break;
    case TD_CH_EXPIRING:
        days_left(d, now->soonest.not_after, b, sizeof b);
        fprintf(f, "  %s  %s (certificate %d) ends %s, %s\n", label,
                now->soonest.subject ? now->soonest.subject : "(unreadable)", now->soonest.depth,
                iso(now->soonest.not_after, a), b);
        break;
    case TD_CH_SHUT_OUT:
        fprintf(f, "  %s  %zu:", label, c->n_clients);
        for (size_t k = 0; k < c->n_clients; k++)
            fprintf(f, "%s %s", k ? "," : "", c->clients[k]);
        fputc('\n', f);
        break;
    case TD_CH_KINDS:
        break;
    }
}

static void headline(const td_diff *d, FILE *f)
{
    char a[32], b[32];
    char since[96];
    if (d->baseline.present)
        snprintf(since, sizeof since, "since run %" PRId64 " (%s)", d->baseline.id, iso(d->baseline.started, a));
    else
        snprintf(since, sizeof since, "since the history began");
    if (d->n == 0) {
        fprintf(f, "No change %s.\n", since);
    } else {
        fprintf(f, "%zu change%s %s:", d->n, d->n == 1 ? "" : "s", since);
        const char *sep = " ";
        for (int k = 0; k < TD_CH_KINDS; k++) {
            if (!d->count[k])
                continue;
            fprintf(f, "%s%zu %s", sep, d->count[k], d->count[k] == 1 ? kinds[k].one : kinds[k].many);
            if (k == TD_CH_EXPIRING)
                fprintf(f, " within %u days", d->warn_days);
            sep = ", ";
        }
        fputs(".\n", f);
    }
    fprintf(f, "Run %" PRId64 " (%s)%s%s: %zu target%s, %d failing", d->current.id, iso(d->current.started, b),
            d->current.shard ? ", shard " : "", d->current.shard ? d->current.shard : "", d->now.n,
            d->now.n == 1 ? "" : "s", fails(&d->now));
    if (d->baseline.present)
        fprintf(f, "; run %" PRId64 ": %zu, %d failing", d->baseline.id, d->was.n, fails(&d->was));
    fputs(".\n", f);
}

int td_diff_write_text(const td_diff *d, FILE *f)
{
    if (!d || !f)
        return -1;
    headline(d, f);
    for (size_t i = 0; i < d->n; i++) {
        const td_change *c = &d->v[i];
        if (i == 0 || d->v[i - 1].kind != c->kind) {
            fprintf(f, "\n%s (%zu)", kinds[c->kind].title, d->count[c->kind]);
            if (c->kind == TD_CH_EXPIRING)
                fprintf(f, " within %u days", d->warn_days);
            fputs(":\n", f);
        }
        change_line(d, c, f);
    }
    return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------------ JSON */

static json_t *run_json(const td_run_info *r)
{
    if (!r->present)
        return json_null();
    char a[32], b[32];
    return json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:I}", "id", (json_int_t)r->id, "started", iso(r->started, a),
                     "finished", r->finished ? iso(r->finished, b) : NULL, "command", r->command, "shard", r->shard,
                     "targets", (json_int_t)r->targets);
}

static json_t *cert_json(const td_hist_cert *c)
{
    if (c->depth < 0)
        return json_null();
    char a[32];
    return json_pack("{s:i, s:s?, s:s?, s:s?, s:s?}", "depth", c->depth, "subject", c->subject, "sha256", c->sha256,
                     "serial", c->serial, "not_after", c->has_not_after ? iso(c->not_after, a) : NULL);
}

static json_t *clients_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t k = 0; a && k < n; k++)
        if (json_array_append_new(a, json_string(v[k])))
            json_decref(a), a = NULL;
    return a;
}

/* What a change says beyond its target. */
static json_t *detail_json(const td_diff *d, const td_change *c)
{
    const td_hist_target *now = c->now, *was = c->was;
    switch (c->kind) {
    case TD_CH_NEW_FAILURE:
        return json_pack("{s:s?, s:s?, s:s?}", "root_cause", now->root, "summary", now->root_summary, "was",
                         was ? was->verdict : NULL);
    case TD_CH_FIXED:
        return json_pack("{s:s?, s:s}", "root_cause", was->root, "verdict", now->verdict);
    case TD_CH_ROOT_CAUSE:
        return json_pack("{s:s?, s:s?, s:s?}", "from", was->root, "to", now->root, "summary", now->root_summary);
    case TD_CH_ROTATED:
        return json_pack("{s:o, s:o}", "from", cert_json(&was->leaf), "to", cert_json(&now->leaf));
    case TD_CH_EXPIRING:
        return json_pack("{s:o, s:I}", "certificate", cert_json(&now->soonest), "days_left",
                         (json_int_t)((now->soonest.not_after - d->at) / 86400));
    case TD_CH_SHUT_OUT:
        return json_pack("{s:o}", "clients", clients_json(c->clients, c->n_clients));
    case TD_CH_KINDS:
        break;
    }
    return NULL;
}

static const char *const json_keys[TD_CH_KINDS] = {
    [TD_CH_NEW_FAILURE] = "new_failures",   [TD_CH_FIXED] = "fixed",
    [TD_CH_ROOT_CAUSE] = "root_cause_changed", [TD_CH_ROTATED] = "certificates_rotated",
    [TD_CH_EXPIRING] = "expiring",          [TD_CH_SHUT_OUT] = "clients_shut_out",
};

static json_t *changes_json(const td_diff *d, td_change_kind kind)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < d->n; i++) {
        const td_change *c = &d->v[i];
        if (c->kind != kind)
            continue;
        char a1[32];
        json_t *o = json_pack("{s:s, s:i, s:s?, s:s?, s:I, s:s}", "host", c->now->host, "port", c->now->port,
                              "address", c->now->address[0] ? c->now->address : NULL, "starttls", c->now->starttls,
                              "run", (json_int_t)c->now->run, "checked", iso(c->now->checked, a1));
        json_t *more = detail_json(d, c);
        if (!o || !more || json_object_update(o, more) != 0 || json_array_append_new(a, o) != 0) {
            json_decref(o);
            json_decref(a);
            a = NULL;
        }
        json_decref(more);
    }
    return a;
}

int td_diff_write_json(const td_diff *d, FILE *f)
{
    if (!d || !f)
        return -1;
    json_t *root = json_pack("{s:s, s:s, s:o, s:o, s:I, s:i, s:I, s:i, s:I, s:b}", "tlsdiag", TLSDIAG_VERSION,
                             "command", "diff", "current", run_json(&d->current), "baseline", run_json(&d->baseline),
                             "targets", (json_int_t)d->now.n, "failing", fails(&d->now), "baseline_targets",
                             (json_int_t)d->was.n, "warn_days", (int)d->warn_days, "changes", (json_int_t)d->n,
                             "worse", td_diff_worse(d));
    for (int k = 0; root && k < TD_CH_KINDS; k++) {
        json_t *a = changes_json(d, (td_change_kind)k);
        if (!a || json_object_set_new(root, json_keys[k], a) != 0)
            json_decref(root), root = NULL;
    }
    int rc = -1;
    if (root && json_dumpf(root, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF)
        rc = 0;
    json_decref(root);
    return ferror(f) ? -1 : rc;
}
