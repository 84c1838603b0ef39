/* The configuration rules of `tlsdiag lint`: configuration observations
 * (lib/obs/conf.h) in, findings with a location and an exact edit out.
 * No I/O: the files were read by lib/conf. */
#ifndef TD_DIAG_LINT_H
#define TD_DIAG_LINT_H

#include "diag/finding.h"
#include "obs/conf.h"
#include "registry/mozilla.h"

/* With a profile, the CONFIG_PROFILE_DEVIATION items too (lint_profile.c). */
void td_lint_rules(const td_cobs *o, const td_moz_profile *profile, td_findings *out);

#endif
