#include "capture/conn.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/probe.h"
#include "wire/chello.h"
#include "capture/keys.h"
#include "capture/who.h"
#include "registry/registry.h"
#include "wire/tls.h"

/* RFC 8446 section 5.1 (and RFC 5246 section 6.2.3): a record body is at
 * most 2^14 bytes plus 2048 of expansion. */
#define MAX_RECORD_BODY (16384u + 2048u)
/* Seconds within which the same packet seen again is one packet. */
#define DUPLICATE_WITHIN 0.005
/* An encrypted alert: 2 bytes, the inner content type, a 16-byte AEAD tag
 * (RFC 8446 section 5.2).  A Finished message is never this short. */
#define ENCRYPTED_ALERT_LEN 19

static double rel(const td_cap_conn *c, double ts)
{
    return ts - c->obs.start;
}

static void addr_text(uint8_t family, const uint8_t *a, char *buf, size_t len)
{
    if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)len))
        snprintf(buf, len, "?");
}

td_cap_conn *td_cap_conn_new(const td_pkt *pkt, unsigned long stream, uint32_t snaplen)
{
    td_cap_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    td_capobs_init(&c->obs);
    td_capobs *o = &c->obs;
    o->stream = stream;
    o->family = pkt->family;
    o->start = pkt->ts;
    o->snaplen = snaplen;
    /* Who opened it is the client; without the SYN in the capture, the
     * side with the lower port is taken for the server until a
     * ClientHello says otherwise. */
    bool syn = (pkt->flags & (TD_TCP_SYN | TD_TCP_ACK)) == TD_TCP_SYN;
    bool synack = (pkt->flags & (TD_TCP_SYN | TD_TCP_ACK)) == (TD_TCP_SYN | TD_TCP_ACK);
    bool src_is_client = syn || (!synack && pkt->sport > pkt->dport);
    o->sides_known = syn || synack;
    const uint8_t *ca = src_is_client ? pkt->src : pkt->dst, *sa = src_is_client ? pkt->dst : pkt->src;
    addr_text(pkt->family, ca, o->client, sizeof o->client);
    addr_text(pkt->family, sa, o->server, sizeof o->server);
    o->client_port = src_is_client ? pkt->sport : pkt->dport;
    memcpy(c->client_addr, ca, sizeof c->client_addr);
    o->server_port = src_is_client ? pkt->dport : pkt->sport;
    for (int d = 0; d < 2; d++)
        td_reasm_init(&c->dir[d].rs, TD_CAP_DIR_BYTES);
    c->last_seen = pkt->ts;
    return c;
}

bool td_cap_conn_from_client(const td_cap_conn *c, const td_pkt *pkt)
{
    return pkt->sport == c->obs.client_port && memcmp(pkt->src, c->client_addr, sizeof c->client_addr) == 0;
}

/* ---- the ladder ---- */

static td_cap_step *add_step(td_cap_conn *c, td_cap_step_kind kind, int d, double ts)
{
    td_capobs *o = &c->obs;
    bool from_server = d == TD_CAP_SERVER;
    /* Encrypted records in a row fold into one rung. */
    if (kind == TD_CS_ENCRYPTED && o->n_steps > 0) {
        td_cap_step *last = &o->steps[o->n_steps - 1];
        if (last->kind == TD_CS_ENCRYPTED && last->from_server == from_server) {
            last->count++;
            return last;
        }
    }
    /* The last rungs are kept for how it ended: alerts and the TCP end. */
    bool ending = kind == TD_CS_ALERT || kind == TD_CS_FIN || kind == TD_CS_RST;
    if (o->n_steps >= TD_CAP_MAX_STEPS || (!ending && o->n_steps >= TD_CAP_MAX_STEPS - 4)) {
        o->steps_dropped++;
        return NULL;
    }
    td_cap_step *s = &o->steps[o->n_steps++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->from_server = from_server;
    s->t = rel(c, ts);
    s->count = 1;
    return s;
}

static void ip_facts(td_cap_step *s, const td_pkt *p)
{
    if (!s)
        return;
    s->ttl = p->ttl;
    s->has_ip_id = p->has_ip_id;
    s->ip_id = p->ip_id;
}

/* ---- what the records say ---- */

static void on_alert(td_cap_conn *c, int d, const td_cap_record *r)
{
    td_capobs *o = &c->obs;
    uint8_t level = 0, desc = 0;
    bool clear = !c->dir[d].keys_changed && r->body && r->have == 2 && r->len == 2;
    if (clear) {
        td_flight scratch;
        td_flight_init(&scratch, false, td_suite_kx);
        td_rd body;
        td_rd_init(&body, r->body, r->len);
        clear = td_parse_alert(&body, &scratch);
        level = scratch.alert_level;
        desc = scratch.alert_desc;
    }
    td_cap_step *s = add_step(c, TD_CS_ALERT, d, c->obs.start + r->t_first);
    if (s) {
        s->level = level;
        s->code = desc;
        s->len = r->len;
        s->cut = !clear;
    }
    if (d == TD_CAP_CLIENT && !o->client_alert && o->answer_t >= 0) {
        o->client_alert = true;
        o->client_alert_level = level;
        o->client_alert_desc = desc;
        o->client_alert_t = r->t_first;
        o->client_alert_encrypted = !clear;
    } else if (d == TD_CAP_SERVER && c->flight_done && o->answer.out == TD_OUT_HELLO && !o->late_server_alert) {
        o->late_server_alert = true;
        o->late_alert_level = level;
        o->late_alert_desc = desc;
        o->late_alert_encrypted = !clear;
    }
}

/* An encrypted record the size of an alert: in TLS 1.3 every alert after
 * the ServerHello is one of these (RFC 8446 section 5.2). */
static void on_encrypted(td_cap_conn *c, int d, const td_cap_record *r)
{
    td_capobs *o = &c->obs;
    td_cap_step *s = add_step(c, TD_CS_ENCRYPTED, d, o->start + r->t_first);
    if (s)
        s->len += r->len;
    bool alert_sized = r->len == ENCRYPTED_ALERT_LEN;
    if (d == TD_CAP_CLIENT) {
        if (o->answer_t < 0)
            return;
        if (alert_sized && !o->client_alert && !o->app_data[TD_CAP_CLIENT] && o->encrypted_flight) {
            o->client_alert = true;
            o->client_alert_encrypted = true;
            o->client_alert_t = r->t_first;
        } else if (!alert_sized) {
            /* More than an alert followed: that record was a message. */
            if (o->client_alert && o->client_alert_encrypted && !o->app_data[TD_CAP_CLIENT])
                o->client_alert = false;
            o->app_data[TD_CAP_CLIENT] = true;
        }
    } else if (c->flight_done && o->encrypted_flight && o->app_data[TD_CAP_CLIENT] && alert_sized &&
               !o->late_server_alert && !o->app_data[TD_CAP_SERVER]) {
        o->late_server_alert = true;
        o->late_alert_encrypted = true;
    } else if (r->type == TD_CT_APPDATA && c->flight_done && o->app_data[TD_CAP_CLIENT]) {
        o->app_data[TD_CAP_SERVER] = true;
    }
}

/* Walks the handshake message headers in a record (RFC 8446 section 4:
 * type, 3-byte length), messages spanning records included. */
static void on_handshake(td_cap_conn *c, int d, const td_cap_record *r)
{
    td_cap_dir *dr = &c->dir[d];
    td_capobs *o = &c->obs;
    if (!r->body || dr->hs_lost) {
        td_cap_step *s = add_step(c, TD_CS_HANDSHAKE, d, o->start + r->t_first);
        if (s) {
            s->code = 0xff;
            s->len = r->len;
            s->cut = true;
        }
        dr->hs_lost = true;
        return;
    }
    td_rd rd;
    td_rd_init(&rd, r->body, r->have);
    while (!td_rd_empty(&rd)) {
        if (dr->hs_left > 0) {
            size_t n = td_rd_left(&rd) < dr->hs_left ? td_rd_left(&rd) : dr->hs_left;
            td_rd_skip(&rd, n);
            dr->hs_left -= (uint32_t)n;
            continue;
        }
        td_rd msg = rd; /* the message from its header on, when it starts in this record */
        bool starts_here = dr->hs_hdr_have == 0;
        while (dr->hs_hdr_have < 4 && td_rd_u8(&rd, &dr->hs_hdr[dr->hs_hdr_have]))
            dr->hs_hdr_have++;
        if (dr->hs_hdr_have < 4)
            break;
        dr->hs_hdr_have = 0;
        td_rd h;
        td_rd_init(&h, dr->hs_hdr, 4);
        uint8_t type;
        uint32_t len;
        td_rd_u8(&h, &type);
        td_rd_u24(&h, &len);
        dr->hs_left = len;
        td_cap_step *s = add_step(c, TD_CS_HANDSHAKE, d, o->start + r->t_first);
        if (s) {
            s->code = type;
            s->len = len;
            s->cut = r->cut;
            s->hrr = starts_here && d == TD_CAP_SERVER && td_flight_is_hrr(td_rd_ptr(&msg), td_rd_left(&msg));
        }
        if (d == TD_CAP_CLIENT && type == TD_HS_CLIENT_HELLO && !o->hello) {
            o->hello = true;
            o->hello_t = r->t_first;
            o->hello_len = len;
        } else if (d == TD_CAP_CLIENT && type == TD_HS_CERTIFICATE) {
            /* RFC 5246 section 7.4.6: an empty certificate_list is the
             * 3-byte length alone. */
            o->client_cert = len > 3;
            o->client_empty_cert = len <= 3;
        }
    }
    /* Past a hole the framing holds only while the hole stays inside the
     * message whose length was read. */
    uint32_t unseen = r->len - r->have;
    if (unseen == 0)
        return;
    if (dr->hs_hdr_have == 0 && dr->hs_left >= unseen)
        dr->hs_left -= unseen;
    else
        dr->hs_lost = true;
}

static void on_record(td_cap_conn *c, int d, td_cap_record *r)
{
    td_cap_dir *dr = &c->dir[d];
    td_capobs *o = &c->obs;
    if (r->type == TD_CAP_SSLV2) {
        td_cap_step *s = add_step(c, TD_CS_SSLV2_HELLO, d, o->start + r->t_first);
        if (s)
            s->len = r->len;
        if (d == TD_CAP_CLIENT && !o->hello) {
            o->hello = o->hello_sslv2 = true;
            o->hello_t = r->t_first;
            o->hello_len = r->len;
        }
    } else if (r->type == TD_CT_CCS) {
        add_step(c, TD_CS_CCS, d, o->start + r->t_first);
        /* In TLS 1.3 ChangeCipherSpec is a dummy for middleboxes (RFC 8446
         * appendix D.4): encrypted records are application_data, handshake
         * and alert records stay in the clear. */
        dr->keys_changed = !o->encrypted_flight;
        if (d == TD_CAP_CLIENT)
            o->client_ccs = true;
        else
            o->server_ccs = true;
    } else if (r->type == TD_CT_ALERT) {
        on_alert(c, d, r);
    } else if (r->type == TD_CT_HANDSHAKE && !dr->keys_changed) {
        on_handshake(c, d, r);
    } else {
        on_encrypted(c, d, r);
    }
    if (d == TD_CAP_CLIENT && o->hello && !c->hello_complete && dr->hs_left == 0)
        c->hello_complete = true;
    /* Listed for a later step, bodies kept while they fit. */
    if (dr->recs.n == dr->recs.cap && dr->recs.cap < TD_CAP_MAX_RECORDS) {
        size_t nc = dr->recs.cap ? dr->recs.cap * 2 : 8;
        td_cap_record *v = realloc(dr->recs.v, (nc < TD_CAP_MAX_RECORDS ? nc : TD_CAP_MAX_RECORDS) * sizeof *v);
        if (v) {
            dr->recs.v = v;
            dr->recs.cap = nc < TD_CAP_MAX_RECORDS ? nc : TD_CAP_MAX_RECORDS;
        }
    }
    if (dr->recs.n >= dr->recs.cap) {
        dr->recs.dropped++;
        free(r->body);
    } else {
        dr->recs.v[dr->recs.n++] = *r;
    }
    r->body = NULL;
}

/* Whether the first byte of a stream can begin a record (RFC 8446
 * section 5.1), or an SSLv2-format CLIENT-HELLO (its 2-byte header with
 * the top bit set, then message type 1). */
static bool plausible_start(int d, const uint8_t *hdr, bool *sslv2)
{
    *sslv2 = d == TD_CAP_CLIENT && (hdr[0] & 0x80) && hdr[2] == 1;
    return *sslv2 || (hdr[0] >= TD_CT_CCS && hdr[0] <= TD_CT_APPDATA && hdr[1] == 3);
}

static void lose(td_cap_conn *c, int d, double ts, bool not_tls)
{
    td_cap_dir *dr = &c->dir[d];
    dr->lost = true;
    free(dr->body);
    dr->body = NULL;
    dr->in_body = false;
    if (not_tls) {
        td_cap_step *s = add_step(c, TD_CS_NOT_TLS, d, ts);
        if (s)
            s->len = (uint32_t)dr->hdr_have;
        /* the client's first bytes, not garbage after its hello */
        if (d == TD_CAP_CLIENT && !c->obs.hello)
            c->obs.client_not_tls = true;
    }
}

/* A record header is complete: checks it and starts the body. */
static void begin_record(td_cap_conn *c, int d, double ts)
{
    td_cap_dir *dr = &c->dir[d];
    bool sslv2 = false;
    if (dr->recs.n == 0 && dr->recs.dropped == 0 && !plausible_start(d, dr->hdr, &sslv2)) {
        lose(c, d, ts, true);
        return;
    }
    td_rd h;
    td_rd_init(&h, dr->hdr, sizeof dr->hdr);
    memset(&dr->cur, 0, sizeof dr->cur);
    uint16_t len;
    if (sslv2) {
        /* draft-hickman-netscape-ssl-00: a 2-byte header, top bit set;
         * the three bytes already read belong to the body */
        td_rd_u16(&h, &len);
        dr->cur.type = TD_CAP_SSLV2;
        dr->cur.len = len & 0x7fff;
    } else {
        td_rd_u8(&h, &dr->cur.type);
        td_rd_u16(&h, &dr->cur.version);
        td_rd_u16(&h, &len);
        dr->cur.len = len;
        if (dr->cur.type < TD_CT_CCS || dr->cur.type > 24 || len > MAX_RECORD_BODY) {
            lose(c, d, ts, true);
            return;
        }
    }
    dr->cur.t_first = rel(c, ts);
    dr->in_body = true;
    dr->body_have = 0;
    bool keep = dr->recs.kept + dr->cur.len <= TD_CAP_DIR_BYTES && dr->recs.n < TD_CAP_MAX_RECORDS;
    dr->body = keep && dr->cur.len ? malloc(dr->cur.len) : NULL;
    if (keep && dr->cur.len && !dr->body)
        c->obs.cap_cut = true;
    if (!keep)
        c->obs.cap_cut = true;
    if (sslv2) {
        td_rd rest;
        td_rd_init(&rest, dr->hdr, sizeof dr->hdr);
        td_rd_skip(&rest, 2);
        size_t n = td_rd_left(&rest) < dr->cur.len ? td_rd_left(&rest) : dr->cur.len;
        if (dr->body)
            td_rd_copy(&rest, dr->body, n);
        dr->body_have = (uint32_t)n;
        dr->cur.have = dr->body ? (uint32_t)n : 0;
    }
}

static void end_record(td_cap_conn *c, int d, double ts)
{
    td_cap_dir *dr = &c->dir[d];
    dr->cur.t_last = rel(c, ts);
    dr->cur.body = dr->body;
    if (!dr->cur.cut)
        dr->cur.have = dr->cur.len;
    if (dr->body)
        dr->recs.kept += dr->cur.len;
    dr->body = NULL;
    dr->in_body = false;
    dr->hdr_have = 0;
    on_record(c, d, &dr->cur);
}

/* Reassembled bytes of one direction (data NULL: a gap of n bytes). */
static void walk_records(td_cap_conn *c, int d, const uint8_t *data, size_t n, double ts)
{
    td_cap_dir *dr = &c->dir[d];
    td_rd in;
    td_rd_init(&in, data, data ? n : 0);
    size_t gap = data ? 0 : n;
    while (!dr->lost && (gap > 0 || !td_rd_empty(&in))) {
        if (!dr->in_body) {
            if (gap > 0) { /* a hole where a header should be: the footing is gone */
                c->obs.snap_cut |= c->dir[d].rs.snap_cut > 0;
                lose(c, d, ts, false);
                return;
            }
            while (dr->hdr_have < sizeof dr->hdr && td_rd_u8(&in, &dr->hdr[dr->hdr_have]))
                dr->hdr_have++;
            if (dr->hdr_have < sizeof dr->hdr)
                return;
            begin_record(c, d, ts);
            if (dr->lost)
                return;
        }
        uint32_t want = dr->cur.len - dr->body_have;
        if (gap > 0) {
            uint32_t g = gap < want ? (uint32_t)gap : want;
            dr->cur.cut = true;
            dr->body_have += g;
            gap -= g;
        } else {
            size_t take = td_rd_left(&in) < want ? td_rd_left(&in) : want;
            td_rd piece;
            td_rd_sub(&in, take, &piece);
            if (dr->body)
                td_rd_copy(&piece, dr->body + dr->body_have, take);
            dr->body_have += (uint32_t)take;
            if (!dr->cur.cut)
                dr->cur.have = dr->body_have;
        }
        if (dr->body_have == dr->cur.len)
            end_record(c, d, ts);
    }
}

/* ---- the server's first flight ---- */

static void copy_chain(td_cap_conn *c)
{
    td_capobs *o = &c->obs;
    for (size_t k = 0; k < c->flight.n_certs && k < TD_FLIGHT_MAX_CERTS; k++) {
        const td_blob *b = &c->flight.certs[k];
        uint8_t *der = b->len ? malloc(b->len) : NULL;
        if (!der)
            break;
        memcpy(der, b->p, b->len);
        o->chain[o->n_chain].der = der;
        o->chain[o->n_chain].len = b->len;
        o->n_chain++;
    }
}

/* The flight is over (io says how the connection stood then): its facts
 * go into the observations and its buffers are released. */
static void end_flight(td_cap_conn *c, td_io_status status)
{
    td_capobs *o = &c->obs;
    td_io_result io = { .status = status, .first_ms = -1, .connect_ms = -1, .start_ms = -1 };
    io.bytes_in = o->bytes[TD_CAP_SERVER];
    if (o->answer_t >= 0 && o->hello)
        io.first_ms = (o->answer_t - o->hello_t) * 1000.0;
    td_attempt_from(&o->answer, &io, c->flight_on ? &c->flight : NULL);
    o->answer.offered_sni = false;
    o->answer.hello_len = o->hello_len;
    if (c->flight_on) {
        copy_chain(c);
        o->cert_request = c->flight.cert_request;
        o->hello_done = c->flight.hello_done;
        /* After a HelloRetryRequest (RFC 8446 section 4.1.4) the client
         * sends a second ClientHello and the flight that answers it is TLS
         * 1.3: encrypted past its ServerHello. */
        o->encrypted_flight = (c->flight.kind == TD_FLIGHT_HELLO && c->flight.version == TD_TLS13) ||
                              c->flight.kind == TD_FLIGHT_HRR;
        td_flight_free(&c->flight);
    }
    c->flight_on = false;
    c->flight_done = true;
}

static void feed_flight(td_cap_conn *c, const uint8_t *data, size_t n)
{
    if (c->flight_done)
        return;
    if (!c->flight_on) {
        td_flight_init(&c->flight, c->obs.hello_sslv2, td_suite_kx);
        c->flight_on = true;
    }
    if (!data) { /* the capture lost bytes of the flight: judged by its record headers */
        c->flight_cut = true;
        end_flight(c, TD_IO_DONE);
        return;
    }
    td_feed f = td_flight_feed(&c->flight, data, n);
    if (f != TD_FEED_MORE)
        end_flight(c, TD_IO_DONE);
}

typedef struct sink {
    td_cap_conn *c;
    int d;
} sink;

static void on_bytes(void *arg, const uint8_t *data, size_t n, double ts)
{
    sink *s = arg;
    td_cap_conn *c = s->c;
    td_capobs *o = &c->obs;
    if (data)
        o->bytes[s->d] += n;
    if (s->d == TD_CAP_SERVER) {
        if (o->answer_t < 0)
            o->answer_t = rel(c, ts);
        if (o->hello)
            feed_flight(c, data, n);
    }
    walk_records(c, s->d, data, n, ts);
}

/* ---- packets ---- */

static void ip_stats(td_cap_ipstats *st, const td_pkt *p)
{
    if (st->packets == 0 || p->ttl < st->ttl_min)
        st->ttl_min = p->ttl;
    if (st->packets == 0 || p->ttl > st->ttl_max)
        st->ttl_max = p->ttl;
    st->packets++;
    st->has_ip_id = p->has_ip_id;
    st->last_ip_id = p->ip_id;
}

static void on_rst(td_cap_conn *c, int d, const td_pkt *p)
{
    td_capobs *o = &c->obs;
    ip_facts(add_step(c, TD_CS_RST, d, p->ts), p);
    if (!o->rst[0] && !o->rst[1]) {
        o->rst_t = rel(c, p->ts);
        o->rst_from_server = d == TD_CAP_SERVER;
        o->rst_ttl = p->ttl;
        o->rst_has_ip_id = p->has_ip_id;
        o->rst_ip_id = p->ip_id;
        o->rst_after_client = o->rst_t - c->dir[TD_CAP_CLIENT].last_t;
    }
    o->rst[d] = true;
    if (o->end_t[d] < 0)
        o->end_t[d] = rel(c, p->ts);
    c->closed = true;
}

/* The same IPv4 packet seen twice: `tcpdump -i any` on a host that
 * forwards it captures it on the way in and on the way out (one TTL
 * apart), and a capture of several interfaces may see it on each.  Same
 * IP ID, sequence number, length and flags within a few milliseconds is one
 * packet; a retransmission carries a new IP ID. */
static bool seen_twice(td_cap_dir *dr, const td_pkt *p)
{
    td_cap_last *l = &dr->last;
    bool same = l->valid && p->has_ip_id && l->ip_id == p->ip_id && l->seq == p->seq &&
                l->len == p->payload_len && l->flags == p->flags && p->ts - l->ts < DUPLICATE_WITHIN;
    l->valid = p->has_ip_id;
    l->ip_id = p->ip_id;
    l->seq = p->seq;
    l->len = p->payload_len;
    l->flags = p->flags;
    l->ts = p->ts;
    return same;
}

void td_cap_conn_packet(td_cap_conn *c, const td_pkt *p)
{
    td_capobs *o = &c->obs;
    int d = td_cap_conn_from_client(c, p) ? TD_CAP_CLIENT : TD_CAP_SERVER;
    td_cap_dir *dr = &c->dir[d];
    if (seen_twice(dr, p)) {
        o->duplicates++;
        return;
    }
    c->last_seen = p->ts;
    o->end = rel(c, p->ts);
    if (p->flags & TD_TCP_RST) {
        on_rst(c, d, p);
        return;
    }
    if (d == TD_CAP_SERVER)
        ip_stats(&o->server_ip, p);
    if (p->flags & TD_TCP_SYN) {
        bool ack = p->flags & TD_TCP_ACK;
        if (d == TD_CAP_CLIENT && !o->syn && !ack) {
            o->syn = true;
            ip_facts(add_step(c, TD_CS_SYN, d, p->ts), p);
        } else if (d == TD_CAP_SERVER && !o->synack && ack) {
            o->synack = true;
            o->rtt = o->syn ? rel(c, p->ts) - o->steps[0].t : -1;
            o->server_mss = p->mss;
            ip_facts(add_step(c, TD_CS_SYNACK, d, p->ts), p);
        }
        td_reasm_syn(&dr->rs, p->seq);
        dr->last_t = rel(c, p->ts);
        return;
    }
    if (p->payload_len > 0) {
        bool before_answer = o->answer_t < 0;
        unsigned old = dr->rs.retrans;
        sink s = { c, d };
        td_reasm_add(&dr->rs, p->seq, td_rd_ptr(&p->payload), td_rd_left(&p->payload), p->payload_len, p->ts,
                     on_bytes, &s);
        if (d == TD_CAP_CLIENT && before_answer) {
            if (dr->rs.retrans > old)
                o->hello_retrans++;
            else if (!c->hello_complete || o->hello_segments == 0)
                o->hello_segments++;
        }
    }
    if (d == TD_CAP_CLIENT)
        dr->last_t = rel(c, p->ts);
    if ((p->flags & TD_TCP_FIN) && !o->fin[d]) {
        o->fin[d] = true;
        if (o->end_t[d] < 0)
            o->end_t[d] = rel(c, p->ts);
        ip_facts(add_step(c, TD_CS_FIN, d, p->ts), p);
        if (o->fin[0] && o->fin[1])
            c->closed = true;
    }
}

/* The ClientHello message, put back together from the client's first
 * handshake records (it may span several: RFC 8446 section 5.1); NULL when
 * the capture did not keep all of it.  *n is its length, header included. */
static uint8_t *hello_bytes(const td_cap_conn *c, size_t *n)
{
    const td_capobs *o = &c->obs;
    const td_cap_stream *st = &c->dir[TD_CAP_CLIENT].recs;
    if (st->n == 0)
        return NULL;
    if (o->hello_sslv2) { /* the record with its 2-byte header */
        const td_cap_record *r = &st->v[0];
        if (!r->body || r->have != r->len)
            return NULL;
        uint8_t *b = malloc(2 + (size_t)r->len);
        if (!b)
            return NULL;
        b[0] = (uint8_t)(0x80 | r->len >> 8);
        b[1] = (uint8_t)r->len;
        memcpy(b + 2, r->body, r->len);
        *n = 2 + (size_t)r->len;
        return b;
    }
    size_t need = 4 + (size_t)o->hello_len, got = 0;
    uint8_t *b = malloc(need);
    for (size_t k = 0; b && k < st->n && got < need; k++) {
        const td_cap_record *r = &st->v[k];
        if (r->type != TD_CT_HANDSHAKE || !r->body || r->have != r->len)
            break;
        size_t take = r->len < need - got ? r->len : need - got;
        memcpy(b + got, r->body, take);
        got += take;
    }
    if (got < need) {
        free(b);
        return NULL;
    }
    *n = need;
    return b;
}

/* What the client offered, read by the ClientHello parser of lib/wire. */
static void read_offer(td_cap_conn *c)
{
    td_capobs *o = &c->obs;
    size_t n = 0;
    uint8_t *msg = o->hello ? hello_bytes(c, &n) : NULL;
    td_chello *h = msg ? malloc(sizeof *h) : NULL;
    if (h) {
        bool ok = o->hello_sslv2 ? td_chello_parse_sslv2(h, msg, n) : td_chello_parse(h, msg, n);
        o->offer_read = ok;
        o->offer_bad = !ok;
        snprintf(o->offer_error, sizeof o->offer_error, "%s", ok ? "" : h->error);
        o->offer_version = td_chello_max_version(h);
        o->offer_min_version = h->legacy_version;
        for (size_t k = 0; k < h->n_versions; k++)
            if (!td_grease(h->versions[k]) && h->versions[k] < o->offer_min_version)
                o->offer_min_version = h->versions[k];
        o->offer_suites = h->n_suites;
        for (size_t k = 0; k < h->n_suites; k++)
            o->offer_suites13 += (h->suites[k] >> 8) == 0x13;
        o->offer_sni = h->has_sni;
        snprintf(o->sni, sizeof o->sni, "%s", h->sni);
        if (ok)
            td_cap_who(c->who, h, o);
        c->have_random = ok && !h->sslv2;
        memcpy(c->client_random, h->random, sizeof c->client_random);
        if (ok && !h->sslv2 && c->keep_hello) {
            c->hello_msg = msg;
            c->hello_msg_len = n;
            msg = NULL;
        }
    }
    free(h);
    free(msg);
}

/* What the record headers of a flight the capture cut still show: a
 * ServerHello, or an alert.  Nothing they show is a protocol violation. */
static void cut_answer(td_capobs *o)
{
    o->answer_cut = true;
    o->answer.out = TD_OUT_NOT_RUN;
    o->answer.error[0] = '\0';
    for (size_t k = 0; k < o->n_steps; k++) {
        const td_cap_step *s = &o->steps[k];
        if (!s->from_server)
            continue;
        if (s->kind == TD_CS_HANDSHAKE && s->code == TD_HS_SERVER_HELLO) {
            o->answer.out = TD_OUT_HELLO;
            return;
        }
        if (s->kind == TD_CS_ALERT && !s->cut) {
            o->answer.out = TD_OUT_ALERT;
            o->answer.alert_level = s->level;
            o->answer.alert_desc = s->code;
            return;
        }
    }
}

void td_cap_conn_finish(td_cap_conn *c)
{
    td_capobs *o = &c->obs;
    /* A capture taken on the sending host sees segments before the NIC
     * (or the kernel's GSO) cuts them to the MSS: count what went on the
     * wire. */
    if (o->hello && o->server_mss > 0) {
        uint32_t bytes = o->hello_len + 9; /* record and handshake headers */
        unsigned wire = (unsigned)((bytes + o->server_mss - 1) / o->server_mss);
        if (wire > o->hello_segments)
            o->hello_segments = wire;
    }
    for (int d = 0; d < 2; d++) {
        sink s = { c, d };
        td_reasm_flush(&c->dir[d].rs, o->start + o->end, on_bytes, &s);
        const td_reasm *rs = &c->dir[d].rs;
        o->retrans[d] = rs->retrans;
        o->out_of_order[d] = rs->out_of_order;
        o->overlaps[d] = rs->overlaps;
        o->snap_cut |= rs->snap_cut > 0;
        o->cap_cut |= rs->cap_hit;
        o->missing |= rs->missing > 0;
    }
    if (o->hello && !c->flight_done) {
        /* The server ended it only if it did so before the client gave up. */
        double se = o->end_t[TD_CAP_SERVER], ce = o->end_t[TD_CAP_CLIENT];
        bool server_first = se >= 0 && (ce < 0 || se <= ce);
        td_io_status st = !server_first ? TD_IO_TIMEOUT : o->rst[TD_CAP_SERVER] ? TD_IO_RESET : TD_IO_EOF;
        if (c->flight_on && td_flight_eof(&c->flight) != TD_FEED_MORE && st == TD_IO_TIMEOUT)
            st = TD_IO_EOF;
        end_flight(c, st);
    }
    if (c->flight_cut)
        cut_answer(o);
    o->client_went_on = (o->encrypted_flight ? o->app_data[TD_CAP_CLIENT] : o->client_ccs) && !o->late_server_alert;
    read_offer(c);
    td_cap_decrypt(c);
}

void td_cap_conn_free(td_cap_conn *c)
{
    if (!c)
        return;
    free(c->hello_msg);
    for (int d = 0; d < 2; d++) {
        td_reasm_free(&c->dir[d].rs);
        for (size_t k = 0; k < c->dir[d].recs.n; k++)
            free(c->dir[d].recs.v[k].body);
        free(c->dir[d].recs.v);
        free(c->dir[d].body);
    }
    if (c->flight_on)
        td_flight_free(&c->flight);
    td_capobs_free(&c->obs);
    free(c);
}
