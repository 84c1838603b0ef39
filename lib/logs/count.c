/* Bounded counters (count.h): open addressing, linear probing. */
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

/* Eight bytes at a time, multiply and fold (a log has millions of
 * look-ups; byte-at-a-time FNV was a third of the time). */
static uint64_t hash(const char *k, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, k, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        k += 8, len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, k, len);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

static void add_sub(td_ltable *t, td_lslot *s, int tag, uint64_t n)
{
    uint32_t want = (uint32_t)tag + 1;
    for (size_t i = 0; i < TD_LSUB; i++) {
        if (s->sub_tag[i] == want || s->sub_tag[i] == 0) {
            s->sub_tag[i] = want;
            s->sub_count[i] += n;
            return;
        }
    }
    t->sub_overflow += n;
}

void td_ltable_add(td_ltable *t, const char *key, size_t len, int tag, uint64_t n)
{
    if (!t->slots || len == 0)
        return;
    if (len >= TD_LKEY_MAX)
        len = TD_LKEY_MAX - 1;
    /* Keys come from log lines (client addresses, server names), which
     * hold whatever a client sent: anything but printable ASCII becomes
     * '?', so a key is one C string, valid UTF-8 for the JSON, and safe to
     * print on a terminal. */
    char clean[TD_LKEY_MAX];
    for (size_t k = 0; k < len; k++)
        clean[k] = key[k] > 0x20 && key[k] < 0x7f ? key[k] : '?';
    key = clean;
    size_t mask = t->cap - 1;
    for (size_t i = hash(key, len) & mask;; i = (i + 1) & mask) {
        td_lslot *s = &t->slots[i];
        if (!s->key[0]) {
            if (t->used >= t->cap / 2) {
                t->overflow += n;
                return;
            }
            memcpy(s->key, key, len);
            s->key[len] = '\0';
            t->used++;
        } else if (s->key[len] != '\0' || memcmp(s->key, key, len) != 0) {
            continue;
        }
        s->count += n;
        if (tag >= 0)
            add_sub(t, s, tag, n);
        return;
    }
}

typedef struct ranked {
    const td_lslot *slot;
    uint64_t count;
} ranked;

static int by_count(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->slot->key, y->slot->key);
}

static uint64_t sub_of(const td_lslot *s, int tag)
{
    for (size_t i = 0; i < TD_LSUB; i++)
        if (s->sub_tag[i] == (uint32_t)tag + 1)
            return s->sub_count[i];
    return 0;
}

size_t td_ltable_top(const td_ltable *t, int tag, const td_lslot **out, uint64_t *counts, size_t max)
{
    if (!t->slots || max == 0)
        return 0;
    ranked *all = malloc(t->used * sizeof *all + 1);
    if (!all)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < t->cap; i++) {
        const td_lslot *s = &t->slots[i];
        uint64_t c = !s->key[0] ? 0 : tag < 0 ? s->count : sub_of(s, tag);
        if (c)
            all[n++] = (ranked){ s, c };
    }
    qsort(all, n, sizeof *all, by_count);
    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++) {
        out[i] = all[i].slot;
        if (counts)
            counts[i] = all[i].count;
    }
    free(all);
    return n;
}
