/* The insides of td_history and td_diff, shared by lib/history (the store
 * and the comparison) and lib/report/diff.c (its renderings). */
#ifndef TD_HISTORY_INT_H
#define TD_HISTORY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../include/tlsdiag.h"
#include "history/db.h"

struct td_history {
    td_db db;
    bool open;
    char err[512]; /* td_history_error(): "" when the last call succeeded */
};

/* A certificate as the history keeps it. */
typedef struct td_hist_cert {
    int depth;         /* -1: none */
    char *subject;
    char *sha256;
    char *serial;
    int64_t not_after; /* unix seconds */
    bool has_not_after;
} td_hist_cert;

/* One target's latest record at some run. */
typedef struct td_hist_target {
    int64_t id, run, checked;
    char *host;
    int port;
    char *address;      /* "" when none was reached */
    char *starttls;     /* the upgrade asked for ("smtp"), NULL none */
    char verdict[8];    /* "ok", "warn", "fail" */
    char *root;         /* root cause ID, NULL none */
    char *root_summary;
    td_hist_cert leaf;  /* depth 0 */
    td_hist_cert soonest; /* the served certificate that expires first */
    char **clients;     /* failing clients the server is meant to serve, sorted */
    size_t n_clients, cap_clients;
} td_hist_target;

/* Every target's latest record at or before a run. */
typedef struct td_snapshot {
    td_hist_target *v;
    size_t n, cap;
} td_snapshot;

typedef struct td_run_info {
    bool present;
    int64_t id, started, finished; /* finished 0: not ended (running, or stopped) */
    char *command, *shard;
    int64_t targets;
} td_run_info;

typedef enum {
    TD_CH_NEW_FAILURE, /* fails now, did not (or was not seen) before */
    TD_CH_FIXED,       /* failed before, does not now */
    TD_CH_ROOT_CAUSE,  /* fails both times, for another reason */
    TD_CH_ROTATED,     /* another leaf certificate (SHA-256) */
    TD_CH_EXPIRING,    /* a served certificate ends within warn_days */
    TD_CH_SHUT_OUT,    /* clients that fail now and did not before */
    TD_CH_KINDS
} td_change_kind;

typedef struct td_change {
    td_change_kind kind;
    const td_hist_target *now;
    const td_hist_target *was; /* NULL: first seen in this comparison */
    char **clients;            /* SHUT_OUT: the newly failing ones (strings of now) */
    size_t n_clients;
} td_change;

struct td_diff {
    td_run_info current, baseline; /* baseline.present false: none before */
    td_snapshot now, was;
    unsigned warn_days;
    int64_t at; /* when the comparison ran: "days left" count from it */
    td_change *v;
    size_t n, cap;
    size_t count[TD_CH_KINDS];
};

/* The snapshot at run (every target's latest record with run_id <= run);
 * 0, or -1 with db->err. */
int td_snapshot_load(td_db *db, int64_t run, td_snapshot *s);
void td_snapshot_free(td_snapshot *s);
/* The changes between d->was and d->now, into d->v; 0 or -1 (memory). */
int td_diff_compare(td_diff *d);

#endif
