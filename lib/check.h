/* The insides of the public opaque types. */
#ifndef TD_CHECK_H
#define TD_CHECK_H

#include "../include/tlsdiag.h"
#include "diag/finding.h"
#include "probe/obs.h"

struct td_options {
    char host[256];
    uint16_t port;
    bool host_is_ip;
    char sni[256];
    bool sni_set;      /* --sni given */
    bool no_sni;
    char ca_file[4096];
    double timeout_s;  /* per step, default 5 */
    double deadline_s; /* whole check, default 60 */
    unsigned max_conns;/* default 8 */
    char dns_server[128];
};

struct td_report {
    td_obs obs;
    td_findings findings;
    char target[300]; /* as the user wrote it, normalised: host:port */
};

#endif
