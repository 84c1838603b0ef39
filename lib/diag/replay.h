/* The rule on a replayed capture: what the live server rejects in the
 * captured client's hello, once the bisection named it and a second try
 * confirmed it.  No I/O: the replay's connections are the observations. */
#ifndef TD_DIAG_REPLAY_H
#define TD_DIAG_REPLAY_H

#include "diag/finding.h"
#include "probe/replay.h"

typedef struct td_replay_view {
    const td_replay_result *r;
    const char *target;    /* HOST[:PORT] as given */
    const char *file;      /* the capture, for the verify command */
    unsigned long stream;  /* the connection replayed */
} td_replay_view;

/* The element named, as text ("encrypt_then_mac (0x0016)", "the group
 * x25519", ...); "" when the replay named nothing. */
void td_replay_culprit(const td_replay_result *r, char *buf, size_t len);

/* VERSION_INTOLERANCE when a stable culprit was named; nothing otherwise
 * (an accepted replay, an unstable answer, or no single element). */
void td_diagnose_replay(const td_replay_view *v, td_findings *out);

#endif
