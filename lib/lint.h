/* The td_lint object: what `tlsdiag lint` read and concluded, shared by
 * lib/lint.c (filling it) and lib/report/lint.c (rendering it). */
#ifndef TD_LINT_H
#define TD_LINT_H

#include "diag/finding.h"
#include "obs/conf.h"
#include "registry/mozilla.h"
#include "tlsdiag.h"

struct td_lint {
    int server;              /* td_cserver, or -1: detect */
    char ca_file[4096], ca_path[4096];
    bool ran;
    const td_moz_profile *profile;   /* --profile; NULL none */
    bool live;                       /* --live */
    char live_host[256];             /* --live=HOST; "" the listen addresses */
    td_cobs obs;
    td_findings findings;
    char err[512];
};

#endif
