/* The insides of the public opaque types. */
#ifndef TD_CHECK_H
#define TD_CHECK_H

#include "../include/tlsdiag.h"
#include "diag/finding.h"
#include "obs/obs.h"
#include "probe/probe.h"

struct td_options {
    td_target target;
    bool port_given;   /* the target named its port; else 443, or the --starttls protocol's */
    char sni[256];
    bool sni_set;      /* --sni given */
    bool no_sni;
    char ca_file[4096];
    char ca_path[4096];
    char cert_file[4096];
    char key_file[4096];
    char alpn[sizeof ((td_obs *)0)->alpn_offered]; /* the observations echo it whole */
    unsigned repeat;   /* default 4 */
    int warn_days;     /* default 21 */
    bool show_certs;
    bool no_aia;
    double timeout_s;  /* per step, default 5 */
    double deadline_s; /* whole check, default 60 */
    unsigned max_conns;/* default 8 */
    bool max_conns_set;/* --max-connections given: kept through an upgrade too */
    double rate;       /* new connections a second at most, 0 = no limit (default) */
    td_addr dns_server; /* its address and port */
    bool dns_server_set;
    const char *clients[TD_MAX_CLIENTS]; /* --client: profile ids (the registry's static strings) */
    size_t n_clients;
    td_client_level clients_level; /* --clients, default intermediate */
    td_proxy proxy;     /* --proxy; scheme NONE: none */
    bool proxy_env;     /* --proxy-env: https_proxy, all_proxy, no_proxy as curl reads them */
    char proxy_cacert[4096]; /* --proxy-cacert: the https:// proxy's CA, "" the system store */
    bool proxy_insecure;     /* --proxy-insecure: the https:// proxy's certificate is not checked */
    td_obs_expect expect; /* --expect-issuer, --pin */
    const struct td_starttls_info *starttls; /* --starttls, NULL: none (a greeting may pick one) */
    char error[256];    /* td_options_error(): "" when the last call succeeded */
};

struct td_report {
    td_obs obs;
    td_findings findings;
    td_client_table clients; /* one verdict per simulated client profile */
    char target[300]; /* as the user wrote it, normalised: host:port */
    bool show_certs;  /* the text report adds each certificate's PEM */
};

/* What the probes are asked to do for these options; the strings point into
 * o, which must outlive cfg. */
void td_check_probe_cfg(const td_options *o, td_probe_cfg *cfg);

/* td_check() of o against one address already resolved, as a state
 * machine on pool beside other checks (quick: td_probe_cfg.quick).  o is
 * copied.  store: the trust store o's --ca-file/--ca-path name, already
 * loaded and shared by the checks of a scan (it must outlive them), or
 * NULL to load it for this check.  done(arg, r) is called once from the
 * pool's loop with the report (the callee's to free), or NULL on internal
 * failure.  Returns 0, or -1 when it could not start (done is then not
 * called). */
typedef struct td_check_run td_check_run;
typedef void (*td_check_done)(void *arg, td_report *r);
int td_check_start(const td_options *o, const td_addr *addr, bool quick, struct td_store *store, td_pool *pool,
                   td_check_done done, void *arg);

#endif
