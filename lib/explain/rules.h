/* The rules of `tlsdiag explain` and `tlsdiag logs`: what the hits of an
 * error text (lib/explain/match.h) point to.  No I/O; the same hits give the
 * same ranking. */
#ifndef TD_EXPLAIN_RULES_H
#define TD_EXPLAIN_RULES_H

#include <stddef.h>

#include "explain/match.h"

typedef struct td_xcand {
    td_id id;
    int score;              /* the sum of what each hit gives it */
    const td_xpat *from;    /* the hit that gives it most */
    int alert;              /* that hit's alert, -1 for none */
} td_xcand;

typedef struct td_xverdict {
    td_xside writer;        /* who wrote the text */
    td_xsw software;        /* the most specific writer */
    td_xstep step;          /* the step that failed */
    td_xside stopped_by;    /* the side that ended the handshake */
    const td_xpat *top;     /* the most specific hit */
    int alert;              /* its alert, or -1 */
    bool alert_sent;
    td_xcand cands[TD_ID_COUNT];
    size_t ncands;          /* best first */
} td_xverdict;

/* Ranks the causes the hits point to.  writer: who wrote the text, or
 * TD_XSIDE_UNKNOWN to decide from the hits. */
void td_xrules(const td_xhit *hits, size_t n, td_xside writer, td_xverdict *out);

/* The causes a hit points to when writer wrote it (ended by TD_ID_NONE or
 * TD_X_MAX_CAUSES entries). */
const td_id *td_xhit_causes(const td_xhit *h, td_xside writer);

#endif
