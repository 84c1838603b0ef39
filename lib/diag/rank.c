/* Root-cause ranking: which finding explains the others.
 *
 * The rules report every fault they see; a user fixing them needs to know
 * which one to fix first and which ones will go away with it.  This file
 * orders the list so the root cause comes first and links each symptom to
 * the finding that explains it.  No I/O: only the findings and the
 * observations they came from.
 *
 * The knowledge, bottom-up through the stack, because a failure low in the
 * stack hides everything above it:
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

/* ---- CLIENT_INCOMPATIBLE reasons ------------------------------------------
 *
 * The contract with lib/diag/clients.c (td_judge_clients): a
 * CLIENT_INCOMPATIBLE finding names one client and why it fails.  The
 * reason is read, in this order, from
 *   1. a marker in the evidence, "reason code: CODE", CODE being one of the
 *      words in reason_codes[] below (stable, for machines);
 *   2. failing that, keywords in the summary, then in the evidence (the
 *      plain sentence written for people).
 * The client itself is recognised by its profile name or id appearing in
 * the summary or evidence; that only refines which finding explains a
 * reset (the client's suites against the server's), never whether it is
 * linked at all. */
typedef enum {
    R_NONE, R_VERSION, R_SUITE, R_GROUP, R_DH, R_KEY, R_CHAIN, R_TRUST, R_SELF_SIGNED,
    R_HOSTNAME, R_CN_ONLY, R_EXPIRED, R_NOT_YET_VALID, R_SIGNATURE, R_PURPOSE, R_SNI,
    R_RESET, R_CLOSED, R_TIMEOUT, R_ALERT
} reason;

static const struct {
    const char *code;
    reason r;
} reason_codes[] = {
    { "version", R_VERSION },      { "suite", R_SUITE },
    { "group", R_GROUP },          { "dh", R_DH },
    { "key", R_KEY },              { "chain", R_CHAIN },
    { "trust", R_TRUST },          { "self-signed", R_SELF_SIGNED },
    { "hostname", R_HOSTNAME },    { "cn-only", R_CN_ONLY },
    { "expired", R_EXPIRED },      { "not-yet-valid", R_NOT_YET_VALID },
    { "signature", R_SIGNATURE },  { "purpose", R_PURPOSE },
    { "sni", R_SNI },              { "reset", R_RESET },
    { "closed", R_CLOSED },        { "timeout", R_TIMEOUT },
    { "alert", R_ALERT },
};

#define MARKER "reason code: "

static reason from_marker(const char *ev)
{
    const char *m = ev ? strstr(ev, MARKER) : NULL;
    if (!m)
        return R_NONE;
    m += sizeof MARKER - 1;
    size_t len = 0;
    while ((m[len] >= 'a' && m[len] <= 'z') || m[len] == '-')
        len++;
    for (size_t i = 0; i < sizeof reason_codes / sizeof reason_codes[0]; i++)
        if (strlen(reason_codes[i].code) == len && strncmp(reason_codes[i].code, m, len) == 0)
            return reason_codes[i].r;
    return R_NONE;
}

/* Case-insensitive substring search over ASCII. */
static bool has(const char *hay, const char *needle)
{
    if (!hay)
        return false;
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t k = 0;
        while (k < n && p[k]) {
            char a = p[k], b = needle[k];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z')
                b = (char)(b - 'A' + 'a');
            if (a != b)
                break;
            k++;
        }
        if (k == n)
            return true;
    }
    return false;
}

/* "DH" at the start of a word (DH, DHE, "DH group"), case-sensitive: the
 * letters inside other words must not count. */
static bool has_dh(const char *s)
{
    if (!s)
        return false;
    /* ECDHE, where a letter comes before, is elliptic-curve key exchange:
     * a group matter. */
    for (const char *p = strstr(s, "DH"); p; p = strstr(p + 1, "DH"))
        if (p == s || !((p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= 'a' && p[-1] <= 'z')))
            return true;
    return has(s, "diffie-hellman") || has(s, "ffdhe");
}

/* The most specific reasons first: "the chain ends in a self-signed root"
 * is trust, not a chain fault; "DH group" is DH, not a curve. */
static reason from_words(const char *s)
{
    if (!s || !*s)
        return R_NONE;
    if (has(s, "self-signed") || has(s, "self signed"))
        return R_SELF_SIGNED;
    if (has(s, "not yet valid") || has(s, "not valid yet"))
        return R_NOT_YET_VALID;
    if (has(s, "expired"))
        return R_EXPIRED;
    /* "does not trust the root of the chain" is trust; "cannot build a
     * chain to a trusted root" is the chain. */
    if (has(s, "does not trust") || has(s, "not trusted") || has(s, "untrusted"))
        return R_TRUST;
    if (has(s, "intermediate") || has(s, "chain") || has(s, "issuer"))
        return R_CHAIN;
    if (has(s, "trust store") || has(s, "root"))
        return R_TRUST;
    if (has(s, "subject cn") || has(s, "common name") || has(s, "ignores the cn"))
        return R_CN_ONLY;
    if (has(s, "hostname") || has(s, "host name") || has(s, "subjectaltname") || has(s, "does not cover"))
        return R_HOSTNAME;
    if (has_dh(s))
        return R_DH;
    if (has(s, "key too small") || has(s, "-bit rsa") || has(s, "rsa key") || has(s, "ecdsa key") ||
        has(s, "bit key"))
        return R_KEY;
    if (has(s, "sha-1") || has(s, "sha1") || has(s, "md5") || has(s, "signature"))
        return R_SIGNATURE;
    if (has(s, "purpose") || has(s, "extendedkeyusage") || has(s, "key usage"))
        return R_PURPOSE;
    if (strstr(s, "SNI") || has(s, "server name"))
        return R_SNI;
    if (has(s, "shared version") || has(s, "protocol version") || has(s, "common version"))
        return R_VERSION;
    /* "no TLS 1.2 suite in common" is about suites: named before versions. */
    if (has(s, "suite") || has(s, "cipher"))
        return R_SUITE;
    if (has(s, "group") || has(s, "curve"))
        return R_GROUP;
    if (has(s, "version") || has(s, "tls 1.") || has(s, "sslv3"))
        return R_VERSION;
    /* Upper case only: "rst" and "fin" hide in ordinary words. */
    if (has(s, "reset") || strstr(s, "RST"))
        return R_RESET;
    if (has(s, "closes") || has(s, "closed") || strstr(s, "FIN"))
        return R_CLOSED;
    if (has(s, "timeout") || has(s, "timed out") || has(s, "no answer") || has(s, "never answers"))
        return R_TIMEOUT;
    if (has(s, "alert"))
        return R_ALERT;
    return R_NONE;
}

static reason client_reason(const td_finding *f)
{
    reason r = from_marker(f->evidence);
    if (r == R_NONE)
        r = from_words(f->summary);
    if (r == R_NONE)
        r = from_words(f->evidence);
    return r;
}

/* ---- what explains what ---------------------------------------------------- */

static bool is(const td_finding *f, const char *id)
{
    return f->id && strcmp(f->id, id) == 0;
}

static int find_id(const td_findings *fs, const char *id)
{
    for (size_t i = 0; i < fs->n; i++)
        if (is(&fs->v[i], id))
            return (int)i;
    return -1;
}

/* The first of the IDs that is present, -1 when none. */
static int first_of(const td_findings *fs, const char *const *ids)
{
    for (; *ids; ids++) {
        int k = find_id(fs, *ids);
        if (k >= 0)
            return k;
    }
    return -1;
}
#define FIRST(fs, ...) first_of(fs, (const char *const[]){ __VA_ARGS__, NULL })

static int layer_of(const td_finding *f)
{
    static const struct {
        const char *id;
        int layer;
    } t[] = {
        { "DNS_FAILURE", 0 },
        { "CONNECT_REFUSED", 1 }, { "CONNECT_TIMEOUT", 1 },
        { "NOT_TLS", 2 },
        { "RESET_AFTER_CLIENTHELLO", 3 }, { "CLOSED_AFTER_CLIENTHELLO", 3 }, { "HANDSHAKE_TIMEOUT", 3 },
        { "VERSION_INTOLERANCE", 4 }, { "PROTOCOL_TOO_OLD", 4 }, { "NO_SHARED_CIPHER", 4 },
        { "NO_SHARED_GROUP", 4 }, { "SERVER_ALERT", 4 },
        { "CHAIN_INCOMPLETE", 5 }, { "UNTRUSTED_CA", 5 }, { "SELF_SIGNED", 5 }, { "CERT_EXPIRED", 5 },
        { "CERT_NOT_YET_VALID", 5 }, { "HOSTNAME_MISMATCH", 5 }, { "CHAIN_CERT_EXPIRED", 5 },
        { "CERT_PURPOSE", 5 }, { "KEY_TOO_SMALL", 5 }, { "WEAK_SIGNATURE", 5 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (is(f, t[i].id))
            return t[i].layer;
    /* certs.c gives CHAIN_ORDER severity fail only when the leaf is not
     * sent first (RFC 8446 section 4.4.2): then every certificate verdict
     * is about the wrong certificate. */
    if (is(f, "CHAIN_ORDER") && f->sev == TD_SEV_FAIL)
        return 5;
    return 6;
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

/* The simulated client a CLIENT_INCOMPATIBLE finding names, or NULL. */
static const td_sim *named_sim(const td_obs *o, const td_finding *f)
{
    if (!o)
        return NULL;
    for (size_t i = 0; i < o->n_sims && i < TD_MAX_CLIENTS; i++) {
        const td_client *c = o->sims[i].client;
        if (!c)
            continue;
        if ((c->name && c->name[0] && (strstr(f->summary, c->name) || strstr(f->evidence, c->name))) ||
            (c->id && c->id[0] && (strstr(f->summary, c->id) || strstr(f->evidence, c->id))))
            return &o->sims[i];
    }
    return NULL;
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
    int vi = find_id(fs, "VERSION_INTOLERANCE"), nc = find_id(fs, "NO_SHARED_CIPHER");
    if (vi < 0 || nc < 0)
        return vi >= 0 ? vi : nc;
    const td_sim *s = f && is(f, "CLIENT_INCOMPATIBLE") ? named_sim(o, f) : NULL;
    if (s && s->client && !client_shares_suite(o, s->client))
        return nc;
    return vi;
}

static int explained_by(const td_findings *fs, const td_obs *o, size_t i, bool succeeds)
{
    const td_finding *f = &fs->v[i];

    if (is(f, "CLIENT_INCOMPATIBLE")) {
        switch (client_reason(f)) {
        /* Only a server below TLS 1.2 is a server-side version fault; a
         * TLS 1.3-only server failing Java 8 is a fact about that client,
         * so the finding stands as its own cause. */
        case R_VERSION: return find_id(fs, "PROTOCOL_TOO_OLD");
        case R_SUITE: return FIRST(fs, "NO_SHARED_CIPHER", "WEAK_CIPHERS_ONLY");
        case R_GROUP: return find_id(fs, "NO_SHARED_GROUP");
        /* A group too large for the client (Java 7 stops at 1024 bits) is
         * no fault of the server's: it stands alone. */
        case R_DH:
            if (has(f->summary, "at most") || has(f->summary, "too large"))
                return -1;
            return find_id(fs, "DH_TOO_SMALL");
        case R_KEY: return find_id(fs, "KEY_TOO_SMALL");
        case R_CHAIN: return FIRST(fs, "CHAIN_INCOMPLETE", "CHAIN_ORDER", "CHAIN_CERT_EXPIRED");
        case R_TRUST: return FIRST(fs, "UNTRUSTED_CA", "SELF_SIGNED", "CHAIN_INCOMPLETE");
        case R_SELF_SIGNED: return FIRST(fs, "SELF_SIGNED", "UNTRUSTED_CA");
        case R_HOSTNAME: return FIRST(fs, "HOSTNAME_MISMATCH", "NO_SAN", "SNI_DEFAULT_CERT");
        case R_CN_ONLY: return FIRST(fs, "NO_SAN", "HOSTNAME_MISMATCH");
        case R_EXPIRED: return FIRST(fs, "CERT_EXPIRED", "CHAIN_CERT_EXPIRED");
        case R_NOT_YET_VALID: return FIRST(fs, "CERT_NOT_YET_VALID", "CHAIN_CERT_EXPIRED");
        case R_SIGNATURE: return find_id(fs, "WEAK_SIGNATURE");
        case R_PURPOSE: return find_id(fs, "CERT_PURPOSE");
        case R_SNI: return FIRST(fs, "SNI_REQUIRED", "SNI_DEFAULT_CERT");
        case R_RESET:
        case R_CLOSED:
        case R_TIMEOUT:
        case R_ALERT: {
            int k = refusal_cause(fs, o, f, succeeds);
            if (k >= 0)
                return k;
            if (client_reason(f) == R_ALERT)
                return find_id(fs, "SERVER_ALERT");
            return FIRST(fs, "RESET_AFTER_CLIENTHELLO", "CLOSED_AFTER_CLIENTHELLO", "HANDSHAKE_TIMEOUT");
        }
        case R_NONE: return -1;
        }
        return -1;
    }

    if (is(f, "RESET_AFTER_CLIENTHELLO") || is(f, "CLOSED_AFTER_CLIENTHELLO") || is(f, "HANDSHAKE_TIMEOUT") ||
        is(f, "SERVER_ALERT"))
        return refusal_cause(fs, o, NULL, succeeds);

    /* A server stuck below TLS 1.2 necessarily accepts only legacy
     * versions and lacks TLS 1.3: one fault, said three ways. */
    if (is(f, "LEGACY_PROTOCOL_ENABLED") || is(f, "TLS13_MISSING"))
        return find_id(fs, "PROTOCOL_TOO_OLD");
    /* "Modern clients share no suite" already says the list is all weak. */
    if (is(f, "WEAK_CIPHERS_ONLY"))
        return find_id(fs, "NO_SHARED_CIPHER");

    /* With an issuer in the leaf's place, every verdict on "the leaf" is
     * about the wrong certificate. */
    static const char *const leaf_verdicts[] = {
        "HOSTNAME_MISMATCH", "NO_SAN", "CERT_EXPIRED", "CERT_NOT_YET_VALID", "CERT_EXPIRING_SOON",
        "CHAIN_INCOMPLETE", "UNTRUSTED_CA", "SELF_SIGNED", "CHAIN_CERT_EXPIRED", "KEY_TOO_SMALL",
        "WEAK_SIGNATURE", "CERT_PURPOSE", NULL,
    };
    for (const char *const *p = leaf_verdicts; *p; p++)
        if (is(f, *p)) {
            int co = find_id(fs, "CHAIN_ORDER");
            if (co >= 0 && fs->v[co].sev == TD_SEV_FAIL)
                return co;
            break;
        }
    /* A name only in the CN is why the name does not match for clients
     * that ignore the CN: the mismatch is what they see. */
    if (is(f, "NO_SAN"))
        return find_id(fs, "HOSTNAME_MISMATCH");
    return -1;
}

/* ---- ordering ---------------------------------------------------------------- */

static bool hygiene(const td_finding *f)
{
    return is(f, "LEGACY_PROTOCOL_ENABLED") || is(f, "WEAK_CIPHERS_ENABLED");
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
