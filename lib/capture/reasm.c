#include "capture/reasm.h"

#include <stdlib.h>
#include <string.h>

#include "wire/bytes.h"

struct td_reasm_seg {
    td_reasm_seg *next;
    uint32_t seq;
    uint32_t wirelen;
    uint32_t caplen;
    double ts;
    uint8_t data[];
};

/* Sequence numbers wrap (RFC 9293 section 3.4): compare by difference. */
static int32_t seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

void td_reasm_init(td_reasm *s, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->cap = cap;
}

void td_reasm_syn(td_reasm *s, uint32_t isn)
{
    if (s->started)
        return;
    s->started = true;
    s->next = isn + 1;
}

/* Passes on the part of a segment at or after s->next; the caller made sure
 * it starts no later than s->next. */
static size_t deliver(td_reasm *s, uint32_t seq, const uint8_t *p, size_t caplen, uint32_t wirelen, double ts,
                      td_reasm_out out, void *arg)
{
    uint32_t skip = (uint32_t)seq_diff(s->next, seq);
    if (skip >= wirelen)
        return 0;
    td_rd r;
    td_rd_init(&r, p, caplen);
    if (!td_rd_skip(&r, skip))
        td_rd_skip(&r, td_rd_left(&r));
    size_t have = td_rd_left(&r);
    size_t want = wirelen - skip;
    if (have)
        out(arg, td_rd_ptr(&r), have, ts);
    if (want > have) {
        s->snap_cut += want - have;
        out(arg, NULL, want - have, ts);
    }
    s->next += (uint32_t)want;
    s->delivered += want;
    return want;
}

/* Passes on the held segments the stream has reached. */
static void drain(td_reasm *s, td_reasm_out out, void *arg)
{
    while (s->held && seq_diff(s->held->seq, s->next) <= 0) {
        td_reasm_seg *g = s->held;
        s->held = g->next;
        s->held_bytes -= g->caplen;
        deliver(s, g->seq, g->data, g->caplen, g->wirelen, g->ts, out, arg);
        free(g);
    }
}

/* Gives up on the hole before the first held segment. */
static void skip_hole(td_reasm *s, double ts, td_reasm_out out, void *arg)
{
    if (!s->held)
        return;
    uint32_t n = (uint32_t)seq_diff(s->held->seq, s->next);
    s->missing += n;
    s->delivered += n;
    s->next += n;
    out(arg, NULL, n, ts);
    drain(s, out, arg);
}

static void hold(td_reasm *s, uint32_t seq, const uint8_t *p, size_t caplen, uint32_t wirelen, double ts,
                 td_reasm_out out, void *arg)
{
    /* Past the cap the stream cannot wait any longer for the hole to fill:
     * what is held goes on, behind a gap. */
    while (s->held && s->held_bytes + caplen > s->cap) {
        s->cap_hit = true;
        skip_hole(s, ts, out, arg);
        if (seq_diff(seq, s->next) <= 0) {
            deliver(s, seq, p, caplen, wirelen, ts, out, arg);
            drain(s, out, arg);
            return;
        }
    }
    if (caplen > s->cap) {
        s->cap_hit = true;
        return;
    }
    td_reasm_seg **at = &s->held;
    while (*at && seq_diff((*at)->seq, seq) < 0)
        at = &(*at)->next;
    if (*at && (*at)->seq == seq && (*at)->wirelen >= wirelen) {
        s->retrans++;
        return;
    }
    td_reasm_seg *g = malloc(sizeof *g + caplen);
    if (!g) {
        s->cap_hit = true;
        return;
    }
    g->seq = seq;
    g->wirelen = wirelen;
    g->caplen = (uint32_t)caplen;
    g->ts = ts;
    memcpy(g->data, p, caplen);
    g->next = *at;
    *at = g;
    s->held_bytes += caplen;
    s->out_of_order++;
}

size_t td_reasm_add(td_reasm *s, uint32_t seq, const uint8_t *p, size_t caplen, uint32_t wirelen, double ts,
                    td_reasm_out out, void *arg)
{
    if (wirelen == 0)
        return 0;
    if (caplen > wirelen)
        caplen = wirelen;
    if (!s->started) { /* the capture began after the SYN */
        s->started = true;
        s->next = seq;
    }
    s->segments++;
    int32_t d = seq_diff(seq, s->next);
    if (d > 0) {
        hold(s, seq, p, caplen, wirelen, ts, out, arg);
        return 0;
    }
    if ((uint32_t)-d >= wirelen) {
        s->retrans++;
        return 0;
    }
    if (d < 0)
        s->overlaps++;
    size_t n = deliver(s, seq, p, caplen, wirelen, ts, out, arg);
    drain(s, out, arg);
    return n;
}

void td_reasm_flush(td_reasm *s, double ts, td_reasm_out out, void *arg)
{
    while (s->held)
        skip_hole(s, ts, out, arg);
}

void td_reasm_free(td_reasm *s)
{
    while (s->held) {
        td_reasm_seg *g = s->held;
        s->held = g->next;
        free(g);
    }
    s->held_bytes = 0;
}
