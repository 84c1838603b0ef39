/* Checking through a proxy: where the connections go, the proxy's lead-in
 * on every one of them, and the one handshake made without it to compare
 * the certificate chains. */
#ifndef TD_PROBE_VIA_H
#define TD_PROBE_VIA_H

#include "../net/net.h"
#include "../obs/obs.h"
#include "probe.h"

/* What the scheduler's chain points into: lives as long as the jobs. */
typedef struct td_via {
    td_proxy_leadin_cfg lcfg;
    td_addr addr;
    td_leadin chain[1];
} td_via;

/* Fills o->proxy and resolves the proxy; then the target's addresses
 * (o->addrs) when the proxy takes addresses (socks5), or the proxy's
 * address as the one address connected to when it takes names (HTTP
 * CONNECT, socks5h: the target is never resolved here).  Returns 1 when
 * the probes can run, 0 when a name did not resolve (o says which). */
int td_via_prepare(const td_probe_cfg *cfg, td_obs *o, td_via *v);
/* After the probes: the main handshake again, straight to the server, when
 * it went through the proxy and the target may be resolved here (not with
 * socks5h); fills o->proxy.direct, or direct_note with why not. */
void td_via_direct(const td_probe_cfg *cfg, td_obs *o);

#endif
