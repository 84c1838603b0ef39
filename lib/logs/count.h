/* Bounded counters for `tlsdiag logs`: a log of any size is summarised in
 * fixed memory.  A table holds at most its capacity of distinct keys; what
 * comes after is counted in `overflow`, never stored. */
#ifndef TD_LOGS_COUNT_H
#define TD_LOGS_COUNT_H

#include <stddef.h>
#include <stdint.h>

#define TD_LKEY_MAX 64

typedef struct td_lslot {
    char key[TD_LKEY_MAX]; /* "" for a free slot */
    int tag;               /* a second part of the key (a cause), 0 when unused */
    uint64_t count;
} td_lslot;

typedef struct td_ltable {
    td_lslot *slots;
    size_t cap;      /* a power of two; at most cap/2 keys are taken */
    size_t used;
    uint64_t overflow; /* counts of keys that found no room */
} td_ltable;

/* 0, or -1 when memory is short. */
int td_ltable_init(td_ltable *t, size_t max_keys);
void td_ltable_free(td_ltable *t);
/* Adds n to (key, tag); a key longer than TD_LKEY_MAX-1 is cut. */
void td_ltable_add(td_ltable *t, const char *key, size_t len, int tag, uint64_t n);
/* The slots in use, most counted first (ties: by key), into out (at most
 * max); returns how many. */
size_t td_ltable_top(const td_ltable *t, int tag, const td_lslot **out, size_t max);

#endif
