/* The td_explain object, shared by lib/explain (filling and judging it)
 * and lib/report/explain.c (rendering it). */
#ifndef TD_EXPLAIN_INT_H
#define TD_EXPLAIN_INT_H

#include "explain/rules.h"
#include "tlsdiag.h"

#define TD_X_MAX_HITS 256
#define TD_X_EVIDENCE 200

typedef struct td_xseen {
    td_xhit hit;
    unsigned line;                  /* first line it was seen on, from 1 */
    unsigned count;                 /* lines it was seen on */
    char evidence[TD_X_EVIDENCE];   /* that line, printable ASCII, trimmed */
} td_xseen;

struct td_explain {
    const td_kb *kb;
    td_xseen seen[TD_X_MAX_HITS];
    size_t nseen;
    td_xfacts facts;
    unsigned lines, lines_matched, lines_long, lines_nul;
    td_xverdict v;
    bool judged;
    int code_alert;           /* `explain alert N`: N, else -1 */
    /* --check */
    bool checked;
    td_id confirmed;          /* TD_ID_NONE: none of the candidates */
    char *check_target;       /* "127.0.0.1:8443" as checked */
    char *live_evidence;      /* the confirming finding's summary */
    char *live_other;         /* fail findings the text did not point to */
    char err[256];
};

/* The i-th candidate as the answer gives it (after --check, the confirmed
 * one alone); NULL past the end. */
const td_xcand *td_explain_cand(const td_explain *x, size_t i);
/* Whether the text shows certificate verification turned off. */
bool td_explain_verification_disabled(const td_explain *x);
/* "tlsdiag check --sni app.test 127.0.0.1:8443", with HOST and PORT
 * standing in for what the text does not name; caller frees. */
char *td_explain_next_command(const td_explain *x);
/* The fix of a cause: the text's own, else the check's. */
const char *td_explain_fix(td_id id);
/* Why this candidate: the cause's meaning, the text that points to it when
 * quote is set, and the check's evidence; caller frees. */
char *td_explain_why(const td_explain *x, const td_xcand *c, bool quote);

#endif
