/* Findings: what the rules conclude from observations.  IDs come from the
 * catalog (catalog.h, docs/diagnoses.md) and never change meaning. */
#ifndef TD_DIAG_FINDING_H
#define TD_DIAG_FINDING_H

#include <stdbool.h>
#include <stddef.h>

#include "../obs/obs.h"
#include "catalog.h"
#include "../util/str.h"

typedef struct td_finding {
    td_id id;            /* catalog ID, e.g. TD_ID_NO_SHARED_CIPHER */
    td_severity sev;
    /* The typed cause, for machines and for the ranking: why (a client's
     * failing reason), whose (the simulated client's index in the
     * observations' sims[]) and which certificate (index in the chain
     * judged); TD_REASON_NONE and -1 when they do not apply. */
    td_reason reason;
    int client;
    int cert;
    char *summary;       /* one plain sentence */
    char *evidence;      /* what was sent and what came back */
    char *fix;           /* may be NULL */
    char *verify;        /* a command to paste; may be NULL */
    int symptom_of;      /* index of the finding that explains this one, -1 when it stands alone
                            (set by td_rank_findings) */
} td_finding;

typedef struct td_findings {
    td_finding *v;
    size_t n, cap;
    bool oom; /* an add ran out of memory: the list may be incomplete */
    int root_cause; /* index of the root cause after td_rank_findings, -1 none */
} td_findings;

const char *td_severity_name(td_severity s); /* "fail", "warn", "info" */
/* Appends a finding; the strings are copied (NULL allowed for fix/verify).
 * Returns it, so the caller can set the typed cause, or NULL when out of
 * memory (fs->oom is then set). */
td_finding *td_findings_add(td_findings *fs, td_id id, td_severity sev, const char *summary,
                            const char *evidence, const char *fix, const char *verify);
/* The same, taking the text the rules build (td_str): summary, evidence and
 * verify are emptied and freed whatever happens (evidence and verify may
 * be NULL). */
td_finding *td_findings_take(td_findings *fs, td_id id, td_severity sev, td_str *summary, td_str *evidence,
                             const char *fix, td_str *verify);
/* Sorts by severity, fail first, keeping rule order within a severity. */
void td_findings_sort(td_findings *fs);
void td_findings_free(td_findings *fs);

/* The rules: observations in, findings out.  No I/O. */
void td_diagnose(const td_obs *o, td_findings *out);
/* The certificate and identity rules (lib/diag/certs.c), called by
 * td_diagnose once the server was reached over TLS. */
void td_diagnose_certs(const td_obs *o, td_findings *out);
/* RATE_LIMITED (lib/diag/limits.c), from td_obs.limit; called by
 * td_diagnose once the server answered. */
void td_diagnose_limits(const td_obs *o, td_findings *out);

/* PROXY_FAILURE (lib/diag/proxy.c), from td_obs.proxy.  True when the
 * proxy stopped the check before the server was reached: td_diagnose then
 * judges nothing above it. */
bool td_diagnose_proxy(const td_obs *o, td_findings *out);
/* TLS_INTERCEPTED (lib/diag/intercept.c): a certificate from elsewhere than
 * the server (a proxy's CA, another chain than seen directly, not the
 * issuer or key expected); called with the certificate rules. */
void td_diagnose_intercept(const td_obs *o, td_findings *out);

/* The --cert handshake ran and the full handshake saw a CertificateRequest:
 * lib/diag/certs.c then reports the request and the verdict on the
 * certificate in one CLIENT_CERT_REQUIRED, and rules.c stays silent. */
static inline bool td_client_cert_reported(const td_obs *o)
{
    return o->client_cert_given && o->hs_client.out != TD_OUT_NOT_RUN && o->hs.cert_request;
}

/* Client simulation verdicts (lib/diag/clients.c): one per simulated
 * profile, and a CLIENT_INCOMPATIBLE finding per failing client. */
typedef enum { TD_CV_OK, TD_CV_FAIL, TD_CV_UNKNOWN } td_cv_result;
typedef struct td_client_verdict {
    const td_client *client;
    td_cv_result result;
    char step[32];          /* where it fails: "TCP", "ClientHello", "ServerHello",
                               "ServerKeyExchange", "Certificate" */
    char reason[256];       /* one plain sentence; "" when it works */
    td_reason reason_code;  /* the same, typed; TD_REASON_NONE when it works or is unknown */
    uint16_t version, suite, group; /* negotiated, as far as it got */
    bool below_level;       /* below the level asked for (td_obs.clients_level) and not named
                               with --client: its failure is expected, reported as info */
} td_client_verdict;
typedef struct td_client_table {
    td_client_verdict v[TD_MAX_CLIENTS];
    size_t n;
} td_client_table;
void td_judge_clients(const td_obs *o, td_client_table *t, td_findings *out);

/* Orders the findings so the root cause comes first and marks the findings
 * it explains (lib/diag/rank.c).  Call after every rule has run. */
void td_rank_findings(const td_obs *o, td_findings *fs);

/* The rules for one connection seen in a capture (lib/diag/capture.c). */
struct td_capobs;
void td_diagnose_capture(const struct td_capobs *o, td_findings *out);
/* The certificate rules (lib/diag/certs.c) on the chain a captured
 * connection carried, when its client refused the handshake (a
 * CLIENT_REJECTED_CERT or CLIENT_ALERT in out), with the verdict of the
 * system's store the capture reader put in o->trust (nothing without it;
 * lib/diag/capcerts.c).  The
 * name is judged against the SNI the client sent; without one, no verdict
 * on the name is kept (what the client was told to reach is not in the
 * capture).  cc remembers the last few chains, so a capture of many
 * connections verifies each chain once. */
typedef struct td_capcerts td_capcerts;
td_capcerts *td_capcerts_new(void);
void td_capcerts_free(td_capcerts *cc);
void td_diagnose_capture_certs(const struct td_capobs *o, td_capcerts *cc, td_findings *out);

#endif
