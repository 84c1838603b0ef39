/* The td_logs object: the counters of `tlsdiag logs`, shared by
 * lib/logs/logs.c (filling them) and lib/report/logs.c (rendering them).
 * Everything is bounded: a log of any size fits in the same memory. */
#ifndef TD_LOGS_INT_H
#define TD_LOGS_INT_H

#include "logs/count.h"
#include "logs/parse.h"
#include "tlsdiag.h"

#define TD_LOGS_MAX_LINE 65536
#define TD_LOGS_MAX_CLIENTS 4096
#define TD_LOGS_MAX_NAMES 1024     /* SNI */
#define TD_LOGS_MAX_MINUTES 44640  /* a month of minutes */
#define TD_LOGS_PENDING 64         /* Apache lines waiting for their reason */
#define TD_LOGS_SAMPLE 200

/* What one cause gathered: its count, the reason first seen, a line. */
typedef struct td_lcause {
    uint64_t count;
    const td_xpat *reason;
    char sample[TD_LOGS_SAMPLE];
} td_lcause;

typedef struct td_lpending {
    bool used;
    uint64_t seq;        /* to flush the oldest first */
    td_lrec rec;
} td_lpending;

struct td_logs {
    const td_kb *kb;
    char *norm;                      /* scratch for one line */
    char *carry;                     /* a line split across reads */
    size_t carry_len;
    bool carry_long;                 /* the line being read is already over the limit */
    int64_t since;                   /* -1: everything */
    int this_year;
    int64_t cur_time;                /* the last time read (lines without one inherit it) */
    uint64_t lines, lines_long, lines_nul, before_since, failures, seq;
    unsigned files;
    td_lcause causes[TD_ID_COUNT];   /* [TD_ID_NONE]: failures no cause explains */
    td_ltable clients, names, minutes; /* clients: sub-counts by cause */
    int64_t first, last;             /* -1 until a failure with a time */
    td_lpending pending[TD_LOGS_PENDING];
    /* what makes a long log quick: the cause of each pattern once ranked
     * (by pattern index, and the writer), the pattern of each packed
     * reason, the minute of the previous line, the minute being counted */
    td_id *cause_cache;
    const td_xpat **reason_cache;   /* [TD_LOGS_REASONS], from td_kb_ssl */
    char prefix[16];                /* nginx's "2026/12/07 11:40" of the last line */
    int64_t prefix_t;
    const td_xpat *nginx_msgs[32];  /* nginx messages known by their first words */
    size_t nginx_nmsgs;
    int64_t minute;                 /* -1: none yet */
    uint64_t minute_count;
    char err[256];
};

#define TD_LOGS_REASONS 4096

/* Bytes of a log in pieces of any size, as a file is read (the tests feed
 * it byte by byte); td_logs_add_text() finishes the input. */
void td_logs_feed(td_logs *l, const char *buf, size_t len);

#endif
