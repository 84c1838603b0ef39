/* Bounded counters (count.h): open addressing, FNV-1a, linear probing. */
#include "logs/count.h"

#include <stdlib.h>
#include <string.h>

int td_ltable_init(td_ltable *t, size_t max_keys)
{
    size_t cap = 16;
    while (cap < max_keys * 2)
        cap *= 2;
    memset(t, 0, sizeof *t);
    t->slots = calloc(cap, sizeof *t->slots);
    if (!t->slots)
        return -1;
    t->cap = cap;
    return 0;
}

void td_ltable_free(td_ltable *t)
{
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static uint64_t hash(const char *k, size_t len, int tag)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)(unsigned)tag;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
    return h;
}

void td_ltable_add(td_ltable *t, const char *key, size_t len, int tag, uint64_t n)
{
    if (!t->slots || len == 0)
        return;
    if (len >= TD_LKEY_MAX)
        len = TD_LKEY_MAX - 1;
    size_t mask = t->cap - 1;
    for (size_t i = hash(key, len, tag) & mask;; i = (i + 1) & mask) {
        td_lslot *s = &t->slots[i];
        if (!s->key[0]) {
            if (t->used >= t->cap / 2) {
                t->overflow += n;
                return;
            }
            memcpy(s->key, key, len);
            s->key[len] = '\0';
            s->tag = tag;
            s->count = n;
            t->used++;
            return;
        }
        if (s->tag == tag && strncmp(s->key, key, len) == 0 && s->key[len] == '\0') {
            s->count += n;
            return;
        }
    }
}

static int by_count(const void *a, const void *b)
{
    const td_lslot *x = *(const td_lslot *const *)a, *y = *(const td_lslot *const *)b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->key, y->key);
}

size_t td_ltable_top(const td_ltable *t, int tag, const td_lslot **out, size_t max)
{
    if (!t->slots || max == 0)
        return 0;
    const td_lslot **all = malloc(t->used * sizeof *all + 1);
    if (!all)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].key[0] && (tag < 0 || t->slots[i].tag == tag))
            all[n++] = &t->slots[i];
    qsort(all, n, sizeof *all, by_count);
    if (n > max)
        n = max;
    memcpy(out, all, n * sizeof *out);
    free(all);
    return n;
}
