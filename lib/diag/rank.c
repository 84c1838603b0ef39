/* Root-cause ranking: which finding explains the others.
 *
 * The rules report every fault they see; a user fixing them needs to know
 * which one to fix first and which ones will go away with it.  This file
 * orders the list so the root cause comes first and links each symptom to
 * the finding that explains it.  No I/O: only the findings and the
 * observations they came from.
 *
 * The knowledge, bottom-up through the stack (each ID's layer is in the
 * catalog, catalog.h), because a failure low in the stack hides everything
 * above it:
 *   0  DNS_FAILURE
 *   1  CONNECT_REFUSED, CONNECT_TIMEOUT
 *   2  NOT_TLS
 *   3  RESET_AFTER_CLIENTHELLO, CLOSED_AFTER_CLIENTHELLO, HANDSHAKE_TIMEOUT
 *   4  VERSION_INTOLERANCE, PROTOCOL_TOO_OLD, NO_SHARED_CIPHER,
 *      NO_SHARED_GROUP, SERVER_ALERT: negotiation
 *   5  certificate trust faults (the leaf's dates and name, the chain, the
 *      root, the keys and signatures, the purpose; CHAIN_ORDER when the
 *      leaf is not sent first, since clients then judge the wrong
 *      certificate)
 *   6  the rest, and a CLIENT_INCOMPATIBLE no server-side finding explains:
 *      one client failing is narrower than a fault every client meets.
 *
 * Symptoms (symptom_of) are linked to the finding that explains them and
 * then resolved to the end of the chain, so every symptom points at a
 * finding that stands alone: a reporter can group symptoms under their
 * cause by comparing indices.
 *
 * The root cause is chosen among the findings that stand alone, by their
 * severity counted with their symptoms' (a warning that makes a client fail
 * is the cause of a failure), then by layer, then by how much it explains,
 * then by rule order.  LEGACY_PROTOCOL_ENABLED and WEAK_CIPHERS_ENABLED are
 * hygiene: never the root cause while anything fails. */
#include <stdlib.h>
#include <string.h>

#include "finding.h"

/* ---- what explains what ------------------------------------------------------
 *
 * The catalog (catalog.h) lists what each finding may be a symptom of; the
 * code below decides, from the typed fields of the findings and the
 * observations alone, which of those present explains it. */

static int find_id(const td_findings *fs, td_id id)
{
    for (size_t i = 0; i < fs->n; i++)
        if (fs->v[i].id == id)
            return (int)i;
    return -1;
}

/* The first of the IDs that is present, -1 when none. */
static int first_of(const td_findings *fs, const td_id *ids)
{
    for (; *ids != TD_ID_NONE; ids++) {
        int k = find_id(fs, *ids);
        if (k >= 0)
            return k;
    }
    return -1;
}
#define FIRST(fs, ...) first_of(fs, (const td_id[]){ __VA_ARGS__, TD_ID_NONE })

static int layer_of(const td_finding *f)
{
    /* certs.c gives CHAIN_ORDER severity fail only when the leaf is not
     * sent first (RFC 8446 section 4.4.2): then every certificate verdict
     * is about the wrong certificate. */
    if (f->id == TD_ID_CHAIN_ORDER && f->sev == TD_SEV_FAIL)
        return 5;
    const td_catalog_entry *e = td_catalog(f->id);
    return e ? e->layer : 6;
}

/* A handshake worked for someone: an older-style or single-version hello
 * of the probes, or a simulated client. */
static bool someone_succeeds(const td_obs *o)
{
    if (!o)
        return false;
    for (int i = 0; i < TD_NVERSIONS; i++)
        if (o->version_ok[i] == TD_YES)
            return true;
    if (o->oldstyle.out == TD_OUT_HELLO)
        return true;
    for (size_t i = 0; i < o->n_sims && i < TD_MAX_CLIENTS; i++)
        if (o->sims[i].hello.out == TD_OUT_HELLO || o->sims[i].hello.out == TD_OUT_HRR)
            return true;
    return false;
}

/* The simulated client a finding names, or NULL. */
static const td_sim *named_sim(const td_obs *o, const td_finding *f)
{
    if (!o || f->client < 0 || (size_t)f->client >= o->n_sims || f->client >= TD_MAX_CLIENTS)
        return NULL;
    return &o->sims[f->client];
}

/* Whether any suite the client offers is one the server accepts. */
static bool client_shares_suite(const td_obs *o, const td_client *c)
{
    for (int vi = 0; vi < TD_NVERSIONS; vi++) {
        bool offered = false;
        for (size_t k = 0; k < c->n_versions && k < TD_CLIENT_MAX_VERSIONS; k++)
            offered |= c->versions[k] == td_vat(vi);
        if (!offered)
            continue;
        for (size_t a = 0; a < o->n_suites[vi] && a < TD_MAX_SUITES; a++)
            for (size_t b = 0; b < c->n_suites && b < TD_CLIENT_MAX_SUITES; b++)
                if (o->suites[vi][a] == c->suites[b])
                    return true;
    }
    return false;
}

/* "RST after ClientHello for modern clients, but old clients succeed: the
 * cause is the suite list, not the network."  A reset, close, silence or
 * alert that some hellos get while others work is the server refusing
 * those hellos: VERSION_INTOLERANCE or NO_SHARED_CIPHER names why.  For one
 * client, its own suites decide which: sharing none with the server is the
 * suite list. */
static int refusal_cause(const td_findings *fs, const td_obs *o, const td_finding *f, bool succeeds)
{
    if (!succeeds)
        return -1;
    int vi = find_id(fs, TD_ID_VERSION_INTOLERANCE), nc = find_id(fs, TD_ID_NO_SHARED_CIPHER);
    if (vi < 0 || nc < 0)
        return vi >= 0 ? vi : nc;
    const td_sim *s = f && f->id == TD_ID_CLIENT_INCOMPATIBLE ? named_sim(o, f) : NULL;
    if (s && s->client && !client_shares_suite(o, s->client))
        return nc;
    return vi;
}

/* A CLIENT_INCOMPATIBLE finding: its typed reason names the server-side
 * findings that would state the same fault for every client. */
static int client_cause(const td_findings *fs, const td_obs *o, const td_finding *f, bool succeeds)
{
    switch (f->reason) {
    /* Only a server below TLS 1.2 is a server-side version fault; a TLS
     * 1.3-only server failing Java 8 is a fact about that client, so the
     * finding stands as its own cause. */
    case TD_REASON_VERSION: return find_id(fs, TD_ID_PROTOCOL_TOO_OLD);
    case TD_REASON_SUITE: return FIRST(fs, TD_ID_NO_SHARED_CIPHER, TD_ID_WEAK_CIPHERS_ONLY);
    case TD_REASON_GROUP: return find_id(fs, TD_ID_NO_SHARED_GROUP);
    case TD_REASON_DH: return find_id(fs, TD_ID_DH_TOO_SMALL);
    /* A group too large for the client (Java 7 stops at 1024 bits) is no
     * fault of the server's: it stands alone. */
    case TD_REASON_DH_TOO_LARGE: return -1;
    case TD_REASON_KEY: return find_id(fs, TD_ID_KEY_TOO_SMALL);
    case TD_REASON_CHAIN: return FIRST(fs, TD_ID_CHAIN_INCOMPLETE, TD_ID_CHAIN_ORDER, TD_ID_CHAIN_CERT_EXPIRED);
    case TD_REASON_TRUST: return FIRST(fs, TD_ID_UNTRUSTED_CA, TD_ID_SELF_SIGNED, TD_ID_CHAIN_INCOMPLETE);
    case TD_REASON_SELF_SIGNED: return FIRST(fs, TD_ID_SELF_SIGNED, TD_ID_UNTRUSTED_CA);
    case TD_REASON_HOSTNAME: return FIRST(fs, TD_ID_HOSTNAME_MISMATCH, TD_ID_NO_SAN, TD_ID_SNI_DEFAULT_CERT);
    case TD_REASON_CN_ONLY: return FIRST(fs, TD_ID_NO_SAN, TD_ID_HOSTNAME_MISMATCH);
    case TD_REASON_EXPIRED: return FIRST(fs, TD_ID_CERT_EXPIRED, TD_ID_CHAIN_CERT_EXPIRED);
    case TD_REASON_NOT_YET_VALID: return FIRST(fs, TD_ID_CERT_NOT_YET_VALID, TD_ID_CHAIN_CERT_EXPIRED);
    case TD_REASON_SIGNATURE: return find_id(fs, TD_ID_WEAK_SIGNATURE);
    case TD_REASON_PURPOSE: return find_id(fs, TD_ID_CERT_PURPOSE);
    case TD_REASON_SNI: return FIRST(fs, TD_ID_SNI_REQUIRED, TD_ID_SNI_DEFAULT_CERT);
    case TD_REASON_RESET:
    case TD_REASON_CLOSED:
    case TD_REASON_TIMEOUT:
    case TD_REASON_ALERT:
    case TD_REASON_CHOICE: {
        /* An answer that broke the protocol fails every client that gets
         * it: SERVER_PROTOCOL_VIOLATION says so for all of them. */
        const td_sim *s = named_sim(o, f);
        int pv = find_id(fs, TD_ID_SERVER_PROTOCOL_VIOLATION);
        if (pv >= 0 && (f->reason == TD_REASON_CHOICE || (s && s->hello.out == TD_OUT_MALFORMED)))
            return pv;
        int k = refusal_cause(fs, o, f, succeeds);
        if (k >= 0)
            return k;
        if (f->reason == TD_REASON_ALERT || f->reason == TD_REASON_CHOICE)
            return find_id(fs, TD_ID_SERVER_ALERT);
        return FIRST(fs, TD_ID_RESET_AFTER_CLIENTHELLO, TD_ID_CLOSED_AFTER_CLIENTHELLO, TD_ID_HANDSHAKE_TIMEOUT);
    }
    case TD_REASON_UNREACHABLE:
    case TD_REASON_NOT_TLS:
    case TD_REASON_NONE:
    case TD_REASON_COUNT: return -1;
    }
    return -1;
}

static int explained_by(const td_findings *fs, const td_obs *o, size_t i, bool succeeds)
{
    const td_finding *f = &fs->v[i];
    switch (f->id) {
    case TD_ID_CLIENT_INCOMPATIBLE: return client_cause(fs, o, f, succeeds);
    case TD_ID_RESET_AFTER_CLIENTHELLO:
    case TD_ID_CLOSED_AFTER_CLIENTHELLO:
    case TD_ID_HANDSHAKE_TIMEOUT:
    case TD_ID_SERVER_ALERT: return refusal_cause(fs, o, NULL, succeeds);
    default: break;
    }
    /* Otherwise the first cause the catalog names that the report holds;
     * CHAIN_ORDER explains the leaf verdicts only at fail (the leaf is not
     * sent first). */
    const td_id *c = td_id_causes(f->id);
    for (; c && *c != TD_ID_NONE; c++) {
        int k = find_id(fs, *c);
        if (k < 0 || (*c == TD_ID_CHAIN_ORDER && fs->v[k].sev != TD_SEV_FAIL))
            continue;
        return k;
    }
    return -1;
}

/* ---- ordering ---------------------------------------------------------------- */

static bool hygiene(const td_finding *f)
{
    return f->id == TD_ID_LEGACY_PROTOCOL_ENABLED || f->id == TD_ID_WEAK_CIPHERS_ENABLED;
}

/* Without memory to rank, the list still comes out fail-first. */
static void plain_sort(td_findings *fs)
{
    td_findings_sort(fs);
    for (size_t i = 0; i < fs->n; i++)
        fs->v[i].symptom_of = -1;
}

void td_rank_findings(const td_obs *o, td_findings *fs)
{
    if (!fs)
        return;
    fs->root_cause = -1;
    size_t n = fs->n;
    if (n == 0 || !fs->v)
        return;
    if (n > (size_t)1 << 20) { /* indices are ints */
        fs->oom = true;
        plain_sort(fs);
        return;
    }

    int *parent = malloc(n * sizeof *parent);
    int *eff = malloc(n * sizeof *eff);
    size_t *nsym = calloc(n, sizeof *nsym);
    size_t *order = malloc(n * sizeof *order);
    int *newpos = malloc(n * sizeof *newpos);
    td_finding *tmp = malloc(n * sizeof *tmp);
    if (!parent || !eff || !nsym || !order || !newpos || !tmp) {
        fs->oom = true;
        plain_sort(fs);
        goto out;
    }

    bool succeeds = someone_succeeds(o);
    for (size_t i = 0; i < n; i++) {
        int p = explained_by(fs, o, i, succeeds);
        parent[i] = p == (int)i ? -1 : p;
    }
    /* Resolve chains to the finding that stands alone; a cycle (no rule
     * above makes one, but a broken link must not loop) leaves the finding
     * standing alone. */
    for (size_t i = 0; i < n; i++) {
        int p = parent[i];
        size_t steps = 0;
        while (p >= 0 && parent[p] >= 0 && steps++ < n)
            p = parent[p];
        parent[i] = (p >= 0 && parent[p] < 0 && p != (int)i) ? p : -1;
    }
    for (size_t i = 0; i < n; i++)
        eff[i] = (int)fs->v[i].sev;
    for (size_t i = 0; i < n; i++) {
        int p = parent[i];
        if (p < 0)
            continue;
        nsym[p]++;
        if ((int)fs->v[i].sev > eff[p])
            eff[p] = (int)fs->v[i].sev;
    }

    bool any_fail = false;
    for (size_t i = 0; i < n; i++)
        any_fail |= parent[i] < 0 && eff[i] == TD_SEV_FAIL;
    int root = -1;
    for (size_t i = 0; i < n; i++) {
        const td_finding *f = &fs->v[i];
        if (parent[i] >= 0 || eff[i] < TD_SEV_WARN)
            continue;
        if (any_fail && (eff[i] != TD_SEV_FAIL || hygiene(f)))
            continue;
        if (root < 0) {
            root = (int)i;
            continue;
        }
        int la = layer_of(f), lb = layer_of(&fs->v[root]);
        if (la < lb || (la == lb && nsym[i] > nsym[root]))
            root = (int)i;
    }

    /* The root cause, then everything else fail-first in rule order. */
    size_t k = 0;
    if (root >= 0)
        order[k++] = (size_t)root;
    for (int sev = TD_SEV_FAIL; sev >= TD_SEV_INFO; sev--)
        for (size_t i = 0; i < n; i++)
            if ((int)i != root && (int)fs->v[i].sev == sev)
                order[k++] = i;
    /* A severity outside the enum would be dropped above: keep it last. */
    for (size_t i = 0; i < n && k < n; i++) {
        int s = (int)fs->v[i].sev;
        if ((int)i != root && (s < TD_SEV_INFO || s > TD_SEV_FAIL))
            order[k++] = i;
    }
    for (size_t j = 0; j < n; j++) {
        newpos[order[j]] = (int)j;
        tmp[j] = fs->v[order[j]];
    }
    for (size_t j = 0; j < n; j++) {
        int p = parent[order[j]];
        tmp[j].symptom_of = p >= 0 ? newpos[p] : -1;
    }
    memcpy(fs->v, tmp, n * sizeof *tmp);
    fs->root_cause = root >= 0 ? 0 : -1;

out:
    free(parent);
    free(eff);
    free(nsym);
    free(order);
    free(newpos);
    free(tmp);
}
