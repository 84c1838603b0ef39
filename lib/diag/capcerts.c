/* The certificate rules of lib/diag/certs.c on the chain a captured
 * connection carried, with the trust store's verdict the capture reader
 * put beside it (td_capobs.trust: no I/O here).  A capture of many
 * connections to one server carries the same chain again and again: the
 * findings of the last few chains are kept and copied, so the rules parse
 * each chain once. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/advice.h"
#include "diag/finding.h"
#include "obs/capobs.h"
#include "util/hash.h"

/* Chains remembered, most recent first. */
#define MEMO 8

typedef struct memo {
    uint64_t key;
    bool used;
    td_findings fs;
} memo;

struct td_capcerts {
    td_obs *scratch;   /* the observations certs.c reads, filled per chain */
    memo m[MEMO];
};

td_capcerts *td_capcerts_new(void)
{
    return calloc(1, sizeof(td_capcerts));
}

void td_capcerts_free(td_capcerts *cc)
{
    if (!cc)
        return;
    for (size_t k = 0; k < MEMO; k++)
        td_findings_free(&cc->m[k].fs);
    free(cc->scratch);
    free(cc);
}

/* Whether the client refused what the server sent: then the certificate
 * rules say why.  A client that went on trusted the chain, whatever a
 * store here would say. */
static bool client_refused(const td_findings *fs)
{
    for (size_t k = 0; k < fs->n; k++)
        if (fs->v[k].id == TD_ID_CLIENT_REJECTED_CERT || fs->v[k].id == TD_ID_CLIENT_ALERT)
            return true;
    return false;
}

/* Everything the findings depend on: the chain, the name and the day (the
 * trust verdict's key) and the server (in the texts). */
static uint64_t key_of(const td_capobs *o)
{
    uint64_t h = o->trust->key;
    h = td_hash64(h, o->server, strlen(o->server) + 1);
    h = td_hash64(h, &o->server_port, sizeof o->server_port);
    return h;
}

static void copy_finding(td_findings *out, const td_finding *f, const char *verify)
{
    td_finding *g = td_findings_add(out, f->id, f->sev, f->summary, f->evidence, f->fix, verify ? verify : f->verify);
    if (g) {
        g->reason = f->reason;
        g->cert = f->cert;
    }
}

static void append(td_findings *out, const td_findings *fs)
{
    for (size_t k = 0; k < fs->n; k++)
        copy_finding(out, &fs->v[k], NULL);
    out->oom |= fs->oom;
}

/* Runs certs.c on the chain, keeping what applies to a capture. */
static void judge_chain(const td_capobs *o, td_capcerts *cc, td_findings *keep)
{
    td_obs *scratch = cc->scratch;
    td_obs_init(scratch);
    /* The name the client asked for is the one its certificate must carry;
     * without SNI, the address it connected to. */
    bool named = o->offer_sni && o->sni[0];
    snprintf(scratch->host, sizeof scratch->host, "%s", named ? o->sni : o->server);
    snprintf(scratch->sni, sizeof scratch->sni, "%s", named ? o->sni : "");
    scratch->host_is_ip = !named;
    scratch->port = o->server_port;
    scratch->now = (int64_t)o->start;
    scratch->warn_days = 0;
    snprintf(scratch->store_name, sizeof scratch->store_name, "%s", o->trust->store_name);
    size_t n = o->n_chain < TD_FLIGHT_MAX_CERTS ? o->n_chain : TD_FLIGHT_MAX_CERTS;
    for (size_t k = 0; k < n; k++)
        scratch->certs[k] = o->chain[k]; /* borrowed: given back below */
    scratch->n_certs = n;
    scratch->certs_version = o->answer.version;
    scratch->path = o->trust->path;
    /* The name came off the wire: one a shell would read as more than a
     * word (quotes, ;, $, <) never goes into a command to paste; the
     * verify then names the address only. */
    char target[300], unnamed_verify[400];
    snprintf(unnamed_verify, sizeof unnamed_verify, "openssl s_client -connect %s -verify_return_error </dev/null",
             td_host_port(target, sizeof target, o->server, o->server_port));
    td_findings fs = { 0 };
    td_diagnose_certs(scratch, &fs);
    scratch->n_certs = 0;
    td_obs_free(scratch);
    for (size_t k = 0; k < fs.n; k++) {
        const td_finding *f = &fs.v[k];
        /* A client that sent no name checks the certificate against what
         * it was told to reach, which the capture does not show. */
        if (!named && (f->id == TD_ID_HOSTNAME_MISMATCH || f->id == TD_ID_NO_SAN))
            continue;
        if (f->id == TD_ID_SNI_DEFAULT_CERT)
            continue;
        copy_finding(keep, f, named && !td_shell_safe(o->sni) ? unnamed_verify : NULL);
    }
    keep->oom |= fs.oom;
    td_findings_free(&fs);
}

void td_diagnose_capture_certs(const td_capobs *o, td_capcerts *cc, td_findings *out)
{
    if (!o || !cc || !out || o->n_chain == 0 || !o->trust || !client_refused(out))
        return;
    if (!cc->scratch)
        cc->scratch = malloc(sizeof *cc->scratch);
    if (!cc->scratch)
        return;
    uint64_t key = key_of(o);
    for (size_t k = 0; k < MEMO; k++)
        if (cc->m[k].used && cc->m[k].key == key) {
            append(out, &cc->m[k].fs);
            return;
        }
    /* the oldest goes */
    td_findings_free(&cc->m[MEMO - 1].fs);
    memmove(&cc->m[1], &cc->m[0], (MEMO - 1) * sizeof cc->m[0]);
    memset(&cc->m[0], 0, sizeof cc->m[0]);
    judge_chain(o, cc, &cc->m[0].fs);
    cc->m[0].key = key;
    cc->m[0].used = !cc->m[0].fs.oom;
    append(out, &cc->m[0].fs);
}
