/* tlsdiag pcap: reads a capture through libpcap, sorts its packets into
 * connections (a hash table, with a list by last activity so that idle
 * connections are judged and released), and keeps each connection's
 * observations and findings for the reports. */
#include "capture/capture_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/conn.h"
#include "capture/frame.h"
#include "capture/trust.h"
#include "capture/who.h"
#include "wire/keylog.h"

#define BUCKETS (1u << 16)
/* family, two addresses, two ports */
#define KEY_LEN (1 + 16 + 2 + 16 + 2)

typedef struct entry {
    struct entry *hnext;         /* in its bucket */
    struct entry *older, *newer; /* by last activity */
    uint8_t key[KEY_LEN];
    td_cap_conn *c;              /* NULL once judged: late packets are dropped */
    double last;
} entry;

struct td_cap_table {
    entry *bucket[BUCKETS];
    entry *oldest, *newest;
    size_t n;
    size_t live;                 /* entries whose connection is not judged yet */
};

td_capture *td_capture_new(void)
{
    td_capture *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    for (size_t k = 0; k < TD_ID_COUNT; k++)
        snprintf(c->causes[k].name, sizeof c->causes[k].name, "%s", td_id_name((td_id)k));
    return c;
}

static void free_results(td_capture *c)
{
    for (size_t k = 0; k < c->n_results; k++) {
        td_capobs_free(&c->results[k].obs);
        td_findings_free(&c->results[k].fs);
    }
    free(c->results);
    c->results = NULL;
    c->n_results = c->cap_results = 0;
}

static void table_free(td_cap_table *t)
{
    if (!t)
        return;
    entry *e = t->oldest;
    while (e) {
        entry *next = e->newer;
        td_cap_conn_free(e->c);
        free(e);
        e = next;
    }
    free(t);
}

void td_capture_free(td_capture *c)
{
    if (!c)
        return;
    free_results(c);
    table_free(c->table);
    td_capcerts_free(c->certs);
    td_cap_trustmemo_free(c->trusts);
    td_cap_whomemo_free(c->who);
    td_cap_replay_free(c->replay);
    if (c->keylog)
        td_keylog_free(c->keylog);
    free(c->keylog);
    free(c);
}

const char *td_capture_error(const td_capture *c)
{
    return c && c->error[0] ? c->error : NULL;
}

const char *td_capture_warning(const td_capture *c)
{
    return c && c->warning[0] ? c->warning : NULL;
}

td_status td_capture_set_port(td_capture *c, unsigned port)
{
    if (!c)
        return TD_ERR_USAGE;
    c->error[0] = '\0';
    if (port < 1 || port > 65535) {
        snprintf(c->error, sizeof c->error, "port %u is out of range (1-65535)", port);
        return TD_ERR_USAGE;
    }
    c->port = (uint16_t)port;
    return TD_OK;
}

td_status td_capture_set_host(td_capture *c, const char *addr)
{
    if (!c || !addr)
        return TD_ERR_USAGE;
    c->error[0] = '\0';
    char buf[64];
    snprintf(buf, sizeof buf, "%s", addr);
    size_t n = strlen(buf);
    if (n > 2 && buf[0] == '[' && buf[n - 1] == ']') { /* [::1] as URLs write it */
        memmove(buf, buf + 1, n - 2);
        buf[n - 2] = '\0';
    }
    if (inet_pton(AF_INET, buf, c->host) == 1)
        c->host_family = 4;
    else if (inet_pton(AF_INET6, buf, c->host) == 1)
        c->host_family = 6;
    else {
        snprintf(c->error, sizeof c->error, "'%.80s' is not an IPv4 or IPv6 address", addr);
        return TD_ERR_USAGE;
    }
    return TD_OK;
}

/* Key logs are small (a few lines per connection); past this the file is
 * no key log. */
#define KEYLOG_MAX_BYTES (64u << 20)

td_status td_capture_set_keylog(td_capture *c, const char *path)
{
    if (!c || !path)
        return TD_ERR_USAGE;
    c->error[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(c->error, sizeof c->error, "--keylog %.200s: %s", path, strerror(errno));
        return TD_ERR_USAGE;
    }
    td_keylog *kl = calloc(1, sizeof *kl);
    char *buf = malloc(KEYLOG_MAX_BYTES);
    size_t n = buf ? fread(buf, 1, KEYLOG_MAX_BYTES, f) : 0;
    bool too_big = buf && n == KEYLOG_MAX_BYTES && fgetc(f) != EOF;
    fclose(f);
    if (!kl || !buf) {
        free(kl);
        free(buf);
        snprintf(c->error, sizeof c->error, "out of memory");
        return TD_ERR_INTERNAL;
    }
    td_keylog_init(kl);
    size_t entries = too_big ? 0 : td_keylog_add(kl, buf, n);
    free(buf);
    if (entries == 0) {
        if (too_big)
            snprintf(c->error, sizeof c->error, "--keylog %.200s: larger than %u MiB, not a key log", path,
                     KEYLOG_MAX_BYTES >> 20);
        else
            snprintf(c->error, sizeof c->error, "--keylog %.200s: no key log line (SSLKEYLOGFILE format: "
                     "CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random> <secret>, ...)%s%.200s", path,
                     kl->first_bad[0] ? "; " : "", kl->first_bad);
        td_keylog_free(kl);
        free(kl);
        return TD_ERR_USAGE;
    }
    if (c->keylog)
        td_keylog_free(c->keylog);
    free(c->keylog);
    c->keylog = kl;
    return TD_OK;
}

td_status td_capture_set_stream(td_capture *c, unsigned long n)
{
    if (!c)
        return TD_ERR_USAGE;
    c->error[0] = '\0';
    c->stream_set = true;
    c->stream = n;
    return TD_OK;
}

size_t td_capture_handshake_count(const td_capture *c)
{
    return c ? c->handshakes : 0;
}

size_t td_capture_failure_count(const td_capture *c)
{
    return c ? c->failed : 0;
}

bool td_capture_failed(const td_capture *c)
{
    return c && c->failed > 0;
}

/* ---- judging a connection ---- */

static td_cap_count *server_count(td_capture *c, const td_capobs *o)
{
    char name[80];
    snprintf(name, sizeof name, o->family == 6 ? "[%s]:%u" : "%s:%u", o->server, o->server_port);
    for (size_t k = 0; k < c->n_servers; k++)
        if (strcmp(c->servers[k].name, name) == 0)
            return &c->servers[k];
    if (c->n_servers >= TD_CAPTURE_SERVERS)
        return NULL;
    td_cap_count *s = &c->servers[c->n_servers++];
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

static td_cap_fpcount *client_count(td_capture *c, const td_capobs *o)
{
    if (!o->fp_read)
        return NULL;
    for (size_t k = 0; k < c->n_clients; k++)
        if (strcmp(c->clients[k].ja4, o->ja4) == 0 && strcmp(c->clients[k].ja3, o->ja3) == 0)
            return &c->clients[k];
    if (c->n_clients >= TD_CAPTURE_CLIENTS)
        return NULL;
    td_cap_fpcount *f = &c->clients[c->n_clients++];
    snprintf(f->ja3, sizeof f->ja3, "%s", o->ja3);
    snprintf(f->ja4, sizeof f->ja4, "%s", o->ja4);
    f->like = o->fp_like[0];
    return f;
}

static bool any_fail(const td_findings *fs)
{
    for (size_t k = 0; k < fs->n; k++)
        if (fs->v[k].sev == TD_SEV_FAIL)
            return true;
    return false;
}

static void count(td_capture *c, const td_cap_result *r)
{
    const td_capobs *o = &r->obs;
    if (o->client_not_tls) {
        c->not_tls++;
        return;
    }
    if (!o->hello)
        return;
    c->handshakes++;
    c->failed += r->failed;
    c->completed += o->client_went_on && !r->failed;
    if (r->failed && r->fs.root_cause >= 0) {
        td_id id = r->fs.v[r->fs.root_cause].id;
        if ((size_t)id < TD_ID_COUNT)
            c->causes[id].n++;
    }
    td_cap_count *s = server_count(c, o);
    if (s) {
        s->n++;
        s->failed += r->failed;
    } else {
        c->other_servers++;
        c->other_servers_failed += r->failed;
    }
    td_cap_fpcount *f = client_count(c, o);
    if (f) {
        f->n++;
        f->failed += r->failed;
    } else {
        c->other_clients++;
        c->other_clients_failed += r->failed;
    }
    if (o->snap_cut && !c->snap_cut) {
        c->snap_cut = true;
        c->snap_cut_at = o->snaplen;
    }
    c->cap_cut |= o->cap_cut;
}

static bool keep(td_capture *c, td_cap_result *r)
{
    size_t *n = r->failed || c->stream_set ? &c->kept_failed : &c->kept_other;
    if (*n >= TD_CAPTURE_KEEP)
        return false;
    if (c->n_results == c->cap_results) {
        size_t nc = c->cap_results ? c->cap_results * 2 : 16;
        td_cap_result *v = realloc(c->results, nc * sizeof *v);
        if (!v)
            return false;
        c->results = v;
        c->cap_results = nc;
    }
    c->results[c->n_results++] = *r;
    (*n)++;
    return true;
}

/* The kept connections to the sink, in the order they were judged. */
static void flush(td_capture *c)
{
    for (size_t k = 0; k < c->n_results; k++) {
        td_cap_result *r = &c->results[k];
        if (!c->sink_failed && c->sink(c, r, c->sink_arg) != 0)
            c->sink_failed = true;
        td_capobs_free(&r->obs);
        td_findings_free(&r->fs);
    }
    c->n_results = c->kept_failed = c->kept_other = 0;
}

/* A judged connection goes to the sink, or is kept for the text report,
 * or is only counted.  Nothing goes to the sink before the first TLS
 * handshake: a file without one is refused with nothing written. */
static void place(td_capture *c, td_cap_result *r)
{
    bool listed = r->obs.hello || r->obs.client_not_tls || c->stream_set;
    bool sink = c->sink && !c->stream_set && c->handshakes > 0;
    if (listed && sink) {
        flush(c);
        if (!c->sink_failed && c->sink(c, r, c->sink_arg) != 0)
            c->sink_failed = true;
    } else if (listed && keep(c, r)) {
        return;
    } else if (r->obs.hello) {
        c->results_dropped++;
        c->failed_dropped += r->failed;
    }
    td_findings_free(&r->fs);
}

/* The store's verdict on the chain, an observation like the others: the
 * rules that read it do no I/O. */
static void trust(td_capture *c, td_capobs *o)
{
    if (o->n_chain == 0)
        return;
    if (!c->trusts)
        c->trusts = td_cap_trustmemo_new();
    td_cap_trust_fill(c->trusts, o);
}

static void certs(td_capture *c, td_cap_result *r)
{
    if (r->obs.n_chain == 0)
        return;
    if (!c->certs)
        c->certs = td_capcerts_new();
    td_diagnose_capture_certs(&r->obs, c->certs, &r->fs);
}

static void judge(td_capture *c, td_cap_conn *conn)
{
    td_cap_conn_finish(conn);
    c->decrypted += conn->decrypted;
    if (c->stream_set && conn->obs.stream != c->stream)
        return;
    td_cap_result r = { .obs = conn->obs };
    /* The result owns the chain from here on. */
    conn->obs.n_chain = 0;
    trust(c, &r.obs);
    td_diagnose_capture(&r.obs, &r.fs);
    certs(c, &r);
    td_rank_findings(NULL, &r.fs);
    r.failed = any_fail(&r.fs);
    if (c->replay)
        td_cap_replay_offer(c->replay, c->stream_set, conn, r.failed);
    count(c, &r);
    /* The chain has been judged: the report does not print it. */
    td_capobs_free(&r.obs);
    place(c, &r);
}

/* ---- the connection table ---- */

static void make_key(const td_pkt *p, uint8_t *key)
{
    /* The same key both ways: the smaller endpoint first. */
    int cmp = memcmp(p->src, p->dst, 16);
    bool swap = cmp > 0 || (cmp == 0 && p->sport > p->dport);
    const uint8_t *a = swap ? p->dst : p->src, *b = swap ? p->src : p->dst;
    uint16_t pa = swap ? p->dport : p->sport, pb = swap ? p->sport : p->dport;
    key[0] = p->family;
    memcpy(key + 1, a, 16);
    key[17] = (uint8_t)(pa >> 8);
    key[18] = (uint8_t)pa;
    memcpy(key + 19, b, 16);
    key[35] = (uint8_t)(pb >> 8);
    key[36] = (uint8_t)pb;
}

static uint32_t hash_key(const uint8_t *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t k = 0; k < KEY_LEN; k++)
        h = (h ^ key[k]) * 16777619u;
    return h & (BUCKETS - 1);
}

static void unlink_lru(td_cap_table *t, entry *e)
{
    if (e->older)
        e->older->newer = e->newer;
    else
        t->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        t->newest = e->older;
    e->older = e->newer = NULL;
}

static void push_lru(td_cap_table *t, entry *e)
{
    e->older = t->newest;
    e->newer = NULL;
    if (t->newest)
        t->newest->newer = e;
    else
        t->oldest = e;
    t->newest = e;
}

static void remove_entry(td_capture *c, entry *e)
{
    td_cap_table *t = c->table;
    entry **at = &t->bucket[hash_key(e->key)];
    while (*at && *at != e)
        at = &(*at)->hnext;
    if (*at)
        *at = e->hnext;
    unlink_lru(t, e);
    if (e->c) {
        judge(c, e->c);
        td_cap_conn_free(e->c);
        t->live--;
    }
    free(e);
    t->n--;
}

/* Judges the connections silent for TD_CAPTURE_IDLE, and forgets the
 * judged ones as long. */
static void expire(td_capture *c, double now)
{
    while (c->table->oldest && now - c->table->oldest->last > TD_CAPTURE_IDLE)
        remove_entry(c, c->table->oldest);
}

static entry *lookup(td_cap_table *t, const uint8_t *key)
{
    for (entry *e = t->bucket[hash_key(key)]; e; e = e->hnext)
        if (memcmp(e->key, key, KEY_LEN) == 0)
            return e;
    return NULL;
}

static bool wanted(const td_capture *c, const td_pkt *p)
{
    if (c->port && p->sport != c->port && p->dport != c->port)
        return false;
    if (c->host_family) {
        size_t n = c->host_family == 4 ? 4 : 16;
        if (p->family != c->host_family ||
            (memcmp(p->src, c->host, n) != 0 && memcmp(p->dst, c->host, n) != 0))
            return false;
    }
    return true;
}

static void on_packet(td_capture *c, const td_pkt *p)
{
    td_cap_table *t = c->table;
    uint8_t key[KEY_LEN];
    make_key(p, key);
    entry *e = lookup(t, key);
    bool fresh_syn = (p->flags & (TD_TCP_SYN | TD_TCP_ACK)) == TD_TCP_SYN;
    if (e && (e->c == NULL || (e->c->closed && fresh_syn))) {
        if (!fresh_syn) { /* the tail of a connection already judged */
            e->last = p->ts;
            unlink_lru(t, e);
            push_lru(t, e);
            return;
        }
        remove_entry(c, e); /* the port pair is used again */
        e = NULL;
    }
    if (!e) {
        e = calloc(1, sizeof *e);
        td_cap_conn *conn = e ? td_cap_conn_new(p, c->connections, c->snaplen) : NULL;
        if (!conn) {
            free(e);
            return;
        }
        c->connections++;
        if (!c->who)
            c->who = td_cap_whomemo_new();
        conn->who = c->who;
        conn->keylog = c->keylog;
        conn->keep_hello = c->replay != NULL;
        e->c = conn;
        t->live++;
        memcpy(e->key, key, KEY_LEN);
        uint32_t h = hash_key(key);
        e->hnext = t->bucket[h];
        t->bucket[h] = e;
        t->n++;
    } else {
        unlink_lru(t, e);
    }
    push_lru(t, e);
    e->last = p->ts;
    td_cap_conn_packet(e->c, p);
    if (e->c->closed) {
        judge(c, e->c);
        td_cap_conn_free(e->c);
        e->c = NULL;
        t->live--;
    }
    /* Memory stays bounded however many connections are open at once:
     * the least recently active are judged early. */
    while (t->live > TD_CAPTURE_LIVE && t->oldest != e) {
        if (t->oldest->c)
            c->judged_early++;
        remove_entry(c, t->oldest);
    }
}

/* ---- reading ---- */

static td_status fail(td_capture *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static td_status fail(td_capture *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof c->error, fmt, ap);
    va_end(ap);
    return TD_ERR_USAGE;
}

static td_status read_pcap(td_capture *c, pcap_t *pc)
{
    c->linktype = pcap_datalink(pc);
    c->snaplen = (uint32_t)pcap_snapshot(pc);
    if (!td_link_supported(c->linktype)) {
        const char *name = pcap_datalink_val_to_name(pcap_datalink(pc));
        return fail(c, "%s: link type %d (%s) is not one tlsdiag reads (Ethernet, Linux cooked, loopback, raw IP)",
                    c->file, c->linktype, name ? name : "unknown");
    }
    c->table = calloc(1, sizeof *c->table);
    if (!c->table) {
        snprintf(c->error, sizeof c->error, "out of memory");
        return TD_ERR_INTERNAL;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc;
    double last_expire = 0;
    while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
        c->packets++;
        td_pkt p;
        const char *why = NULL;
        td_frame fr = td_frame_decode(c->linktype, data, h->caplen, &p, &why);
        if (fr == TD_FRAME_BAD) {
            if (!c->bad_frames++)
                snprintf(c->first_bad, sizeof c->first_bad, "packet %lu: %s", c->packets, why ? why : "malformed");
            continue;
        }
        if (fr != TD_FRAME_TCP)
            continue;
        c->tcp_packets++;
        p.ts = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
        if (!wanted(c, &p))
            continue;
        on_packet(c, &p);
        if (p.ts - last_expire > 1.0) {
            expire(c, p.ts);
            last_expire = p.ts;
        }
    }
    if (rc == PCAP_ERROR)
        snprintf(c->warning, sizeof c->warning, "%s: the capture is cut short after packet %lu (%s); "
                 "the connections up to there are judged", c->file, c->packets, pcap_geterr(pc));
    while (c->table->oldest)
        remove_entry(c, c->table->oldest);
    if (c->tcp_packets == 0 && c->bad_frames)
        return fail(c, "%s: no TCP packet in the capture; %lu malformed frame%s (first: %s)", c->file,
                    c->bad_frames, c->bad_frames == 1 ? "" : "s", c->first_bad);
    if (c->tcp_packets == 0)
        return fail(c, "%s: no TCP packet in the capture%s", c->file,
                    c->packets ? "" : " (it holds no packet at all)");
    if (c->stream_set && c->stream >= c->connections)
        return fail(c, "%s: no stream %lu: the capture holds %lu TCP connection%s (streams 0 to %lu)", c->file,
                    c->stream, c->connections, c->connections == 1 ? "" : "s",
                    c->connections ? c->connections - 1 : 0);
    if (c->handshakes == 0 && !(c->stream_set && c->n_results))
        return fail(c, "%s: no TLS handshake in the capture%s", c->file,
                    c->port || c->host_family ? " for the --port/--host given" : "");
    return TD_OK;
}

static td_status read_with(td_capture *c, pcap_t *pc, const char *errbuf)
{
    if (!pc) {
        /* libpcap's words for a file that is no capture */
        if (strstr(errbuf, "unknown file format") || strstr(errbuf, "bad dump file format"))
            return fail(c, "%s: not a pcap or pcapng capture (%s)", c->file, errbuf);
        const char *got = strstr(errbuf, "only got 0");
        if (got && got[strlen("only got 0")] == '\0')
            return fail(c, "%s: an empty file, not a capture", c->file);
        if (strstr(errbuf, "truncated"))
            return fail(c, "%s: the capture is cut short in its header (%s)", c->file, errbuf);
        return fail(c, "%s: %s", c->file, errbuf);
    }
    td_status st = read_pcap(c, pc);
    pcap_close(pc);
    return st;
}

/* A fresh start for another file: the options stay, the counts, results
 * and connections of the last file go. */
static void reset(td_capture *c, const char *name)
{
    free_results(c);
    table_free(c->table);
    td_capture keep = { .port = c->port, .host_family = c->host_family, .stream_set = c->stream_set,
                        .stream = c->stream, .certs = c->certs, .trusts = c->trusts, .who = c->who, .keylog = c->keylog, .replay = c->replay, .sink = c->sink, .sink_arg = c->sink_arg };
    memcpy(keep.host, c->host, sizeof keep.host);
    memcpy(keep.causes, c->causes, sizeof keep.causes);
    *c = keep;
    for (size_t k = 0; k < TD_ID_COUNT; k++)
        c->causes[k].n = c->causes[k].failed = 0;
    snprintf(c->file, sizeof c->file, "%s", name);
}

td_status td_capture_read_file(td_capture *c, const char *path)
{
    if (!c || !path)
        return TD_ERR_USAGE;
    reset(c, strcmp(path, "-") == 0 ? "standard input" : path);
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc;
    if (strcmp(path, "-") == 0) {
        pc = pcap_fopen_offline(stdin, errbuf);
    } else {
        FILE *f = fopen(path, "rb");
        if (!f)
            return fail(c, "%s: %s", path, strerror(errno));
        pc = pcap_fopen_offline(f, errbuf);
        if (!pc)
            fclose(f);
    }
    if (pc == NULL && errbuf[0] == '\0')
        snprintf(errbuf, sizeof errbuf, "empty file");
    return read_with(c, pc, errbuf);
}

td_status td_capture_read_mem(td_capture *c, const void *data, size_t len)
{
    if (!c || (!data && len))
        return TD_ERR_USAGE;
    reset(c, "memory");
    FILE *f = fmemopen((void *)data, len ? len : 1, "rb");
    if (!f)
        return fail(c, "%s: %s", "memory", strerror(errno));
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = len ? pcap_fopen_offline(f, errbuf) : NULL;
    if (!pc) {
        fclose(f);
        if (!errbuf[0])
            snprintf(errbuf, sizeof errbuf, "empty file");
    }
    return read_with(c, pc, errbuf);
}
