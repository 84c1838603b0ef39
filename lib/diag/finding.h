/* Findings: what the rules conclude from observations.  IDs come from the
 * catalog (docs/diagnoses.md) and never change meaning. */
#ifndef TD_DIAG_FINDING_H
#define TD_DIAG_FINDING_H

#include <stdbool.h>
#include <stddef.h>

#include "../probe/obs.h"

typedef enum { TD_SEV_INFO = 0, TD_SEV_WARN = 1, TD_SEV_FAIL = 2 } td_severity;

typedef struct td_finding {
    const char *id;      /* static catalog ID, e.g. "NO_SHARED_CIPHER" */
    td_severity sev;
    char *summary;       /* one plain sentence */
    char *evidence;      /* what was sent and what came back */
    char *fix;           /* may be NULL */
    char *verify;        /* a command to paste; may be NULL */
} td_finding;

typedef struct td_findings {
    td_finding *v;
    size_t n, cap;
    bool oom; /* an add ran out of memory: the list may be incomplete */
} td_findings;

const char *td_severity_name(td_severity s); /* "fail", "warn", "info" */
/* Appends a finding; the strings are copied (NULL allowed for fix/verify). */
void td_findings_add(td_findings *fs, const char *id, td_severity sev, const char *summary,
                     const char *evidence, const char *fix, const char *verify);
/* Sorts by severity, fail first, keeping rule order within a severity. */
void td_findings_sort(td_findings *fs);
void td_findings_free(td_findings *fs);

/* The rules: observations in, findings out.  No I/O. */
void td_diagnose(const td_obs *o, td_findings *out);
/* The certificate and identity rules (lib/diag/certs.c), called by
 * td_diagnose once the server was reached over TLS. */
void td_diagnose_certs(const td_obs *o, td_findings *out);

#endif
