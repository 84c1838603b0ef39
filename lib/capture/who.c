#include "capture/who.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/fingerprint.h"
#include "util/hash.h"

#define SLOTS 256u

typedef struct who {
    bool used;
    uint64_t key;
    bool read;
    char ja3[33], ja4[40];
    const td_client *like[4], *nearest;
    unsigned score;
} who;

struct td_cap_whomemo {
    who slot[SLOTS];
};

td_cap_whomemo *td_cap_whomemo_new(void)
{
    return calloc(1, sizeof(td_cap_whomemo));
}

void td_cap_whomemo_free(td_cap_whomemo *m)
{
    free(m);
}

/* Extensions whose bodies change from one connection of a client to the
 * next while saying nothing of who it is: the name asked for and the
 * padding that follows its length (RFC 7685), tickets and PSKs (RFC 8446
 * section 4.2.11), key shares (their keys). */
static bool varies(uint16_t type)
{
    return type == 0 || type == 21 || type == 35 || type == 41 || type == 51;
}

/* Everything of the hello the fingerprints and the match read: the
 * version, the suites, the compressions, the extensions in order with the
 * bodies that do not vary, and whether a name was sent. */
static uint64_t key_of(const td_chello *h)
{
    uint64_t k = TD_HASH64_INIT;
    uint8_t flags[3] = { h->sslv2, h->has_sni, h->has_extensions };
    k = td_hash64(k, flags, sizeof flags);
    k = td_hash64(k, &h->legacy_version, sizeof h->legacy_version);
    k = td_hash64(k, h->suites, h->n_suites * sizeof h->suites[0]);
    k = td_hash64(k, h->compressions, h->n_compressions);
    for (size_t i = 0; i < h->n_exts; i++) {
        const td_chello_ext *e = &h->exts[i];
        k = td_hash64(k, &e->type, sizeof e->type);
        if (!varies(e->type)) {
            k = td_hash64(k, &e->body.len, sizeof e->body.len);
            k = td_hash64(k, e->body.p, e->body.len);
        }
    }
    return k;
}

static void compute(const td_chello *h, who *w)
{
    td_ja3 j3;
    td_ja4 j4;
    td_fp_match m;
    memset(w, 0, sizeof *w);
    if (td_fp_ja3(h, &j3) != 0 || td_fp_ja4(h, &j4) != 0 || td_fp_match_client(h, &m) != 0)
        return;
    w->read = true;
    snprintf(w->ja3, sizeof w->ja3, "%s", j3.md5);
    snprintf(w->ja4, sizeof w->ja4, "%s", j4.fp);
    w->nearest = m.nearest;
    w->score = m.score;
    /* Profiles whose hellos are the same cannot be told apart: all are
     * named, never one of them as if it were sure. */
    size_t n = 0;
    for (size_t k = 0; m.client && k < m.n_ties && n < sizeof w->like / sizeof w->like[0]; k++)
        w->like[n++] = m.ties[k];
    if (m.client && n == 0)
        w->like[0] = m.client;
}

static void put(const who *w, td_capobs *o)
{
    o->fp_read = w->read;
    memcpy(o->ja3, w->ja3, sizeof o->ja3);
    memcpy(o->ja4, w->ja4, sizeof o->ja4);
    memcpy(o->fp_like, w->like, sizeof o->fp_like);
    o->fp_nearest = w->nearest;
    o->fp_score = w->score;
}

void td_cap_who(td_cap_whomemo *m, const td_chello *h, td_capobs *o)
{
    if (!m) {
        who w;
        compute(h, &w);
        put(&w, o);
        return;
    }
    uint64_t key = key_of(h);
    who *w = &m->slot[key % SLOTS];
    if (!w->used || w->key != key) {
        compute(h, w);
        w->used = true;
        w->key = key;
    }
    put(w, o);
}
