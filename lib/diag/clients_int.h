/* Inside the client verdicts: what judging a client (clients.c) and
 * advising about its failure (remedy.c) share.  Not part of lib/diag's
 * interface; only those two files include it. */
#ifndef TD_DIAG_CLIENTS_INT_H
#define TD_DIAG_CLIENTS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../registry/clients.h"
#include "../registry/registry.h"
#include "../util/str.h"
#include "advice.h"
#include "finding.h"

#define MAX_PROBLEMS  4   /* failures kept per client: the first is the verdict */

/* What went wrong, so the fix and the verify command fit the cause. */
typedef enum {
    K_NONE,
    K_NET,            /* reset / closed / no answer, cause not derivable */
    K_NOT_TLS,        /* the port does not speak TLS: not a client matter */
    K_TCP,            /* TCP failed: the server is unreachable for everyone */
    K_VERSION,
    K_SUITE,
    K_GROUP,
    K_SNI_REQUIRED,   /* hellos without server_name are refused */
    K_ALERT,          /* another alert, cause not derivable */
    K_CHOICE,         /* the server chose something the client did not offer */
    K_DH_SMALL,
    K_DH_LARGE,
    K_CHAIN,
    K_UNTRUSTED,
    K_SELF_SIGNED,
    K_EXPIRED,
    K_NOT_YET_VALID,
    K_PATH_OTHER,
    K_PURPOSE,        /* keyUsage / extendedKeyUsage forbid TLS server use */
    K_MD5,
    K_SHA1,
    K_RSA_SMALL,
    K_NAME,
    K_SNI_CERT,       /* without SNI the server presents a certificate for another name */
    K_CN_ONLY
} kind;

typedef struct problem {
    kind k;
    char step[32];
    char label[64];   /* "no shared protocol version" */
    char why[700];    /* the rest of the sentence: "the server speaks only TLS 1.3, and ..." */
} problem;

typedef struct judgement {
    const td_client *c;
    const td_sim *sim;
    char sname[96];            /* the client's name without its parenthesis, for sentences */
    problem p[MAX_PROBLEMS];
    size_t np;
    bool unknown;
    char unknown_step[32];
    char unknown_why[256];
    uint16_t version, suite, group;
    uint16_t shared_version;   /* the version the server would pick for it (0: none) */
    int small_rsa;             /* chain index of the RSA key below the client's minimum, -1 */
} judgement;

/* The check's facts shared by every client. */
struct jctx {
    const td_obs *o;
    td_findings *out;
    td_advice adv;             /* the target, the name clients check, the store the verdicts used */
    const td_cert *chain;
    size_t n;
    td_cert_info *ci;
    bool dec[TD_FLIGHT_MAX_CERTS];
    bool have_path;
    td_name_check nc;          /* the name against the leaf (with SNI) */
    bool have_nc;
    td_name_check nc_nosni;    /* ... against the leaf presented without SNI */
    bool have_nc_nosni;
    char nosni_subject[256];
    bool any_version_known;    /* version_ok says YES for some version */
};

/* The advice for a client's first failure p (remedy.c): the server change
 * that lets it through, and an s_client command that offers what it offers
 * and fails where it fails. */
void td_remedy_fix(const struct jctx *x, const judgement *j, const problem *p, td_str *f);
void td_remedy_verify(const struct jctx *x, const judgement *j, const problem *p, td_str *v);

/* ---- the client's profile and the server's answers, in numbers ---------- */

static inline bool has16(const uint16_t *v, size_t n, uint16_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

static inline size_t n_versions(const td_client *c)
{
    return c->n_versions < TD_CLIENT_MAX_VERSIONS ? c->n_versions : TD_CLIENT_MAX_VERSIONS;
}

static inline size_t n_suites(const td_client *c)
{
    return c->n_suites < TD_CLIENT_MAX_SUITES ? c->n_suites : TD_CLIENT_MAX_SUITES;
}

static inline size_t n_groups(const td_client *c)
{
    return c->n_groups < TD_CLIENT_MAX_GROUPS ? c->n_groups : TD_CLIENT_MAX_GROUPS;
}

static inline uint16_t client_max(const td_client *c)
{
    uint16_t m = 0;
    for (size_t i = 0; i < n_versions(c); i++)
        if (c->versions[i] > m)
            m = c->versions[i];
    return m;
}

static inline uint16_t client_min(const td_client *c)
{
    uint16_t m = 0xffff;
    for (size_t i = 0; i < n_versions(c); i++)
        if (c->versions[i] < m)
            m = c->versions[i];
    return m == 0xffff ? 0 : m;
}

static inline size_t server_suites_n(const td_obs *o, int vi)
{
    return o->n_suites[vi] < TD_MAX_SUITES ? o->n_suites[vi] : TD_MAX_SUITES;
}

/* The versions the server accepts, newest first; returns how many. */
static inline size_t server_versions(const td_obs *o, uint16_t *out)
{
    size_t k = 0;
    for (int i = TD_NVERSIONS - 1; i >= 0; i--)
        if (o->version_ok[i] == TD_YES)
            out[k++] = td_vat(i);
    return k;
}

static inline bool suite_for(const td_suite *s, uint16_t v)
{
    return s && s->min_version <= v && v <= s->max_version;
}

/* The client offers a suite for version v authenticated by a. */
static inline bool client_has_auth(const td_client *c, uint16_t v, td_auth a)
{
    for (size_t i = 0; i < n_suites(c); i++) {
        const td_suite *s = td_suite_by_id(c->suites[i]);
        if (suite_for(s, v) && s->auth == a)
            return true;
    }
    return false;
}

/* The client's trust store in sentences: "Java cacerts", else "its own". */
static inline const char *store_kind(const td_client *c)
{
    const char *k = td_store_kind_name(c->store);
    return k && k[0] ? k : "its own";
}

static inline bool is_rsa(const td_cert_info *ci)
{
    return strcmp(ci->key_type, "RSA") == 0 || strcmp(ci->key_type, "RSA-PSS") == 0;
}

#endif
