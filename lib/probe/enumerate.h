/* Suite enumeration for one protocol version: which suite lists to offer,
 * how many at once, and what the server's picks mean.  Pure bookkeeping:
 * the caller turns each query into a hello, sends the queries side by
 * side, and hands every answer back.
 *
 * The plan, after the version's own hello (every suite, registry order)
 * got the pick `first`:
 *
 *  1. One more hello offers everything but `first`; its pick is `second`.
 *  2. At once: the order test, offering {second, first} in that order (a
 *     server that imposes its own order picks `first` again), and one
 *     chain per band of the remaining suites (bands: forward-secret AEAD,
 *     other forward-secret, other AEAD, the rest).  A chain offers its
 *     suites not yet picked, records the pick and asks again until the
 *     server refuses.  Chains are disjoint, so together they find every
 *     accepted suite in about as many rounds as the longest one.
 *  3. Client order (the server takes the first offered suite it
 *     supports): from then on each chain also offers its suites in
 *     reverse, which yields the last accepted one, so a chain works from
 *     both ends, two picks a round; everything offered before a pick is
 *     refused and drops out.  The result is the accepted suites in
 *     registry order: what a single chain offering everything finds.
 *  4. Server order: each band's chain came out in the server's order (it
 *     always picks its favourite of what is offered).  Servers list bands
 *     in the order above (OpenSSL's default ordering rules and Mozilla's
 *     profiles both do), so one comparison per band boundary, all in one
 *     round, confirms the concatenation is the server's whole order.  A
 *     long band splits its rest where its picks so far show OpenSSL's
 *     order inside a band (SHA-2 MACs first, then 256-bit keys first),
 *     and the part boundary is checked the same way.  A
 *     boundary that does not hold has its two lists merged: two binary
 *     searches find where they overlap, and the overlap is merged from
 *     both ends at once, one comparison each per round.
 *
 * An answer that is neither a pick of an offered suite nor a refusal
 * (silence, a malformed flight, a suite not offered) stops that part of
 * the work and marks the enumeration incomplete, as it did a chain. */
#ifndef TD_PROBE_ENUMERATE_H
#define TD_PROBE_ENUMERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../obs/obs.h"

#define TD_ENUM_BANDS 4
#define TD_ENUM_CHAINS 16 /* bands and the parts they split into */

typedef enum {
    TD_ANS_PICK,    /* a ServerHello naming `suite` */
    TD_ANS_REFUSED, /* an alert, or the connection closed or reset */
    TD_ANS_UNCLEAR  /* anything else: silence, a malformed answer */
} td_answer;

typedef struct td_enum_query {
    int id;       /* to hand back with the answer */
    size_t n;
    uint16_t suites[TD_MAX_SUITES]; /* the offer, in this order */
} td_enum_query;

/* Merging two adjacent lists of a server order (enumerate.c). */
typedef struct td_enum_merge {
    bool on;
    size_t at;                      /* lists at and at + 1 */
    size_t plo, phi, qlo, qhi;      /* the binary searches' ranges */
    size_t ta, tb, ba, bb;          /* the overlap still to merge, top and bottom */
    uint16_t top[TD_MAX_SUITES], bottom[TD_MAX_SUITES];
    size_t n_top, n_bottom;
    uint8_t q_state[4];
} td_enum_merge;

typedef struct td_enum {
    size_t n;                        /* candidates, in registry order */
    uint16_t cand[TD_MAX_SUITES];
    uint8_t chain[TD_MAX_SUITES];    /* the chain that offers it (first: its band) */
    bool picked[TD_MAX_SUITES];
    bool dead[TD_MAX_SUITES];        /* client order: known to be refused */
    uint16_t head[2];                /* first and second */
    size_t n_head;
    int phase;
    uint8_t head_state;
    td_tri order;
    uint8_t order_state;
    /* the chains: the reverse query runs only under client order */
    size_t n_chains;
    uint8_t seq[TD_ENUM_CHAINS];     /* chains in the order their lists join */
    uint8_t fwd[TD_ENUM_CHAINS], rev[TD_ENUM_CHAINS];
    uint16_t step_pick[TD_ENUM_CHAINS]; /* picked by one end this step */
    bool ended[TD_ENUM_CHAINS];
    /* server order: each chain's picks, then lists being merged into one */
    uint16_t list[TD_ENUM_CHAINS][TD_MAX_SUITES];
    size_t list_n[TD_ENUM_CHAINS], n_lists;
    uint16_t bound_pair[TD_ENUM_CHAINS][2];
    uint8_t bound[TD_ENUM_CHAINS];
    td_enum_merge m;
    bool complete;
    uint16_t result[TD_MAX_SUITES];
    size_t n_result;
} td_enum;

/* cands: every suite the version's hello offered, in that order; first:
 * what the server picked from them (0, or a suite not among them, when it
 * named none of them). */
void td_enum_start(td_enum *e, const uint16_t *cands, size_t n, uint16_t first);
/* The next query that can go out now, or false when every query that can
 * is out (more follow the answers). */
bool td_enum_next(td_enum *e, td_enum_query *q);
void td_enum_answer(td_enum *e, int id, td_answer a, uint16_t suite);
bool td_enum_done(const td_enum *e);

/* Once done: the accepted suites (the server's order when it has one,
 * else registry order), whether every part ran to its end, and what the
 * order test said (TD_UNKNOWN with fewer than two suites). */
size_t td_enum_result(const td_enum *e, const uint16_t **suites);
bool td_enum_complete(const td_enum *e);
td_tri td_enum_order(const td_enum *e);

#endif
