/* One direction of a TCP connection put back in order: segments in,
 * contiguous bytes out.  Retransmissions and overlaps are trimmed to what
 * is new; segments ahead of a hole wait, up to a cap on the bytes held;
 * bytes the capture never had (cut by the snap length, lost, or given up
 * waiting for) are passed on as a gap of known length, so the reader above
 * can skip them inside a record and knows where it lost its footing. */
#ifndef TD_CAPTURE_REASM_H
#define TD_CAPTURE_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* data is NULL for a gap of n missing bytes. */
typedef void (*td_reasm_out)(void *arg, const uint8_t *data, size_t n, double ts);

typedef struct td_reasm_seg td_reasm_seg;

typedef struct td_reasm {
    bool started;
    uint32_t next;          /* the sequence number of the next byte to pass on */
    td_reasm_seg *held;     /* segments past a hole, by sequence number */
    size_t held_bytes;
    size_t cap;             /* at most this many bytes held */
    uint64_t delivered;     /* bytes passed on, gaps included */
    unsigned segments;      /* segments with data */
    unsigned retrans;       /* segments with nothing new */
    unsigned overlaps;      /* segments partly old */
    unsigned out_of_order;  /* segments that arrived past a hole */
    uint64_t snap_cut;      /* bytes the snap length cut */
    uint64_t missing;       /* bytes never captured, or dropped by the cap */
    bool cap_hit;           /* the cap made a segment be dropped */
} td_reasm;

void td_reasm_init(td_reasm *s, size_t cap);
/* The SYN's sequence number: data starts one later (RFC 9293 section 3.4). */
void td_reasm_syn(td_reasm *s, uint32_t isn);
/* One segment: seq, the captured bytes, and its length on the wire (the
 * captured part is shorter when the snap length cut it).  Returns how much
 * of it was new. */
size_t td_reasm_add(td_reasm *s, uint32_t seq, const uint8_t *p, size_t caplen, uint32_t wirelen, double ts,
                    td_reasm_out out, void *arg);
/* The connection is over: whatever still waits behind a hole is passed on
 * after a gap. */
void td_reasm_flush(td_reasm *s, double ts, td_reasm_out out, void *arg);
void td_reasm_free(td_reasm *s);

#endif
