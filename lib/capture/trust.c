#include "capture/trust.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert/cert.h"
#include "util/hash.h"

/* Verdicts remembered: a direct-mapped table, a slot taken by the latest
 * chain whose key falls there.  Servers in one capture are few; a capture
 * of more distinct chains than this verifies some of them again. */
#define SLOTS 256u

struct td_cap_trustmemo {
    td_store *store;          /* the system's, opened for the first chain */
    bool store_failed;
    td_cap_trust *slot[SLOTS];
};

td_cap_trustmemo *td_cap_trustmemo_new(void)
{
    return calloc(1, sizeof(td_cap_trustmemo));
}

void td_cap_trustmemo_free(td_cap_trustmemo *m)
{
    if (!m)
        return;
    for (size_t k = 0; k < SLOTS; k++)
        td_cap_trust_release(m->slot[k]);
    td_store_free(m->store);
    free(m);
}

/* The verdict depends on the chain and the day (the dates); the name is
 * part of the key too, so a verdict is never carried over to another
 * site's connection that happens to share its chain. */
static uint64_t key_of(const td_capobs *o)
{
    uint64_t h = TD_HASH64_INIT;
    int64_t day = (int64_t)o->start / 86400;
    const char *name = o->offer_sni ? o->sni : o->server;
    h = td_hash64(h, name, strlen(name) + 1);
    h = td_hash64(h, &day, sizeof day);
    for (size_t k = 0; k < o->n_chain; k++) {
        h = td_hash64(h, &o->chain[k].len, sizeof o->chain[k].len);
        h = td_hash64(h, o->chain[k].der, o->chain[k].len);
    }
    return h;
}

static td_cap_trust *verify(td_cap_trustmemo *m, const td_capobs *o, uint64_t key)
{
    td_cap_trust *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    td_der d[TD_FLIGHT_MAX_CERTS];
    size_t n = o->n_chain < TD_FLIGHT_MAX_CERTS ? o->n_chain : TD_FLIGHT_MAX_CERTS;
    for (size_t k = 0; k < n; k++)
        d[k] = td_cert_der(&o->chain[k]);
    td_verify_path(m->store, d, n, NULL, 0, (int64_t)o->start, &t->path);
    snprintf(t->store_name, sizeof t->store_name, "%s", td_store_name(m->store));
    t->key = key;
    t->refs = 1; /* the table's */
    return t;
}

void td_cap_trust_fill(td_cap_trustmemo *m, td_capobs *o)
{
    if (!m || !o || o->n_chain == 0 || o->trust)
        return;
    if (!m->store && !m->store_failed) {
        char err[160];
        m->store = td_store_new(NULL, NULL, err, sizeof err);
        m->store_failed = !m->store;
    }
    if (!m->store)
        return;
    uint64_t key = key_of(o);
    td_cap_trust **at = &m->slot[key % SLOTS];
    if (!*at || (*at)->key != key) {
        td_cap_trust *t = verify(m, o, key);
        if (!t)
            return;
        td_cap_trust_release(*at);
        *at = t;
    }
    td_cap_trust_hold(*at);
    o->trust = *at;
}
