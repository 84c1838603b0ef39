/* tlsdiag scan: the checks of a whole fleet on one pool.
 *
 * The run reads every line first (a target list is small next to what a
 * check holds), resolves every name at once through one caching resolver,
 * expands names and ranges into one target per address, keeps this shard's
 * targets that the state file does not list as done, and then keeps up to
 * --concurrency checks in flight on one scheduler pool, whose caps (all
 * connections, connections and new connections a second per address) hold
 * whatever the order of the list.  Each finished check is one JSON line,
 * written with one write(2), and only then recorded (fsync'd) in the state
 * file. */
#include "scan/scan.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cert/cert.h"
#include "check.h"
#include "net/net.h"
#include "report/report.h"
#include "report/scanhtml.h"
#include "scan/state.h"
#include "scan/summary.h"
#include "scan/targets.h"
#include "starttls/starttls.h"
#include "util/str.h"

#define DEF_CONCURRENCY 64u
#define DEF_PER_IP      8u
#define MAX_CONCURRENCY 4096u
#define IP_BUCKETS      4096

typedef struct line {
    unsigned no;
    char *text;
    td_tline t;
    char error[256];     /* "" unless the line is refused */
    td_options *o;       /* the defaults with this line's settings; NULL: the defaults */
    td_addr *addrs;      /* a name's addresses once resolved */
    size_t n_addrs;
} line;

typedef struct target {
    line *ln;
    td_addr addr;
    bool started;
} target;

typedef struct ip_count {
    struct ip_count *next;
    unsigned n;
    char ip[64];
} ip_count;

struct td_scan {
    td_options defaults;
    bool quick, json;
    unsigned concurrency, per_ip;
    double rate;
    unsigned shard_i, shard_n;
    char state_path[4096];
    char **inputs;
    size_t n_inputs;
    FILE *progress;
    FILE *html;          /* the page goes there at the end of a run; NULL: no page */
    char error[600];
    unsigned long failures;
    td_history *history; /* each finished check is recorded in it, as run `run` */
    long long run;

    /* one run */
    line *lines;
    size_t n_lines, cap_lines;
    target *targets;
    size_t n_targets, next, in_flight, done;
    td_pool *pool;
    td_store *store; /* the defaults' trust store, loaded once for every check; NULL: each loads its own */
    td_scan_state *state;
    td_scan_state *seen; /* targets of this run so far: a line, a URL and a range may name one twice */
    td_summary *sum;
    td_scan_page *page; /* this run's targets, when html is set */
    int out_fd;
    bool aborted;  /* out of memory, or the output, state or history cannot be written: the run ends */
    bool db_failed; /* ... and it was the history */
    bool stopping; /* asked to stop: no new check */
    volatile sig_atomic_t *stop;
    ip_count *ips[IP_BUCKETS];
    double t0;
};

static td_status fail(td_scan *s, td_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static td_status fail(td_scan *s, td_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
    return st;
}

td_scan *td_scan_new(void)
{
    td_scan *s = calloc(1, sizeof *s);
    td_options *d = td_options_new();
    if (!s || !d) {
        free(s);
        td_options_free(d);
        return NULL;
    }
    s->defaults = *d;
    td_options_free(d);
    s->concurrency = DEF_CONCURRENCY;
    s->per_ip = DEF_PER_IP;
    s->out_fd = -1;
    return s;
}

void td_scan_free(td_scan *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_inputs; i++)
        free(s->inputs[i]);
    free(s->inputs);
    free(s);
}

const char *td_scan_error(const td_scan *s)
{
    return s && s->error[0] ? s->error : NULL;
}

td_status td_scan_set_options(td_scan *s, const td_options *o)
{
    s->error[0] = '\0';
    if (!o)
        return fail(s, TD_ERR_USAGE, "no options");
    s->defaults = *o;
    return TD_OK;
}

td_status td_scan_set_profile(td_scan *s, const char *name)
{
    s->error[0] = '\0';
    if (name && strcmp(name, "quick") == 0)
        s->quick = true;
    else if (name && strcmp(name, "full") == 0)
        s->quick = false;
    else
        return fail(s, TD_ERR_USAGE, "unknown profile '%.40s': use quick or full", name ? name : "");
    return TD_OK;
}

td_status td_scan_set_concurrency(td_scan *s, unsigned n)
{
    s->error[0] = '\0';
    if (n < 1 || n > MAX_CONCURRENCY)
        return fail(s, TD_ERR_USAGE, "concurrency must be between 1 and %u connections", MAX_CONCURRENCY);
    s->concurrency = n;
    return TD_OK;
}

td_status td_scan_set_per_ip(td_scan *s, unsigned n)
{
    s->error[0] = '\0';
    if (n > MAX_CONCURRENCY)
        return fail(s, TD_ERR_USAGE, "per-ip must be between 0 (no cap) and %u connections", MAX_CONCURRENCY);
    s->per_ip = n;
    return TD_OK;
}

td_status td_scan_set_rate(td_scan *s, double per_second)
{
    s->error[0] = '\0';
    if (!isfinite(per_second) || per_second < 0 || per_second > 100000)
        return fail(s, TD_ERR_USAGE, "rate must be 0 (no limit) or up to 100000 new connections a second");
    s->rate = per_second;
    return TD_OK;
}

void td_scan_set_json(td_scan *s, bool json)
{
    s->json = json;
}

void td_scan_set_html(td_scan *s, FILE *f)
{
    s->html = f;
}

void td_scan_set_progress(td_scan *s, FILE *f)
{
    s->progress = f;
}

td_status td_scan_set_shard(td_scan *s, unsigned i, unsigned n)
{
    s->error[0] = '\0';
    if (n < 1 || n > 100000 || i >= n)
        return fail(s, TD_ERR_USAGE, "shard must be I/N with 0 <= I < N (got %u/%u)", i, n);
    s->shard_i = i;
    s->shard_n = n;
    return TD_OK;
}

static bool env_uint(const char *name, unsigned long *v)
{
    const char *e = getenv(name);
    char *end;
    if (!e || !*e || *e < '0' || *e > '9')
        return false;
    errno = 0;
    *v = strtoul(e, &end, 10);
    return !*end && errno == 0;
}

td_status td_scan_shard_from_env(td_scan *s, unsigned shards)
{
    s->error[0] = '\0';
    unsigned long i, n, min = 0;
    static const char *const indexed[] = { "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX" };
    for (size_t k = 0; k < sizeof indexed / sizeof indexed[0]; k++) {
        if (!env_uint(indexed[k], &i))
            continue;
        if (!shards)
            return fail(s, TD_ERR_USAGE, "%s is set: give the number of shards with --shards N", indexed[k]);
        return td_scan_set_shard(s, (unsigned)i, shards);
    }
    if (env_uint("SLURM_ARRAY_TASK_ID", &i)) {
        /* An array may be numbered from 1 (--array=1-4). */
        (void)env_uint("SLURM_ARRAY_TASK_MIN", &min);
        if (!env_uint("SLURM_ARRAY_TASK_COUNT", &n))
            n = shards;
        if (!n || i < min)
            return fail(s, TD_ERR_USAGE, "SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT");
        return td_scan_set_shard(s, (unsigned)(i - min), (unsigned)n);
    }
    if (shards)
        return fail(s, TD_ERR_USAGE, "--shards %u given, but none of JOB_COMPLETION_INDEX, "
                                     "AWS_BATCH_JOB_ARRAY_INDEX or SLURM_ARRAY_TASK_ID is set", shards);
    return TD_OK;
}

td_status td_scan_set_state_file(td_scan *s, const char *path)
{
    s->error[0] = '\0';
    if (!path || !*path || strlen(path) >= sizeof s->state_path)
        return fail(s, TD_ERR_USAGE, "bad state file name");
    snprintf(s->state_path, sizeof s->state_path, "%s", path);
    return TD_OK;
}

td_status td_scan_add_input(td_scan *s, const char *path)
{
    s->error[0] = '\0';
    char **v = realloc(s->inputs, (s->n_inputs + 1) * sizeof *v);
    if (!v)
        return fail(s, TD_ERR_INTERNAL, "out of memory");
    s->inputs = v;
    if (!(v[s->n_inputs] = strdup(path ? path : "-")))
        return fail(s, TD_ERR_INTERNAL, "out of memory");
    s->n_inputs++;
    return TD_OK;
}

td_status td_scan_set_history(td_scan *s, td_history *h, long long run)
{
    s->error[0] = '\0';
    if (h && run <= 0)
        return fail(s, TD_ERR_USAGE, "no history run to record into (td_history_run_begin gives one)");
    s->history = h;
    s->run = run;
    return TD_OK;
}

bool td_scan_shard(const td_scan *s, unsigned *i, unsigned *n)
{
    if (!s || !s->shard_n)
        return false;
    *i = s->shard_i;
    *n = s->shard_n;
    return true;
}

unsigned long td_scan_failure_count(const td_scan *s)
{
    return s ? s->failures : 0;
}

/* ---- reading the list ------------------------------------------------------ */

static void refuse_line(line *ln, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse_line(line *ln, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ln->error, sizeof ln->error, fmt, ap);
    va_end(ap);
}

/* The defaults with the line's own settings, checked as check checks them. */
static void line_options(td_scan *s, line *ln)
{
    if (!ln->t.sni[0] && !ln->t.no_sni && !ln->t.clients[0] && ln->t.starttls == s->defaults.starttls)
        return;
    ln->o = malloc(sizeof *ln->o);
    if (!ln->o) {
        refuse_line(ln, "out of memory");
        return;
    }
    *ln->o = s->defaults;
    ln->o->starttls = ln->t.starttls;
    if (ln->t.no_sni)
        td_options_set_no_sni(ln->o, true);
    if (ln->t.sni[0] && td_options_set_sni(ln->o, ln->t.sni) != TD_OK) {
        refuse_line(ln, "%s", td_options_error(ln->o));
        return;
    }
    if (ln->t.clients[0]) {
        ln->o->n_clients = 0; /* the line's clients replace the defaults' */
        char *save = NULL, ids[sizeof ln->t.clients];
        memcpy(ids, ln->t.clients, sizeof ids);
        for (char *id = strtok_r(ids, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
            if (td_options_add_client(ln->o, id) != TD_OK) {
                refuse_line(ln, "%s", td_options_error(ln->o));
                return;
            }
        }
    }
}

static td_status read_input(td_scan *s, const char *path, unsigned *no)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        return fail(s, TD_ERR_USAGE, "cannot read target list '%s': %s", path, strerror(errno));
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    td_status st = TD_OK;
    while ((n = getline(&buf, &cap, f)) >= 0) {
        (*no)++;
        if (n > 0 && buf[n - 1] == '\n')
            buf[--n] = '\0';
        line ln = { .no = *no };
        int rc = n >= TD_TLINE_MAX ? -1 : td_tline_parse(buf, &ln.t);
        if (rc == 0)
            continue;
        if (n >= TD_TLINE_MAX)
            snprintf(ln.t.error, sizeof ln.t.error, "line is longer than %d bytes", TD_TLINE_MAX - 1);
        if (rc < 0) {
            refuse_line(&ln, "%s", ln.t.error);
        } else {
            td_tline_default_starttls(&ln.t, s->defaults.starttls);
            line_options(s, &ln);
        }
        ln.text = strndup(buf, 200);
        line *v = td_grow(s->lines, &s->cap_lines, s->n_lines, sizeof *v);
        if (!ln.text || !v) {
            free(ln.text);
            free(ln.o);
            st = fail(s, TD_ERR_INTERNAL, "out of memory");
            break;
        }
        s->lines = v;
        s->lines[s->n_lines++] = ln;
    }
    if (st == TD_OK && ferror(f))
        st = fail(s, TD_ERR_USAGE, "cannot read target list '%s': %s", path, strerror(errno));
    free(buf);
    if (f != stdin)
        fclose(f);
    return st;
}

/* ---- names to addresses ---------------------------------------------------- */

static void resolved(void *arg, const td_addr *addrs, size_t n, const char *err)
{
    line *ln = arg;
    if (!n) {
        refuse_line(ln, "cannot resolve %s: %s", ln->t.host, err ? err : "no address");
        return;
    }
    ln->addrs = malloc(n * sizeof *addrs);
    if (!ln->addrs) {
        refuse_line(ln, "out of memory");
        return;
    }
    memcpy(ln->addrs, addrs, n * sizeof *addrs);
    ln->n_addrs = n;
}

static td_status resolve_all(td_scan *s)
{
    char err[200];
    const td_options *d = &s->defaults;
    td_resolver *r = td_resolver_new(td_pool_loop(s->pool), d->dns_server_set ? &d->dns_server : NULL,
                                     d->timeout_s, err, sizeof err);
    if (!r)
        return fail(s, TD_ERR_INTERNAL, "%s", err);
    for (size_t i = 0; i < s->n_lines; i++) {
        line *ln = &s->lines[i];
        if (!ln->error[0] && ln->t.kind == TD_TL_NAME && td_resolver_lookup(r, ln->t.host, resolved, ln) != 0) {
            td_resolver_free(r);
            return fail(s, TD_ERR_INTERNAL, "out of memory");
        }
    }
    while (td_resolver_pending(r) && !*s->stop)
        ev_run(td_pool_loop(s->pool), EVRUN_ONCE);
    td_resolver_free(r);
    return TD_OK;
}

/* ---- this shard's targets -------------------------------------------------- */

/* Partitioned by address, so every address (and the per-address caps) is
 * one shard's alone, whichever names and ports lead to it. */
static bool in_shard(const td_scan *s, const char *what)
{
    return !s->shard_n || td_hash(what) % s->shard_n == s->shard_i;
}

/* The host a target's check names: the name, else the address itself. */
static const char *target_host(const target *t)
{
    return t->ln->t.kind == TD_TL_NAME ? t->ln->t.host : t->addr.text;
}

static const char *target_starttls(const target *t)
{
    return t->ln->t.starttls ? t->ln->t.starttls->name : NULL;
}

/* As td_scan_line_key reads it back from the target's line. */
static void target_key(const target *t, char *out, size_t cap)
{
    td_scan_target_key(target_host(t), t->ln->t.port, t->addr.text, target_starttls(t), out, cap);
}

static void error_key(const line *ln, char *out, size_t cap)
{
    snprintf(out, cap, "! %u %s", ln->no, ln->text);
}

static td_status add_target(td_scan *s, line *ln, const td_addr *a, size_t *cap)
{
    target t = { .ln = ln, .addr = *a };
    char key[400];
    target_key(&t, key, sizeof key);
    if (!in_shard(s, a->text) || td_scan_state_has(s->state, key) || td_scan_state_has(s->seen, key))
        return TD_OK;
    if (td_scan_state_add(s->seen, key) != 0)
        return fail(s, TD_ERR_INTERNAL, "out of memory");
    target *v = td_grow(s->targets, cap, s->n_targets, sizeof *v);
    if (!v)
        return fail(s, TD_ERR_INTERNAL, "out of memory");
    s->targets = v;
    s->targets[s->n_targets++] = t;
    return TD_OK;
}

/* The k-th address of a line: a name's k-th answer, a range's k-th
 * address, the address itself; with the line's port. */
static bool line_addr(const line *ln, uint32_t k, td_addr *a)
{
    if (ln->t.kind == TD_TL_NAME)
        return td_addr_from_sockaddr((const struct sockaddr *)&ln->addrs[k].ss, ln->addrs[k].len, ln->t.port, a);
    if (ln->t.kind == TD_TL_ADDR)
        return td_addr_from_ip(ln->t.host, ln->t.port, a);
    char ip[64];
    td_tline_range_at(&ln->t, k, ip, sizeof ip);
    return td_addr_from_ip(ip, ln->t.port, a);
}

static td_status expand(td_scan *s)
{
    size_t cap = 0;
    for (size_t i = 0; i < s->n_lines; i++) {
        line *ln = &s->lines[i];
        if (ln->error[0])
            continue;
        uint32_t n = ln->t.kind == TD_TL_NAME ? (uint32_t)ln->n_addrs : td_tline_count(&ln->t);
        for (uint32_t k = 0; k < n; k++) {
            td_addr a;
            if (line_addr(ln, k, &a) && add_target(s, ln, &a, &cap) != TD_OK)
                return TD_ERR_INTERNAL;
        }
    }
    return TD_OK;
}

/* ---- output ---------------------------------------------------------------- */

/* One whole line or nothing.  The line is complete in memory before the
 * first byte goes out, and nothing else is written between its write(2)
 * calls (one, unless the descriptor takes less); on a regular file a failed
 * write (a full disk) is cut back to where the line began, so the file
 * keeps whole lines only. */
static int write_line(int fd, const char *buf, size_t len)
{
    struct stat st;
    off_t start = (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) ? lseek(fd, 0, SEEK_CUR) : (off_t)-1;
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, buf + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            if (start >= 0 && ftruncate(fd, start) == 0)
                (void)lseek(fd, start, SEEK_SET);
            errno = e;
            return -1;
        }
        off += (size_t)n;
    }
    return 0;
}

/* doc on one line with its newline, in memory; NULL when out of memory. */
static char *json_line(const json_t *doc, size_t *len)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    size_t n = text ? strlen(text) : 0;
    char *out = text ? realloc(text, n + 2) : NULL;
    if (!out) {
        free(text);
        return NULL;
    }
    memcpy(out + n, "\n", 2);
    *len = n + 1;
    return out;
}

/* Writes the line (JSON, or for text a line when it fails), then records
 * it in the summary and the state file. */
static void emit(td_scan *s, json_t *doc)
{
    char key[400];
    td_scan_line_key(doc, key, sizeof key);
    bool failing = td_summary_failing(doc);
    s->failures += failing;
    char *text = NULL;
    size_t len = 0;
    if (s->json) {
        text = json_line(doc, &len);
    } else if (failing) {
        FILE *m = open_memstream(&text, &len);
        if (m) {
            td_summary_write_failure(doc, m);
            fclose(m);
        }
    }
    if (!td_summary_add(s->sum, doc) || ((s->json || failing) && !text) ||
        (s->page && !td_scan_page_add(s->page, doc))) {
        free(text);
        s->aborted = true;
        fail(s, TD_ERR_INTERNAL, "out of memory");
        return;
    }
    if (text && s->out_fd >= 0 && write_line(s->out_fd, text, len) != 0) {
        s->aborted = true;
        fail(s, TD_ERR_INTERNAL, "cannot write the results: %s", strerror(errno));
    } else if (td_scan_state_add(s->state, key) != 0) {
        s->aborted = true;
        fail(s, TD_ERR_INTERNAL, "cannot record progress in '%s': %s", s->state_path, strerror(errno));
    }
    free(text);
}

static void emit_errors(td_scan *s)
{
    for (size_t i = 0; i < s->n_lines && !s->aborted; i++) {
        line *ln = &s->lines[i];
        char key[400];
        error_key(ln, key, sizeof key);
        if (!ln->error[0] || !in_shard(s, ln->text) || td_scan_state_has(s->state, key))
            continue;
        json_t *doc = json_pack("{s:I, s:s, s:s}", "line", (json_int_t)ln->no, "input", ln->text, "error", ln->error);
        if (!doc) {
            s->aborted = true;
            fail(s, TD_ERR_INTERNAL, "out of memory");
            return;
        }
        emit(s, doc);
        json_decref(doc);
    }
}

/* ---- checks in flight ------------------------------------------------------ */

/* Checks in flight per address: no more than --per-ip of them, so each has
 * a connection of its own before its deadline runs out. */
static ip_count *ip_slot(td_scan *s, const char *ip)
{
    size_t h = (size_t)(td_hash(ip) % IP_BUCKETS);
    for (ip_count *c = s->ips[h]; c; c = c->next)
        if (strcmp(c->ip, ip) == 0)
            return c;
    ip_count *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    snprintf(c->ip, sizeof c->ip, "%s", ip);
    c->next = s->ips[h];
    s->ips[h] = c;
    return c;
}

typedef struct flight {
    td_scan *s;
    target *t;
    ip_count *ip;
} flight;

static void admit(td_scan *s);

/* Into the history before the line is written: a target the database did
 * not take is neither in the output nor in the state file, so a run with
 * the same --state checks it again.  A database that fails ends the run as
 * a full disk does. */
static void record(td_scan *s, const td_report *r)
{
    if (!s->history || !r || s->aborted || td_history_record(s->history, s->run, r) == TD_OK)
        return;
    s->aborted = s->db_failed = true;
    fail(s, TD_ERR_DB, "%s", td_history_error(s->history) ? td_history_error(s->history) : "history: database error");
}

static void check_done(void *arg, td_report *r)
{
    flight *f = arg;
    td_scan *s = f->s;
    f->ip->n--;
    s->in_flight--;
    s->done++;
    record(s, r);
    json_t *doc = r ? td_report_to_json(r) : NULL;
    if (!doc) {
        const char *st = target_starttls(f->t);
        doc = json_pack("{s:{s:s, s:I, s:s, s:o}, s:s}", "target", "host", target_host(f->t), "port",
                        (json_int_t)f->t->ln->t.port, "address_used", f->t->addr.text, "starttls",
                        st ? json_pack("{s:s, s:b}", "protocol", st, "auto", 0) : json_null(), "error",
                        "the check could not run (out of memory)");
    }
    td_report_free(r);
    free(f);
    if (doc && !s->aborted)
        emit(s, doc);
    json_decref(doc);
    admit(s);
}

static bool start_check(td_scan *s, target *t, ip_count *ip)
{
    flight *f = malloc(sizeof *f);
    if (!f)
        return false;
    *f = (flight){ .s = s, .t = t, .ip = ip };
    const td_options *o = t->ln->o ? t->ln->o : &s->defaults;
    td_options one = *o;
    one.target.port = t->ln->t.port;
    snprintf(one.target.host, sizeof one.target.host, "%s", target_host(t));
    one.target.host_is_ip = t->ln->t.kind != TD_TL_NAME;
    ip->n++;
    s->in_flight++;
    if (td_check_start(&one, &t->addr, s->quick, s->store, s->pool, check_done, f) != 0) {
        ip->n--;
        s->in_flight--;
        free(f);
        return false;
    }
    return true;
}

/* Starts checks while there is room, in list order except that a target
 * whose address is at its cap is passed over (for a while) in favour of the
 * next. */
static void admit(td_scan *s)
{
    if (s->stopping || s->aborted) {
        if (!s->in_flight)
            ev_break(td_pool_loop(s->pool), EVBREAK_ONE);
        return;
    }
    size_t skipped = 0;
    for (size_t i = s->next; i < s->n_targets && s->in_flight < s->concurrency && skipped < 4096; i++) {
        target *t = &s->targets[i];
        if (t->started)
            continue;
        ip_count *ip = ip_slot(s, t->addr.text);
        if (!ip) {
            s->aborted = true;
            fail(s, TD_ERR_INTERNAL, "out of memory");
            break;
        }
        if (s->per_ip && ip->n >= s->per_ip) {
            skipped++;
            continue;
        }
        if (!start_check(s, t, ip)) {
            s->aborted = true;
            fail(s, TD_ERR_INTERNAL, "out of memory");
            break;
        }
        t->started = true;
        if (i == s->next)
            s->next++;
    }
    while (s->next < s->n_targets && s->targets[s->next].started)
        s->next++;
    if (!s->in_flight && (s->next >= s->n_targets || s->aborted))
        ev_break(td_pool_loop(s->pool), EVBREAK_ONE);
}

/* ---- the run ----------------------------------------------------------------- */

static void progress(td_scan *s, bool last)
{
    if (!s->progress)
        return;
    double el = (td_now_ms() - s->t0) / 1000.0;
    double per_min = el > 0 ? s->done * 60.0 / el : 0;
    size_t left = s->n_targets - s->done;
    double eta = per_min > 0 ? left * 60.0 / per_min : 0;
    fprintf(s->progress, "\r%zu/%zu targets  %.0f/min  ETA %02d:%02d  %lu failing%s", s->done, s->n_targets,
            per_min, (int)(eta / 60), (int)fmod(eta, 60), s->failures, last ? "\n" : "   ");
    fflush(s->progress);
}

static void tick(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    td_scan *s = w->data;
    progress(s, false);
    if (*s->stop && !s->stopping) {
        /* No new check; those in flight end and are written, so each
         * target is either in the output and the state, or in neither. */
        s->stopping = true;
        admit(s);
    }
}

static void run_free(td_scan *s)
{
    for (size_t i = 0; i < s->n_lines; i++) {
        free(s->lines[i].text);
        free(s->lines[i].o);
        free(s->lines[i].addrs);
    }
    free(s->lines);
    free(s->targets);
    for (size_t b = 0; b < IP_BUCKETS; b++) {
        while (s->ips[b]) {
            ip_count *c = s->ips[b];
            s->ips[b] = c->next;
            free(c);
        }
    }
    td_pool_free(s->pool);
    td_store_free(s->store);
    td_scan_state_close(s->state);
    td_scan_state_close(s->seen);
    td_summary_free(s->sum);
    td_scan_page_free(s->page);
    s->page = NULL;
    s->lines = NULL;
    s->targets = NULL;
    s->n_lines = s->cap_lines = s->n_targets = s->next = s->in_flight = s->done = 0;
    s->pool = NULL;
    s->store = NULL;
    s->state = s->seen = NULL;
    s->sum = NULL;
}

/* Every target's --ca-file and --ca-path are the defaults' (a line cannot
 * set them), so one store serves every check instead of a parse of the
 * whole bundle per check.  When it cannot be loaded, each check tries
 * again and reports why in its own document, as a single check does. */
static void share_store(td_scan *s)
{
    char err[300];
    const td_options *d = &s->defaults;
    s->store = td_store_new(d->ca_file[0] ? d->ca_file : NULL, d->ca_path[0] ? d->ca_path : NULL, err, sizeof err);
}

/* The page from the lines fed to it and the summary line, written after
 * the summary so a page always has its counts. */
static td_status write_page(td_scan *s, bool interrupted)
{
    json_t *sum = td_summary_json(s->sum, interrupted);
    if (!sum)
        return fail(s, TD_ERR_INTERNAL, "out of memory");
    errno = 0;
    int rc = td_scan_page_write(s->page, sum, (int64_t)time(NULL), s->html);
    json_decref(sum);
    if (rc != 0 || fflush(s->html) == EOF || ferror(s->html))
        return fail(s, TD_ERR_INTERNAL, "cannot write the HTML page: %s", errno ? strerror(errno) : "output error");
    return TD_OK;
}

static td_status finish(td_scan *s, bool interrupted)
{
    if (s->aborted)
        return s->db_failed ? TD_ERR_DB : TD_ERR_INTERNAL;
    char *text = NULL;
    size_t len = 0;
    if (s->json) {
        json_t *sum = td_summary_json(s->sum, interrupted);
        text = sum ? json_line(sum, &len) : NULL;
        json_decref(sum);
    } else {
        FILE *m = open_memstream(&text, &len);
        if (m) {
            td_summary_write_text(s->sum, m, interrupted);
            fclose(m);
        }
    }
    if (!text)
        return fail(s, TD_ERR_INTERNAL, "out of memory");
    int rc = s->out_fd >= 0 ? write_line(s->out_fd, text, len) : 0;
    free(text);
    if (rc != 0)
        return fail(s, TD_ERR_INTERNAL, "cannot write the results: %s", strerror(errno));
    return s->page ? write_page(s, interrupted) : TD_OK;
}

td_status td_scan_run(td_scan *s, int out_fd, volatile sig_atomic_t *stop)
{
    static volatile sig_atomic_t never;
    if (!s)
        return TD_ERR_USAGE;
    s->error[0] = '\0';
    s->failures = 0;
    s->stop = stop ? stop : &never;
    s->out_fd = out_fd;
    s->aborted = s->db_failed = s->stopping = false;
    if (!s->n_inputs)
        return fail(s, TD_ERR_USAGE, "no target list: give a FILE or - for standard input");

    td_status st = TD_OK;
    unsigned no = 0;
    for (size_t i = 0; i < s->n_inputs && st == TD_OK; i++)
        st = read_input(s, s->inputs[i], &no);
    td_pool_opts po = { .max_conns = s->concurrency, .per_ip = s->per_ip, .per_ip_rate = s->rate };
    if (st == TD_OK && !(s->pool = td_pool_new(&po)))
        st = fail(s, TD_ERR_INTERNAL, "out of memory");
    if (st == TD_OK && !(s->seen = td_scan_state_open(NULL, s->error, sizeof s->error)))
        st = TD_ERR_INTERNAL;
    if (st == TD_OK && !(s->sum = td_summary_new(s->defaults.warn_days)))
        st = fail(s, TD_ERR_INTERNAL, "out of memory");
    if (st == TD_OK && s->html && !(s->page = td_scan_page_new()))
        st = fail(s, TD_ERR_INTERNAL, "out of memory");
    if (st == TD_OK && s->state_path[0] && !(s->state = td_scan_state_open(s->state_path, s->error, sizeof s->error)))
        st = TD_ERR_USAGE;
    if (st == TD_OK)
        share_store(s);
    if (st == TD_OK)
        st = resolve_all(s);
    if (st == TD_OK)
        st = expand(s);
    if (st != TD_OK) {
        run_free(s);
        return st;
    }

    s->t0 = td_now_ms();
    s->stopping = *s->stop != 0; /* a stop while names were being resolved */
    emit_errors(s);
    ev_timer tm;
    ev_timer_init(&tm, tick, 0.2, 0.2);
    tm.data = s;
    ev_timer_start(td_pool_loop(s->pool), &tm);
    admit(s);
    if (s->in_flight)
        ev_run(td_pool_loop(s->pool), 0);
    ev_timer_stop(td_pool_loop(s->pool), &tm);
    progress(s, true);

    bool interrupted = s->stopping && s->next < s->n_targets;
    st = finish(s, interrupted);
    run_free(s);
    if (st == TD_OK && interrupted)
        return fail(s, TD_ERR_INTERRUPTED, "interrupted: the targets not yet checked are left for a run with the same --state");
    return st;
}
