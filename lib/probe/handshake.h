/* Full handshakes through OpenSSL, and the certificate verdicts they feed.
 *
 * The hand-built hellos of probe.c stop at the server's first flight; some
 * facts need the handshake to finish: the TLS 1.3 certificate chain, OCSP
 * staples, whether a client certificate is accepted, ALPN, resumption, and
 * what each backend presents.  These handshakes run as TLS jobs on the same
 * scheduler as every other probe.  Loading the trust store and the client
 * certificate is file I/O, so it happens here, in the probe layer, and the
 * rules only read the verdicts. */
#ifndef TD_PROBE_HANDSHAKE_H
#define TD_PROBE_HANDSHAKE_H

#include "../net/net.h"
#include "../obs/obs.h"
#include "confirm.h"
#include "probe.h"

typedef struct td_hsrun td_hsrun;

/* Prepares the client contexts and loads the trust store.  A store or
 * client certificate that cannot be loaded is recorded in the observations
 * (store_error, hs_client.error), not fatal.  The handshakes go through cf
 * (a cut one is asked again before it counts), the AIA fetch straight to
 * s.  NULL only when out of memory. */
td_hsrun *td_hsrun_new(const td_probe_cfg *cfg, td_obs *o, td_sched *s, td_confirm *cf, const td_addr *addr);
/* Queues the handshakes; called once the server is known to speak TLS. */
void td_hsrun_start(td_hsrun *h);
/* After the scheduler has run: verdicts for a chain seen only in a raw TLS
 * 1.2 flight (when no full handshake completed). */
void td_hsrun_finish(td_hsrun *h);
void td_hsrun_free(td_hsrun *h);
/* Appends the certificates the peer sent (DER copies) to d->chain. */
void td_hs_take_chain(td_hs *d, SSL *ssl);

#endif
