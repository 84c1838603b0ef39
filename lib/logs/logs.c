/* `tlsdiag logs`: the public API of include/tlsdiag.h over the log-line
 * parser (a source), the rules of lib/explain and bounded counters. */
#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "explain/rules.h"
#include "logs/logs_int.h"
#include "util/str.h"

td_logs *td_logs_new(void)
{
    td_logs *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->since = l->first = l->last = l->cur_time = l->minute = -1;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    l->this_year = tm.tm_year + 1900;
    l->kb = td_kb_get();
    l->norm = malloc(TD_LOGS_MAX_LINE + 1);
    l->carry = malloc(TD_LOGS_MAX_LINE + 1);
    if (!l->norm || !l->carry || td_ltable_init(&l->clients, TD_LOGS_MAX_CLIENTS) ||
        td_ltable_init(&l->names, TD_LOGS_MAX_NAMES) ||
        td_ltable_init(&l->minutes, TD_LOGS_MAX_MINUTES)) {
        td_logs_free(l);
        return NULL;
    }
    if (!l->kb) {
        td_errbuf(l->err, sizeof l->err, "%s", td_kb_error() ? td_kb_error() : "no knowledge loaded");
        return l;
    }
    l->cause_cache = malloc(l->kb->npats * 2 * sizeof *l->cause_cache);
    l->reason_cache = calloc(TD_LOGS_REASONS, sizeof *l->reason_cache);
    if (!l->cause_cache || !l->reason_cache) {
        td_logs_free(l);
        return NULL;
    }
    for (size_t i = 0; i < l->kb->npats * 2; i++)
        l->cause_cache[i] = TD_ID_COUNT; /* not ranked yet */
    /* nginx messages that say it all in their first words */
    for (size_t i = 0; i < l->kb->ntext && l->nginx_nmsgs < 32; i++) {
        const td_xpat *p = &l->kb->pats[i];
        if (p->software == TD_XSW_NGINX && p->client[0] && !strchr(p->match, '*') && p->writer != TD_XSIDE_CLIENT)
            l->nginx_msgs[l->nginx_nmsgs++] = p;
    }
    return l;
}

void td_logs_free(td_logs *l)
{
    if (!l)
        return;
    free(l->norm);
    free(l->carry);
    free(l->cause_cache);
    free(l->reason_cache);
    td_ltable_free(&l->clients);
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
        td_errbuf(l->err, sizeof l->err, "--since needs a time (2026-12-07 10:00, 2026-12-07T10:00:00) or an age (90m, 2h, 3d), not '%.40s'",
               when);
        return TD_ERR_USAGE;
    }
    l->since = t;
    return TD_OK;
}

/* The cause hits point to, as the rules rank them; a line of one hit (most
 * are) is ranked once per pattern and writer. */
static td_id cause_of(td_logs *l, const td_xhit *hits, size_t n, td_xside writer, const td_xpat **reason)
{
    size_t slot = 0;
    bool cacheable = n == 1 && hits[0].alert == hits[0].pat->alert;
    if (cacheable) {
        slot = (size_t)(hits[0].pat - l->kb->pats) * 2 + (writer == TD_XSIDE_CLIENT);
        if (l->cause_cache[slot] != TD_ID_COUNT) {
            *reason = hits[0].pat;
            return l->cause_cache[slot];
        }
    }
    td_xverdict v;
    td_xrules(hits, n, writer, &v);
    *reason = v.top;
    td_id id = v.ncands ? v.cands[0].id : TD_ID_NONE;
    if (cacheable)
        l->cause_cache[slot] = id;
    return id;
}

static void sample(char *out, const char *raw, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < TD_LOGS_SAMPLE; i++)
        out[n++] = raw[i] >= 0x20 && raw[i] < 0x7f ? raw[i] : '?';
    out[n] = '\0';
}

/* The failures of the minute being counted go to the table when the
 * minute changes: one table look-up a minute, not one a line. */
static void flush_minute(td_logs *l)
{
    if (l->minute >= 0 && l->minute_count) {
        char key[24]; /* minutes since 1970 */
        int n = snprintf(key, sizeof key, "%lld", (long long)l->minute);
        td_ltable_add(&l->minutes, key, (size_t)n, -1, l->minute_count);
    }
    l->minute_count = 0;
}

/* One failed handshake. */
static void count_one(td_logs *l, td_id id, const td_xpat *reason, const char *client, size_t clen, const char *sni,
                      int64_t t, const char *raw, size_t len)
{
    td_lcause *c = &l->causes[id];
    if (c->count++ == 0) {
        c->reason = reason;
        if (raw)
            sample(c->sample, raw, len);
    }
    l->failures++;
    if (!clen)
        client = "-", clen = 1;
    td_ltable_add(&l->clients, client, clen, (int)id, 1);
    if (sni && sni[0])
        td_ltable_add(&l->names, sni, strlen(sni), -1, 1);
    if (t >= 0) {
        if (l->first < 0 || t < l->first)
            l->first = t;
        if (t > l->last)
            l->last = t;
        if (t / 60 != l->minute) {
            flush_minute(l);
            l->minute = t / 60;
        }
        l->minute_count++;
    }
}

static void count(td_logs *l, const td_lrec *r, const char *raw, size_t len)
{
    const td_xpat *reason = NULL;
    td_id id = cause_of(l, r->hits, r->nhits, r->writer, &reason);
    count_one(l, id, reason, r->client, strlen(r->client), r->sni, r->t, raw, len);
}

/* The time of an nginx line: the same minute as the line before is the
 * common case, read from its seconds alone. */
static int64_t nginx_time(td_logs *l, const char *s, size_t n)
{
    int64_t t;
    if (n >= 19 && memcmp(s, l->prefix, sizeof l->prefix) == 0 && s[16] == ':' && isdigit((unsigned char)s[17]) &&
        isdigit((unsigned char)s[18])) {
        t = l->prefix_t + (s[17] - '0') * 10 + (s[18] - '0');
    } else {
        t = td_ltime(s, n, l->this_year);
        if (t >= 0 && n >= 19) {
            memcpy(l->prefix, s, sizeof l->prefix);
            l->prefix_t = t - t % 60;
        }
    }
    if (t >= 0)
        l->cur_time = t;
    return t >= 0 ? t : l->cur_time;
}

/* The pattern of "error:0A000102" at h (8 hex digits and a colon). */
static const td_xpat *packed(td_logs *l, const char *h)
{
    unsigned long v = 0;
    for (int i = 0; i < 8; i++) {
        int c = h[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return NULL;
        v = v << 4 | (unsigned long)d;
    }
    int reason = td_xossl_reason(v);
    if (reason < 0 || reason >= TD_LOGS_REASONS || h[8] != ':')
        return NULL;
    if (!l->reason_cache[reason])
        l->reason_cache[reason] = td_kb_ssl(l->kb, reason);
    return l->reason_cache[reason];
}

/* ", client: " in an nginx line: near its end (only ", server: ..." and,
 * for requests, the request and host follow), so looked for there first. */
static const char *client_key(const char *msg, const char *end)
{
    static const char cl[] = ", client: ";
    const char *from = end - msg > 96 ? end - 96 : msg;
    const char *w = memmem(from, (size_t)(end - from), cl, sizeof cl - 1);
    return w ? w : from > msg ? memmem(msg, (size_t)(end - msg), cl, sizeof cl - 1) : NULL;
}

/* nginx's failures as most logs hold them, read without the general
 * matcher: "2026/12/07 11:40:00 [info] 1#1: *5 MESSAGE, client: 10.1.2.3,
 * server: ...", MESSAGE being "SSL_do_handshake() failed (SSL:
 * error:0A000102:...) while SSL handshaking" or one of the messages that
 * say it all in their first words ("peer closed connection in SSL
 * handshake").  False for anything else (the general path reads it then). */
static bool nginx_fast(td_logs *l, const char *s, size_t n)
{
    static const char code[] = "SSL_do_handshake() failed (SSL: error:", down[] = ") while SSL handshaking, client: ",
                      cl[] = ", client: ";
    /* "2026/12/07 11:40:00 [info] 1#1: *5 ": the '*' within the first 60 bytes */
    const char *end = s + n, *star = n > 40 && s[4] == '/' ? memchr(s + 20, '*', n - 20 < 40 ? n - 20 : 40) : NULL;
    if (!star)
        return false;
    const char *msg = star + 1;
    while (msg < end && isdigit((unsigned char)*msg))
        msg++;
    if (++msg >= end)
        return false;
    const td_xpat *p = NULL;
    const char *c = NULL;
    if ((size_t)(end - msg) > sizeof code + 8 && memcmp(msg, code, sizeof code - 1) == 0) {
        p = packed(l, msg + sizeof code - 1);
        /* ") while SSL handshaking, client: ": "to upstream" lines go the general path */
        const char *w = p ? client_key(msg, end) : NULL;
        c = w && w - msg >= (ptrdiff_t)(sizeof down - sizeof cl) &&
                    memcmp(w - (sizeof down - sizeof cl), down, sizeof down - 1) == 0
                ? w + sizeof cl - 1
                : NULL;
    } else {
        for (size_t i = 0; i < l->nginx_nmsgs && !p; i++) {
            size_t ml = strlen(l->nginx_msgs[i]->match);
            if ((size_t)(end - msg) > ml && strncasecmp(msg, l->nginx_msgs[i]->match, ml) == 0)
                p = l->nginx_msgs[i];
        }
        const char *w = p ? client_key(msg, end) : NULL;
        c = w ? w + sizeof cl - 1 : NULL;
    }
    if (!p || !c)
        return false;
    const char *ce = c;
    while (ce < end && *ce != ',' && *ce != ' ')
        ce++;
    int64_t t = nginx_time(l, s, n);
    if (l->since >= 0 && t >= 0 && t < l->since) {
        l->before_since++;
        return true;
    }
    td_xhit hit = { p, p->alert, p->alert_sent };
    const td_xpat *why = NULL;
    td_id id = cause_of(l, &hit, 1, TD_XSIDE_SERVER, &why);
    count_one(l, id, why, c, (size_t)(ce - c < TD_LKEY_MAX ? ce - c : TD_LKEY_MAX - 1), NULL, t, s, n);
    return true;
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
    if (memchr(s, '\0', n)) { /* the line is in the cache now: cheaper than a pass over the piece */
        l->lines_nul++;
        return;
    }
    if (n && s[n - 1] == '\r')
        n--;
    if (nginx_fast(l, s, n))
        return;
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
    flush_minute(l);
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
            td_errbuf(l->err, sizeof l->err, "%s: %s", name, e == Z_ERRNO ? strerror(errno) : msg);
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
        td_errbuf(l->err, sizeof l->err, "cannot read %s: %s", strcmp(path, "-") == 0 ? "standard input" : path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    gzbuffer(f, 256u << 10);
    return f;
}

/* A plain regular file is mapped and read in place: no copy from the page
 * cache (a fifth of the time of a large log was that copy). */
static bool read_mapped(td_logs *l, const char *path)
{
    if (strcmp(path, "-") == 0)
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 2) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    size_t size = (size_t)st.st_size;
    const unsigned char *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        return false;
    if (m[0] == 0x1f && m[1] == 0x8b) { /* gzip: zlib reads it */
        munmap((void *)m, size);
        return false;
    }
    madvise((void *)m, size, MADV_SEQUENTIAL);
    for (size_t off = 0; off < size; off += READ_CHUNK)
        feed(l, (const char *)m + off, size - off < READ_CHUNK ? size - off : READ_CHUNK);
    munmap((void *)m, size);
    return true;
}

td_status td_logs_add_file(td_logs *l, const char *path)
{
    if (!l || !path)
        return TD_ERR_USAGE;
    if (!l->kb)
        return TD_ERR_INTERNAL;
    td_status st = TD_OK;
    if (!read_mapped(l, path)) {
        char *buf = malloc(READ_CHUNK);
        if (!buf) {
            td_errbuf(l->err, sizeof l->err, "out of memory");
            return TD_ERR_INTERNAL;
        }
        gzFile f = open_log(l, path);
        st = f ? drain(l, f, path, buf) : TD_ERR_USAGE;
        if (f)
            gzclose(f);
        free(buf);
    }
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
