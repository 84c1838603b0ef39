/* Bounded counters for `tlsdiag logs`: a log of any size is summarised in
 * fixed memory.  A table holds at most its capacity of distinct keys; what
 * comes after is counted in `overflow`, never stored.  Each key also keeps
 * a few sub-counts by tag (a client's failures per cause), so that one
 * look-up a line serves both. */
#ifndef TD_LOGS_COUNT_H
#define TD_LOGS_COUNT_H

#include <stddef.h>
#include <stdint.h>

#define TD_LKEY_MAX 56 /* an IPv6 address with its port fits */
#define TD_LSUB 4

typedef struct td_lslot {
    char key[TD_LKEY_MAX]; /* "" for a free slot */
    uint64_t count;
    uint32_t sub_tag[TD_LSUB]; /* tag + 1; 0 for a free sub-count */
    uint64_t sub_count[TD_LSUB];
} td_lslot;

typedef struct td_ltable {
    td_lslot *slots;
    size_t cap;           /* a power of two; at most cap/2 keys are taken */
    size_t used;
    uint64_t overflow;     /* counts of keys that found no room */
    uint64_t sub_overflow; /* sub-counts of a key that had all its tags taken */
} td_ltable;

/* 0, or -1 when memory is short. */
int td_ltable_init(td_ltable *t, size_t max_keys);
void td_ltable_free(td_ltable *t);
/* Adds n to key (cut at TD_LKEY_MAX-1 bytes), and to its sub-count of tag
 * when tag >= 0. */
void td_ltable_add(td_ltable *t, const char *key, size_t len, int tag, uint64_t n);
/* The keys most counted first (ties: by key), at most max, into out;
 * returns how many.  With tag >= 0, the keys with that sub-count, by it,
 * the sub-counts into counts (when not NULL). */
size_t td_ltable_top(const td_ltable *t, int tag, const td_lslot **out, uint64_t *counts, size_t max);

#endif
