/* `tlsdiag logs`: the public API of include/tlsdiag.h over the log-line
 * parser (a source), the rules of lib/explain and bounded counters. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "explain/rules.h"
#include "logs/logs_int.h"

static void seterr(td_logs *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void seterr(td_logs *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->err, sizeof l->err, fmt, ap);
    va_end(ap);
}

td_logs *td_logs_new(void)
{
    td_logs *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->since = l->first = l->last = l->cur_time = -1;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    l->this_year = tm.tm_year + 1900;
    l->kb = td_kb_get();
    l->norm = malloc(TD_LOGS_MAX_LINE + 1);
    l->carry = malloc(TD_LOGS_MAX_LINE + 1);
    if (!l->norm || !l->carry || td_ltable_init(&l->clients, TD_LOGS_MAX_CLIENTS) ||
        td_ltable_init(&l->pairs, TD_LOGS_MAX_PAIRS) || td_ltable_init(&l->names, TD_LOGS_MAX_NAMES) ||
        td_ltable_init(&l->minutes, TD_LOGS_MAX_MINUTES)) {
        td_logs_free(l);
        return NULL;
    }
    if (!l->kb)
        seterr(l, "%s", td_kb_error() ? td_kb_error() : "no knowledge loaded");
    return l;
}

void td_logs_free(td_logs *l)
{
    if (!l)
        return;
    free(l->norm);
    free(l->carry);
    td_ltable_free(&l->clients);
    td_ltable_free(&l->pairs);
    td_ltable_free(&l->names);
    td_ltable_free(&l->minutes);
    free(l);
}

const char *td_logs_error(const td_logs *l)
{
    return l && l->err[0] ? l->err : NULL;
}

td_status td_logs_set_since(td_logs *l, const char *when)
{
    if (!l || !when)
        return TD_ERR_USAGE;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    /* log times are local times read as UTC: "now" the same way */
    int64_t t = td_lsince(when, (int64_t)timegm(&tm), l->this_year);
    if (t < 0) {
        seterr(l, "--since needs a time (2026-12-07 10:00, 2026-12-07T10:00:00) or an age (90m, 2h, 3d), not '%.40s'",
               when);
        return TD_ERR_USAGE;
    }
    l->since = t;
    return TD_OK;
}

/* The cause a line's hits point to, as the rules rank them. */
static td_id cause_of(const td_lrec *r, const td_xpat **reason)
{
    td_xverdict v;
    td_xrules(r->hits, r->nhits, r->writer, &v);
    *reason = v.top;
    return v.ncands ? v.cands[0].id : TD_ID_NONE;
}

static void sample(char *out, const char *raw, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < TD_LOGS_SAMPLE; i++)
        out[n++] = raw[i] >= 0x20 && raw[i] < 0x7f ? raw[i] : '?';
    out[n] = '\0';
}

static void count(td_logs *l, const td_lrec *r, const char *raw, size_t len)
{
    const td_xpat *reason = NULL;
    td_id id = cause_of(r, &reason);
    td_lcause *c = &l->causes[id];
    if (c->count++ == 0) {
        c->reason = reason;
        if (raw)
            sample(c->sample, raw, len);
    }
    l->failures++;
    const char *client = r->client[0] ? r->client : "-";
    td_ltable_add(&l->clients, client, strlen(client), 0, 1);
    td_ltable_add(&l->pairs, client, strlen(client), (int)id, 1);
    if (r->sni[0])
        td_ltable_add(&l->names, r->sni, strlen(r->sni), 0, 1);
    if (r->t >= 0) {
        if (l->first < 0 || r->t < l->first)
            l->first = r->t;
        if (r->t > l->last)
            l->last = r->t;
        char minute[24]; /* minutes since 1970, as the key */
        int mlen = snprintf(minute, sizeof minute, "%lld", (long long)(r->t / 60));
        td_ltable_add(&l->minutes, minute, (size_t)mlen, 0, 1);
    }
}

/* Apache writes a failed handshake as two lines from one thread: AH02008
 * (with the client) and "SSL Library Error: ..." (with the reason).  The
 * first waits here for the second; one that never gets it counts alone. */
static void flush_pending(td_logs *l, td_lpending *p)
{
    if (p->used)
        count(l, &p->rec, NULL, 0);
    p->used = false;
}

static td_lpending *pending_for(td_logs *l, const char *thread)
{
    for (size_t i = 0; i < TD_LOGS_PENDING; i++)
        if (l->pending[i].used && strcmp(l->pending[i].rec.thread, thread) == 0)
            return &l->pending[i];
    return NULL;
}

static void opens(td_logs *l, const td_lrec *r)
{
    td_lpending *p = pending_for(l, r->thread), *oldest = NULL;
    if (p)
        flush_pending(l, p);
    for (size_t i = 0; !p && i < TD_LOGS_PENDING; i++) {
        if (!l->pending[i].used)
            p = &l->pending[i];
        else if (!oldest || l->pending[i].seq < oldest->seq)
            oldest = &l->pending[i];
    }
    if (!p) {
        flush_pending(l, oldest);
        p = oldest;
    }
    p->used = true;
    p->seq = ++l->seq;
    p->rec = *r;
}

static void reason(td_logs *l, td_lrec *r, const char *raw, size_t len)
{
    td_lpending *p = r->thread[0] ? pending_for(l, r->thread) : NULL;
    if (p) {
        memcpy(r->client, p->rec.client, sizeof r->client);
        if (!r->sni[0])
            memcpy(r->sni, p->rec.sni, sizeof r->sni);
        /* HTTP on the HTTPS port says it more plainly than "http request" */
        if (p->rec.nhits && !r->nhits)
            r->nhits = p->rec.nhits, memcpy(r->hits, p->rec.hits, sizeof r->hits);
        p->used = false;
    }
    count(l, r, raw, len);
}

/* journald: `-o export` has KEY=value lines, the message in MESSAGE= and the
 * time in __REALTIME_TIMESTAMP= (microseconds); `-o json` one object a line. */
static bool journal(td_logs *l, const char **s, size_t *n)
{
    static const char rt[] = "__REALTIME_TIMESTAMP=", msg[] = "MESSAGE=", jmsg[] = "\"MESSAGE\":\"",
                      jrt[] = "\"__REALTIME_TIMESTAMP\":\"";
    if (*n > sizeof rt - 1 && memcmp(*s, rt, sizeof rt - 1) == 0) {
        time_t t = (time_t)(strtoll(*s + sizeof rt - 1, NULL, 10) / 1000000);
        struct tm tm;
        localtime_r(&t, &tm);
        l->cur_time = (int64_t)timegm(&tm);
        return false;
    }
    if (*n > sizeof msg - 1 && memcmp(*s, msg, sizeof msg - 1) == 0) {
        *s += sizeof msg - 1, *n -= sizeof msg - 1;
        return true;
    }
    if (*n && (*s)[0] == '{') {
        const char *m = memmem(*s, *n, jmsg, sizeof jmsg - 1), *t = memmem(*s, *n, jrt, sizeof jrt - 1);
        if (!m)
            return true;
        if (t) {
            time_t tt = (time_t)(strtoll(t + sizeof jrt - 1, NULL, 10) / 1000000);
            struct tm tm;
            localtime_r(&tt, &tm);
            l->cur_time = (int64_t)timegm(&tm);
        }
        const char *start = m + sizeof jmsg - 1, *end = start;
        while (end < *s + *n && *end != '"')
            end += *end == '\\' ? 2 : 1;
        *s = start;
        *n = (size_t)((end < *s + *n ? end : *s + *n) - start);
    }
    return true;
}

static void line(td_logs *l, const char *s, size_t n)
{
    l->lines++;
    if (n > TD_LOGS_MAX_LINE) {
        l->lines_long++;
        return;
    }
    if (memchr(s, '\0', n)) {
        l->lines_nul++;
        return;
    }
    if (n && s[n - 1] == '\r')
        n--;
    if (!journal(l, &s, &n))
        return;
    td_lrec r;
    int64_t t = td_ltime(s, n, l->this_year);
    if (t >= 0)
        l->cur_time = t;
    td_lparse(l->kb, s, n, l->norm, &r);
    if (r.kind == TD_LREC_NONE)
        return;
    r.t = l->cur_time;
    if (l->since >= 0 && r.t >= 0 && r.t < l->since) {
        l->before_since++;
        return;
    }
    switch (r.kind) {
    case TD_LREC_FAIL: count(l, &r, s, n); break;
    case TD_LREC_OPENS: opens(l, &r); break;
    case TD_LREC_REASON: reason(l, &r, s, n); break;
    case TD_LREC_NONE: break;
    }
}

/* Bytes of a log, in pieces of any size: whole lines are read at once, the
 * rest waits in carry for the next piece. */
static void feed(td_logs *l, const char *buf, size_t len)
{
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (l->carry_long || l->carry_len + n > TD_LOGS_MAX_LINE) {
            l->carry_long = true; /* the rest of an over-long line: skipped */
            l->carry_len = 0;
        } else if (l->carry_len || !nl) {
            memcpy(l->carry + l->carry_len, p, n);
            l->carry_len += n;
        }
        if (nl) {
            if (l->carry_long)
                line(l, p, TD_LOGS_MAX_LINE + 1);
            else if (l->carry_len)
                line(l, l->carry, l->carry_len);
            else
                line(l, p, n);
            l->carry_len = 0;
            l->carry_long = false;
        }
        p += n + (nl ? 1 : 0);
    }
}

void td_logs_feed(td_logs *l, const char *buf, size_t len)
{
    feed(l, buf, len);
}

/* The line left without a final newline, and Apache lines still waiting. */
static void finish_input(td_logs *l)
{
    if (l->carry_long)
        line(l, l->carry, TD_LOGS_MAX_LINE + 1);
    else if (l->carry_len)
        line(l, l->carry, l->carry_len);
    l->carry_len = 0;
    l->carry_long = false;
    for (size_t i = 0; i < TD_LOGS_PENDING; i++)
        flush_pending(l, &l->pending[i]);
}

td_status td_logs_add_text(td_logs *l, const char *text, size_t len)
{
    if (!l)
        return TD_ERR_USAGE;
    if (!l->kb)
        return TD_ERR_INTERNAL;
    feed(l, text, len);
    finish_input(l);
    return TD_OK;
}

#define READ_CHUNK (1u << 20)

/* Reads f to its end (gzread reads plain files as they are). */
static td_status drain(td_logs *l, gzFile f, const char *name, char *buf)
{
    for (;;) {
        int got = gzread(f, buf, READ_CHUNK);
        if (got < 0) {
            int e;
            const char *msg = gzerror(f, &e);
            seterr(l, "%s: %s", name, e == Z_ERRNO ? strerror(errno) : msg);
            return TD_ERR_USAGE;
        }
        if (got == 0)
            return TD_OK;
        feed(l, buf, (size_t)got);
    }
}

static gzFile open_log(td_logs *l, const char *path)
{
    int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    gzFile f = fd >= 0 ? gzdopen(fd, "rb") : NULL;
    if (!f) {
        seterr(l, "cannot read %s: %s", strcmp(path, "-") == 0 ? "standard input" : path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    gzbuffer(f, 256u << 10);
    return f;
}

td_status td_logs_add_file(td_logs *l, const char *path)
{
    if (!l || !path)
        return TD_ERR_USAGE;
    if (!l->kb)
        return TD_ERR_INTERNAL;
    char *buf = malloc(READ_CHUNK);
    if (!buf) {
        seterr(l, "out of memory");
        return TD_ERR_INTERNAL;
    }
    gzFile f = open_log(l, path);
    td_status st = f ? drain(l, f, path, buf) : TD_ERR_USAGE;
    if (f)
        gzclose(f);
    free(buf);
    finish_input(l);
    l->files++;
    return st;
}

td_status td_logs_follow(td_logs *l, const char *path, double interval, td_logs_tick tick, void *arg,
                         volatile sig_atomic_t *stop)
{
    if (!l || !path || !tick || interval <= 0)
        return TD_ERR_USAGE;
    if (!l->kb)
        return TD_ERR_INTERNAL;
    char *buf = malloc(READ_CHUNK);
    gzFile f = buf ? open_log(l, path) : NULL;
    if (!f) {
        free(buf);
        return buf ? TD_ERR_USAGE : TD_ERR_INTERNAL;
    }
    l->files++;
    td_status st = TD_OK;
    uint64_t shown = UINT64_MAX;
    struct timespec last = { 0 };
    while (st == TD_OK && !(stop && *stop)) {
        st = drain(l, f, path, buf);
        gzclearerr(f); /* at the end for now: a growing file has more later */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double since = (double)(now.tv_sec - last.tv_sec) + (double)(now.tv_nsec - last.tv_nsec) / 1e9;
        if (st == TD_OK && since >= interval && l->lines != shown) {
            if (tick(l, arg) != 0)
                break;
            shown = l->lines;
            last = now;
        }
        struct timespec nap = { 0, 200 * 1000 * 1000 };
        nanosleep(&nap, NULL);
    }
    gzclose(f);
    free(buf);
    finish_input(l);
    return st;
}

unsigned long long td_logs_failure_count(const td_logs *l)
{
    return l ? (unsigned long long)l->failures : 0;
}
