/* The reports of `tlsdiag pcap`: a summary of the capture, then each
 * connection as a ladder of what each side sent, with its findings (text);
 * or one JSON object per connection and a summary object (JSON lines,
 * docs/json.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "capture/capture_int.h"
#include "capture/conn.h"
#include "registry/registry.h"
#include "report/json_int.h"
#include "report/jline.h"
#include "report/pcap_int.h"
#include "report/wrap.h"
#include "util/str.h"
#include "util/utc.h"
#include "wire/tls.h"

/* The short text form's width, as check's default. */
#define TEXT_WIDTH 80

/* RFC 8446 section 4 and RFC 5246 section 7.4. */
static const char *hs_name(uint8_t type)
{
    switch (type) {
    case 0: return "HelloRequest";
    case TD_HS_CLIENT_HELLO: return "ClientHello";
    case TD_HS_SERVER_HELLO: return "ServerHello";
    case TD_HS_NEW_SESSION_TICKET: return "NewSessionTicket";
    case TD_HS_ENCRYPTED_EXT: return "EncryptedExtensions";
    case TD_HS_CERTIFICATE: return "Certificate";
    case TD_HS_SERVER_KEY_EXCH: return "ServerKeyExchange";
    case TD_HS_CERT_REQUEST: return "CertificateRequest";
    case TD_HS_SERVER_HELLO_DONE: return "ServerHelloDone";
    case 15: return "CertificateVerify";
    case 16: return "ClientKeyExchange";
    case 20: return "Finished";
    case TD_HS_CERT_STATUS: return "CertificateStatus";
    case 0xff: return "handshake record (cut)";
    default: return "handshake message";
    }
}

const char *td_cap_step_message(const td_cap_step *s)
{
    return s->hrr ? "HelloRetryRequest" : hs_name(s->code);
}

/* One rung in words: "ClientHello (512 bytes)", "Alert fatal unknown_ca(48)". */
void td_cap_step_text(const td_cap_step *s, td_str *out)
{
    switch (s->kind) {
    case TD_CS_SYN: td_str_add(out, "SYN"); break;
    case TD_CS_SYNACK: td_str_add(out, "SYN-ACK"); break;
    case TD_CS_HANDSHAKE: td_str_printf(out, "%s (%u bytes)", td_cap_step_message(s), s->len); break;
    case TD_CS_SSLV2_HELLO: td_str_printf(out, "SSLv2 CLIENT-HELLO (%u bytes)", s->len); break;
    case TD_CS_CCS: td_str_add(out, "ChangeCipherSpec"); break;
    case TD_CS_ALERT:
        if (s->cut)
            td_str_printf(out, "Alert (encrypted, %u bytes)", s->len);
        else
            td_str_printf(out, "Alert %s %s(%u)", s->level == TD_ALERT_LEVEL_FATAL ? "fatal" : "warning",
                          td_alert_name(s->code, "unknown"), s->code);
        break;
    case TD_CS_ENCRYPTED:
        td_str_printf(out, "encrypted records (%u, %u bytes)", s->count, s->len);
        break;
    case TD_CS_NOT_TLS: td_str_add(out, "bytes that are no TLS record"); break;
    case TD_CS_FIN: td_str_add(out, "FIN"); break;
    case TD_CS_RST: td_str_add(out, "RST"); break;
    }
    if (s->kind == TD_CS_SYN || s->kind == TD_CS_SYNACK || s->kind == TD_CS_FIN || s->kind == TD_CS_RST) {
        td_str_printf(out, " (TTL %u", s->ttl);
        if (s->has_ip_id)
            td_str_printf(out, ", IP ID %u", s->ip_id);
        td_str_add(out, ")");
    }
    if (s->cut && s->kind != TD_CS_ALERT)
        td_str_add(out, ", cut in the capture");
}

static const char *step_kind_token(td_cap_step_kind k)
{
    switch (k) {
    case TD_CS_SYN: return "syn";
    case TD_CS_SYNACK: return "syn-ack";
    case TD_CS_HANDSHAKE: return "handshake";
    case TD_CS_SSLV2_HELLO: return "sslv2-hello";
    case TD_CS_CCS: return "change-cipher-spec";
    case TD_CS_ALERT: return "alert";
    case TD_CS_ENCRYPTED: return "encrypted";
    case TD_CS_NOT_TLS: return "not-tls";
    case TD_CS_FIN: return "fin";
    case TD_CS_RST: return "rst";
    }
    return "?";
}

void td_cap_endpoint(const td_capobs *o, bool server, char *buf, size_t len)
{
    const char *a = server ? o->server : o->client;
    unsigned p = server ? o->server_port : o->client_port;
    snprintf(buf, len, o->family == 6 ? "[%s]:%u" : "%s:%u", a, p);
}

/* What the capture lost, as the advice to record it again. */
void td_cap_notes(const td_capture *c, const td_capobs *o, td_cap_put put, void *arg)
{
    char buf[200];
    if (o->snap_cut) {
        snprintf(buf, sizeof buf, "capture truncated at %u bytes per packet: run tcpdump with -s 0", o->snaplen);
        put(arg, buf);
    }
    if (o->cap_cut) {
        snprintf(buf, sizeof buf, "more than %u KiB of a direction of this connection were held at once: the "
                 "bytes past that were counted, not read", TD_CAP_DIR_BYTES / 1024);
        put(arg, buf);
    }
    if (o->missing)
        put(arg, "bytes of this connection are missing from the capture (packets the capture dropped)");
    if (!o->syn && !o->synack)
        put(arg, "the capture began after the connection opened");
    if (o->late_server_alert && o->late_alert_encrypted)
        put(arg, "after the client's Finished the server sent an encrypted record the size of an alert, and the "
                 "connection ended: only the session keys can tell which alert (certificate_required and a "
                 "refused client certificate are common)");
    (void)c;
}

/* What the summary adds about the capture as a whole. */
void td_cap_summary_notes(const td_capture *c, td_cap_put put, void *arg)
{
    char buf[300];
    if (c->snap_cut) {
        snprintf(buf, sizeof buf, "capture truncated at %u bytes per packet: run tcpdump with -s 0", c->snap_cut_at);
        put(arg, buf);
    }
    if (c->bad_frames) {
        snprintf(buf, sizeof buf, "%lu malformed frame%s skipped (first: %s)", c->bad_frames,
                 c->bad_frames == 1 ? "" : "s", c->first_bad);
        put(arg, buf);
    }
    if (c->failed_dropped) {
        snprintf(buf, sizeof buf, "%lu more failed connection%s counted above but not listed (the first %u are): "
                 "--json lists every connection, --stream N shows one", c->failed_dropped,
                 c->failed_dropped == 1 ? " is" : "s are", TD_CAPTURE_KEEP);
        put(arg, buf);
    }
    if (c->judged_early) {
        snprintf(buf, sizeof buf, "%lu connections were judged before they ended: more than %u were open at once",
                 c->judged_early, TD_CAPTURE_LIVE);
        put(arg, buf);
    }
}

typedef enum { V_FAIL, V_NOT_TLS, V_OK, V_INCOMPLETE } cap_verdict;

static cap_verdict verdict_of(const td_cap_result *r)
{
    return r->failed ? V_FAIL : !r->obs.hello ? V_NOT_TLS : r->obs.client_went_on ? V_OK : V_INCOMPLETE;
}

const char *td_cap_verdict_name(const td_cap_result *r)
{
    static const char *const name[] = { "fail", "not-tls", "ok", "incomplete" };
    return name[verdict_of(r)];
}

const char *td_cap_verdict_label(const td_cap_result *r)
{
    static const char *const label[] = { "FAIL", "NO TLS", "OK", "INCOMPLETE" };
    return label[verdict_of(r)];
}

/* Where a failed connection broke: the first alert, else the first reset,
 * else the first FIN, else its last rung. */
int td_cap_broken_step(const td_cap_result *r)
{
    const td_capobs *o = &r->obs;
    if (!r->failed || o->n_steps == 0)
        return -1;
    static const td_cap_step_kind order[] = { TD_CS_ALERT, TD_CS_RST, TD_CS_FIN };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        for (size_t k = 0; k < o->n_steps; k++)
            if (o->steps[k].kind == order[i])
                return (int)k;
    return (int)o->n_steps - 1;
}

/* "looks like curl 7.88 (Debian 12)", "looks like Chrome or Edge", or
 * "unknown client (nearest: Java 8, 71% alike)": a name only at or above
 * the threshold, never a confident wrong one. */
void td_cap_client_words(const td_capobs *o, td_str *out)
{
    if (!o->fp_like[0]) {
        td_str_add(out, "unknown client");
        if (o->fp_nearest)
            td_str_printf(out, " (nearest profile: %s, %u%% alike)", o->fp_nearest->name, o->fp_score / 10);
        return;
    }
    td_str_add(out, "looks like ");
    size_t n = sizeof o->fp_like / sizeof o->fp_like[0];
    for (size_t k = 0; k < n && o->fp_like[k]; k++)
        td_str_printf(out, "%s%s", k == 0 ? "" : k + 1 < n && o->fp_like[k + 1] ? ", " : " or ", o->fp_like[k]->name);
}

/* ---- text ---- */

typedef struct tw {
    FILE *f;
    const char *indent;
} tw;

static void put_note(void *arg, const char *s)
{
    tw *w = arg;
    fprintf(w->f, "%snote: %s\n", w->indent, s);
}

/* One labelled item: wrapped to the short form's 80 columns under a
 * hanging indent, or on one line in the long form, as check prints them. */
static void item(td_str *b, const char *label, const char *text, bool command, bool verbose, size_t indent)
{
    td_str_add(b, label);
    size_t col = td_cols(label, strlen(label));
    if (verbose) {
        td_str_add(b, text);
        td_str_add(b, "\n");
    } else if (command) {
        td_wrap_command_add(b, text, col, indent, TEXT_WIDTH);
    } else {
        td_wrap_add(b, text, col, indent, TEXT_WIDTH);
    }
}

void td_cap_finding_text(FILE *f, const td_finding *x, bool verbose, const char *label)
{
    td_str b, head;
    td_str_init(&b);
    td_str_init(&head);
    td_str_printf(&head, "  %s%s %s: ", label, td_severity_name(x->sev), td_id_name(x->id));
    item(&b, head.s ? head.s : "", x->summary ? x->summary : "", false, verbose, 6);
    if (x->evidence && *x->evidence)
        item(&b, "      evidence: ", x->evidence, false, verbose, 8);
    if (x->fix && (verbose || x->sev == TD_SEV_FAIL))
        item(&b, "      fix: ", x->fix, false, verbose, 8);
    if (x->verify && (verbose || x->sev == TD_SEV_FAIL))
        item(&b, "      verify: ", x->verify, true, verbose, 8);
    if (b.s)
        fputs(b.s, f);
    td_str_free(&b);
    td_str_free(&head);
}

static void connection_text(const td_capture *c, const td_cap_result *r, FILE *f, bool verbose)
{
    const td_capobs *o = &r->obs;
    char cl[96], sv[96], when[40];
    td_cap_endpoint(o, false, cl, sizeof cl);
    td_cap_endpoint(o, true, sv, sizeof sv);
    if (!td_utc_iso((int64_t)o->start, when, sizeof when))
        snprintf(when, sizeof when, "?");
    fprintf(f, "%s  stream %lu  %s -> %s  at %s\n", td_cap_verdict_label(r), o->stream, cl, sv, when);
    if (o->fp_read) {
        td_str who, b;
        td_str_init(&who);
        td_str_init(&b);
        td_cap_client_words(o, &who);
        td_str_printf(&who, "; JA3 %s, JA4 %s", o->ja3, o->ja4);
        item(&b, "  client: ", who.s ? who.s : "", false, verbose, 6);
        if (b.s)
            fputs(b.s, f);
        td_str_free(&who);
        td_str_free(&b);
    }
    for (size_t k = 0; k < o->n_steps; k++) {
        const td_cap_step *s = &o->steps[k];
        td_str t;
        td_str_init(&t);
        td_cap_step_text(s, &t);
        fprintf(f, "  %+9.3f s  %s  %s\n", s->t, s->from_server ? "client <- server" : "client -> server",
                t.s ? t.s : "");
        td_str_free(&t);
    }
    if (o->steps_dropped)
        fprintf(f, "  (%u more steps not listed)\n", o->steps_dropped);
    const td_findings *fs = &r->fs;
    for (size_t k = 0; k < fs->n; k++) {
        const td_finding *x = &fs->v[k];
        bool root = (int)k == fs->root_cause;
        if (!verbose && !root && x->symptom_of >= 0) {
            td_str b, head;
            td_str_init(&b);
            td_str_init(&head);
            td_str_printf(&head, "  follows from it: %s: ", td_id_name(x->id));
            item(&b, head.s ? head.s : "", x->summary ? x->summary : "", false, false, 6);
            if (b.s)
                fputs(b.s, f);
            td_str_free(&b);
            td_str_free(&head);
            continue;
        }
        td_cap_finding_text(f, x, verbose, root ? "root cause: " : "");
    }
    tw w = { f, "  " };
    td_cap_notes(c, o, put_note, &w);
    fputc('\n', f);
}

static void summary_text(const td_capture *c, FILE *f)
{
    if (c->stream_set) {
        fprintf(f, "%s: stream %lu of %lu TCP connection%s\n", c->file, c->stream, c->connections,
                c->connections == 1 ? "" : "s");
        return;
    }
    fprintf(f, "%s: %lu TLS handshake%s in %lu TCP connection%s, %lu failed", c->file, c->handshakes,
            c->handshakes == 1 ? "" : "s", c->connections, c->connections == 1 ? "" : "s", c->failed);
    if (c->not_tls)
        fprintf(f, ", %lu connection%s without TLS", c->not_tls, c->not_tls == 1 ? "" : "s");
    fputc('\n', f);
    bool any = false;
    for (size_t k = 0; k < TD_ID_COUNT; k++) {
        if (!c->causes[k].n)
            continue;
        fprintf(f, "%s %lu %s", any ? "," : "  by root cause:", c->causes[k].n, c->causes[k].name);
        any = true;
    }
    if (any)
        fputc('\n', f);
    for (size_t k = 0; k < c->n_servers; k++)
        fprintf(f, "  %s %s: %lu handshake%s, %lu failed\n", k ? "         " : "by server:", c->servers[k].name,
                c->servers[k].n, c->servers[k].n == 1 ? "" : "s", c->servers[k].failed);
    if (c->other_servers)
        fprintf(f, "  and %lu handshake%s with other servers, %lu failed\n", c->other_servers,
                c->other_servers == 1 ? "" : "s", c->other_servers_failed);
    for (size_t k = 0; k < c->n_clients; k++) {
        const td_cap_fpcount *x = &c->clients[k];
        fprintf(f, "  %s JA4 %s (%s): %lu handshake%s, %lu failed\n", k ? "         " : "by client:", x->ja4,
                x->like ? x->like->name : "unknown client", x->n, x->n == 1 ? "" : "s", x->failed);
    }
    if (c->other_clients)
        fprintf(f, "  and %lu handshake%s from other or unreadable hellos, %lu failed\n", c->other_clients,
                c->other_clients == 1 ? "" : "s", c->other_clients_failed);
    td_cap_summary_notes(c, put_note, &(tw){ f, "" });
}

int td_capture_write_text(const td_capture *c, FILE *f, unsigned flags)
{
    if (!c || !f)
        return -1;
    bool verbose = flags & TD_TEXT_VERBOSE;
    summary_text(c, f);
    fputc('\n', f);
    for (size_t k = 0; k < c->n_results; k++) {
        const td_cap_result *r = &c->results[k];
        if (verbose || r->failed || c->stream_set)
            connection_text(c, r, f, verbose || c->stream_set);
    }
    if (c->replay)
        td_cap_replay_text(c->replay, f, verbose);
    return ferror(f) ? -1 : 0;
}

/* ---- JSON lines ---- */

typedef struct jw {
    bool err;
} jw;

static void set(jw *w, json_t *o, const char *key, json_t *v)
{
    if (!v || json_object_set_new(o, key, v) != 0)
        w->err = true;
}

static void put_note_json(void *arg, const char *s)
{
    td_jl_str(arg, NULL, s);
}

static void ladder_json(td_str *b, const td_capobs *o)
{
    td_str t;
    td_str_init(&t);
    td_jl_open(b, "ladder", '[');
    for (size_t k = 0; k < o->n_steps; k++) {
        const td_cap_step *s = &o->steps[k];
        t.len = 0;
        td_cap_step_text(s, &t);
        td_jl_open(b, NULL, '{');
        td_jl_fixed(b, "t", s->t, 6);
        td_jl_str(b, "from", s->from_server ? "server" : "client");
        td_jl_str(b, "kind", step_kind_token(s->kind));
        td_jl_str(b, "text", t.s ? t.s : "");
        if (s->kind == TD_CS_HANDSHAKE)
            td_jl_str(b, "message", td_cap_step_message(s));
        if (s->kind == TD_CS_ALERT && !s->cut) {
            td_jl_str(b, "alert", td_alert_name(s->code, "unknown"));
            td_jl_int(b, "alert_code", s->code);
        }
        if (s->kind == TD_CS_SYN || s->kind == TD_CS_SYNACK || s->kind == TD_CS_FIN || s->kind == TD_CS_RST) {
            td_jl_int(b, "ttl", s->ttl);
            if (s->has_ip_id)
                td_jl_int(b, "ip_id", s->ip_id);
            else
                td_jl_null(b, "ip_id");
        }
        td_jl_close(b, '}');
    }
    td_jl_close(b, ']');
    b->err |= t.err;
    td_str_free(&t);
}

static void profile_json(td_str *b, const char *key, const td_client *cl)
{
    td_jl_open(b, key, '{');
    td_jl_str(b, "id", cl->id);
    td_jl_str(b, "name", cl->name);
    td_jl_close(b, '}');
}

/* Who the client is: null when the hello could not be read whole. */
static void fingerprint_json(td_str *b, const td_capobs *o)
{
    if (!o->fp_read) {
        td_jl_null(b, "fingerprint");
        return;
    }
    td_str who;
    td_str_init(&who);
    td_cap_client_words(o, &who);
    td_jl_open(b, "fingerprint", '{');
    td_jl_str(b, "ja3", o->ja3);
    td_jl_str(b, "ja4", o->ja4);
    td_jl_open(b, "looks_like", '[');
    for (size_t k = 0; k < sizeof o->fp_like / sizeof o->fp_like[0] && o->fp_like[k]; k++)
        profile_json(b, NULL, o->fp_like[k]);
    td_jl_close(b, ']');
    if (o->fp_nearest)
        profile_json(b, "nearest", o->fp_nearest);
    else
        td_jl_null(b, "nearest");
    td_jl_fixed(b, "score", o->fp_score / 1000.0, 3);
    td_jl_str(b, "text", who.s ? who.s : "");
    td_jl_close(b, '}');
    b->err |= who.err;
    td_str_free(&who);
}

/* How the reassembly went, per direction: what a capture of a lossy or
 * reordering path shows. */
static void tcp_json(td_str *b, const td_capobs *o)
{
    static const char *const side[2] = { "client", "server" };
    td_jl_open(b, "tcp", '{');
    for (int d = 0; d < 2; d++) {
        td_jl_open(b, side[d], '{');
        td_jl_int(b, "bytes", (int64_t)o->bytes[d]);
        td_jl_int(b, "retransmissions", o->retrans[d]);
        td_jl_int(b, "out_of_order", o->out_of_order[d]);
        td_jl_int(b, "overlaps", o->overlaps[d]);
        td_jl_close(b, '}');
    }
    if (o->rtt >= 0)
        td_jl_fixed(b, "rtt_ms", o->rtt * 1e3, 3);
    else
        td_jl_null(b, "rtt_ms");
    td_jl_int(b, "duplicates", o->duplicates);
    td_jl_bool(b, "snap_cut", o->snap_cut);
    td_jl_bool(b, "missing", o->missing);
    td_jl_close(b, '}');
}

/* A jansson value as a member: the findings, as check writes them. */
void td_cap_dumped(td_str *b, const char *key, json_t *v, bool err)
{
    char *text = v && !err ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(16)) : NULL;
    if (text)
        td_jl_raw(b, key, text);
    else
        b->err = 1;
    free(text);
    json_decref(v);
}

static int emit(json_t *o, FILE *f, bool err)
{
    int rc = -1;
    if (o && !err && json_dumpf(o, f, JSON_COMPACT | JSON_REAL_PRECISION(16)) == 0 && fputc('\n', f) != EOF)
        rc = 0;
    json_decref(o);
    return rc;
}

/* One line, written at once. */
static int connection_json(const td_capture *c, const td_cap_result *r, FILE *f)
{
    const td_capobs *o = &r->obs;
    char cl[96], sv[96];
    td_cap_endpoint(o, false, cl, sizeof cl);
    td_cap_endpoint(o, true, sv, sizeof sv);
    td_str b;
    td_str_init(&b);
    td_jl_open(&b, NULL, '{');
    td_jl_str(&b, "type", "connection");
    td_jl_int(&b, "stream", (int64_t)o->stream);
    td_jl_str(&b, "client", cl);
    td_jl_str(&b, "server", sv);
    td_jl_fixed(&b, "start", o->start, 6);
    td_jl_bool(&b, "tls", o->hello);
    td_jl_str(&b, "verdict", td_cap_verdict_name(r));
    td_jl_str(&b, "answer", td_outcome_name(o->answer.out));
    fingerprint_json(&b, o);
    ladder_json(&b, o);
    tcp_json(&b, o);
    bool err = false;
    if (r->fs.n) {
        json_t *root = td_json_root_cause(&r->fs, &err);
        td_cap_dumped(&b, "root_cause", root, err);
        json_t *fs = td_json_findings(&r->fs, NULL, &err);
        td_cap_dumped(&b, "findings", fs, err);
    } else {
        td_jl_null(&b, "root_cause");
        td_jl_raw(&b, "findings", "[]");
    }
    td_jl_open(&b, "notes", '[');
    td_cap_notes(c, o, put_note_json, &b);
    td_jl_close(&b, ']');
    td_jl_close(&b, '}');
    td_str_addn(&b, "\n", 1);
    int rc = !b.err && fwrite(b.s, 1, b.len, f) == b.len ? 0 : -1;
    td_str_free(&b);
    return rc;
}

static int summary_json(const td_capture *c, FILE *f)
{
    jw w = { false };
    json_t *j = json_object();
    if (!j)
        return -1;
    set(&w, j, "type", json_string("summary"));
    set(&w, j, "tlsdiag_version", json_string(td_version()));
    set(&w, j, "command", json_string("pcap"));
    set(&w, j, "file", json_string(c->file));
    set(&w, j, "packets", json_integer((json_int_t)c->packets));
    set(&w, j, "connections", json_integer((json_int_t)c->connections));
    set(&w, j, "handshakes", json_integer((json_int_t)c->handshakes));
    set(&w, j, "failed", json_integer((json_int_t)c->failed));
    set(&w, j, "not_tls", json_integer((json_int_t)c->not_tls));
    json_t *causes = json_object();
    for (size_t k = 0; causes && k < TD_ID_COUNT; k++)
        if (c->causes[k].n)
            set(&w, causes, c->causes[k].name, json_integer((json_int_t)c->causes[k].n));
    set(&w, j, "by_root_cause", causes);
    json_t *servers = json_array();
    for (size_t k = 0; servers && k < c->n_servers; k++) {
        json_t *s = json_object();
        if (!s || json_array_append_new(servers, s) != 0) {
            w.err = true;
            break;
        }
        set(&w, s, "server", json_string(c->servers[k].name));
        set(&w, s, "handshakes", json_integer((json_int_t)c->servers[k].n));
        set(&w, s, "failed", json_integer((json_int_t)c->servers[k].failed));
    }
    set(&w, j, "by_server", servers);
    set(&w, j, "other_servers", json_integer((json_int_t)c->other_servers));
    json_t *clients = json_array();
    for (size_t k = 0; clients && k < c->n_clients; k++) {
        const td_cap_fpcount *x = &c->clients[k];
        json_t *o = json_object();
        if (!o || json_array_append_new(clients, o) != 0) {
            w.err = true;
            break;
        }
        set(&w, o, "ja4", json_string(x->ja4));
        set(&w, o, "ja3", json_string(x->ja3));
        set(&w, o, "looks_like", x->like ? json_string(x->like->id) : json_null());
        set(&w, o, "handshakes", json_integer((json_int_t)x->n));
        set(&w, o, "failed", json_integer((json_int_t)x->failed));
    }
    set(&w, j, "by_client", clients);
    set(&w, j, "other_clients", json_integer((json_int_t)c->other_clients));
    set(&w, j, "snaplen", json_integer(c->snaplen));
    set(&w, j, "truncated", json_boolean(c->snap_cut));
    set(&w, j, "malformed_frames", json_integer((json_int_t)c->bad_frames));
    set(&w, j, "not_listed", json_integer((json_int_t)c->results_dropped));
    set(&w, j, "judged_early", json_integer((json_int_t)c->judged_early));
    set(&w, j, "decrypted", json_integer((json_int_t)c->decrypted));
    return emit(j, f, w.err);
}

static int json_sink(const td_capture *c, const td_cap_result *r, void *arg)
{
    return connection_json(c, r, arg);
}

td_status td_capture_set_json_stream(td_capture *c, FILE *f)
{
    if (!c || !f)
        return TD_ERR_USAGE;
    c->sink = json_sink;
    c->sink_arg = f;
    return TD_OK;
}

int td_capture_write_json(const td_capture *c, FILE *f)
{
    if (!c || !f || c->sink_failed)
        return -1;
    for (size_t k = 0; k < c->n_results; k++)
        if (connection_json(c, &c->results[k], f) != 0)
            return -1;
    if (c->replay && td_cap_replay_json(c->replay, f) != 0)
        return -1;
    return summary_json(c, f);
}
