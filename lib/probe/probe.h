/* Probes: what to ask the server, in which order, and what the answers mean
 * as observations.  Probes build hellos with the wire engine and hand them to
 * the scheduler; they never touch a socket themselves. */
#ifndef TD_PROBE_PROBE_H
#define TD_PROBE_PROBE_H

#include <stdbool.h>

#include "../net/net.h"
#include "../obs/obs.h"
#include "../proxy/proxy.h"

typedef struct td_probe_cfg {
    td_target target;
    const char *sni;        /* NULL or "" = no SNI */
    const td_addr *dns_server; /* NULL = the system's */
    td_sched_opts sched;
    /* full handshakes and certificates */
    const char *ca_file;    /* trust store: NULL for both = the system's */
    const char *ca_path;
    const char *cert_file;  /* client certificate and key to present (PEM), or NULL */
    const char *key_file;
    const char *alpn;       /* comma-separated ALPN list to offer, or NULL */
    unsigned repeat;        /* handshakes to the first address, to compare backends (>= 1) */
    int warn_days;          /* CERT_EXPIRING_SOON window */
    bool no_aia;            /* never fetch a missing issuer over HTTP */
    /* STARTTLS (lib/starttls): the upgrade every connection runs first, NULL none */
    const struct td_starttls_info *starttls;
    /* client simulation: the profiles to run (NULL/0 = every profile) */
    const char *const *clients;
    size_t n_clients;
    /* every connection through this proxy (NULL: straight to the server);
     * proxy_from says where it came from ("--proxy", "https_proxy") */
    const td_proxy *proxy;
    const char *proxy_from;
} td_probe_cfg;

/* Resolves, then runs every probe.  Fills o (which the caller initialised).
 * Returns 0 (even when the server is unreachable: that is an observation),
 * -1 on internal failure. */
int td_probe_run(const td_probe_cfg *cfg, td_obs *o);

/* Turns one connection's result and parsed flight into an attempt. */
void td_attempt_from(td_attempt *a, const td_io_result *io, const td_flight *f);

#endif
