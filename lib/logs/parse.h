/* The log-line parser of `tlsdiag logs`: a source.  It reads one line of an
 * nginx, Apache httpd (mod_ssl) or HAProxy log, or of a journald export of
 * them, and says what it shows: when, which client, which name (SNI), and
 * the hits of lib/explain's matcher.  It counts nothing and judges nothing. */
#ifndef TD_LOGS_PARSE_H
#define TD_LOGS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "explain/match.h"

#define TD_LREC_HITS 8

typedef enum {
    TD_LREC_NONE,    /* nothing about a TLS failure */
    TD_LREC_FAIL,    /* a failed handshake (or a TLS alert) of one connection */
    TD_LREC_OPENS,   /* Apache's AH02008/AH01996: the reason follows on the next line */
    TD_LREC_REASON,  /* Apache's "SSL Library Error: ..." line, the reason of the one before */
} td_lrec_kind;

typedef struct td_lrec {
    td_lrec_kind kind;
    int64_t t;                 /* seconds, local time read as UTC; -1 when the line has none */
    char client[64];           /* "" when the line names none */
    char sni[128];
    char thread[48];           /* Apache's "[pid N:tid M]", to pair OPENS and REASON */
    td_xhit hits[TD_LREC_HITS];
    size_t nhits;
    td_xside writer;           /* the server, unless the line speaks of its upstream */
} td_lrec;

/* Reads one line (no newline; no NUL byte).  norm is scratch of len+1
 * bytes.  The caller has the knowledge loaded. */
void td_lparse(const td_kb *kb, const char *line, size_t len, char *norm, td_lrec *r);

/* A time at the start of a log line, as td_lrec.t: nginx "2026/12/07
 * 11:00:00", Apache "[Mon Dec 07 11:00:00.123456 2026]", ISO "2026-12-07
 * 11:00:00" or "2026-12-07T11:00:00", syslog "Dec  7 11:00:00" (this
 * year), HAProxy's "[07/Dec/2026:11:00:00.123]" anywhere; -1 when none. */
int64_t td_ltime(const char *line, size_t len, int this_year);

/* A --since value: an absolute time in one of the forms above (date alone
 * means its midnight), or "N" plus s, m, h or d before now_local; -1 when it
 * is none of these. */
int64_t td_lsince(const char *s, int64_t now_local, int this_year);

#endif
