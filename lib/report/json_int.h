/* The parts of the check's JSON report that other JSON reports share, so
 * a finding reads the same whichever command wrote it.  Internal to
 * lib/report. */
#ifndef TD_REPORT_JSON_INT_H
#define TD_REPORT_JSON_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "diag/finding.h"

/* The "findings" array (obs may be NULL: no client profiles to name) and
 * the "root_cause" object or null; *err is set when memory ran out. */
json_t *td_json_findings(const td_findings *fs, const td_obs *obs, bool *err);
json_t *td_json_root_cause(const td_findings *fs, bool *err);

#endif
