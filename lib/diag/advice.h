/* The advice context: what every fix and verify command is written from,
 * taken once from the observations (lib/diag only).  The target as a client
 * dials it, the name a client checks, the SNI the check sent and the trust
 * store its verdicts were made with; and from those, the pieces the
 * commands share: the s_client prefix and the trust-store options of
 * s_client and curl.
 *
 * The commands are pasted into a shell, so whatever comes from the server
 * or the user is written bare only when no shell would read it differently
 * (td_shell_safe), quoted otherwise, and left out when it cannot be quoted. */
#ifndef TD_DIAG_ADVICE_H
#define TD_DIAG_ADVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../obs/obs.h"

typedef struct td_advice {
    const char *host;           /* the target as given */
    uint16_t port;
    char connect[300];          /* "host:port", "[v6]:port" (td_host_port) */
    const char *name;           /* what clients check the certificate against: the SNI, else the host */
    const char *sni;            /* the SNI the check sent, "" none */
    const td_store_opts *store; /* the store the verdicts used; both empty: the system store */

    /* s_client's option sending the SNI the check sent: " -servername N", or "" */
    char servername[300];
    /* "openssl s_client -connect T -servername N", SNI as the check sent it,
     * then " -starttls P" when the check went through STARTTLS */
    char sclient[1500];
    /* the same sending no SNI: " -noservername" when the check sent one */
    char sclient_nosni[1100];
    /* s_client's options for the store: " -CAfile F", " -CApath D", both, or
     * "" for the system store, so a verify command judges trust the way the
     * check did; a path holding a single quote is left out */
    char ca_opt[sizeof(td_store_opts) + 32];
    /* the same for curl: " --cacert F", " --capath D" */
    char curl_ca[sizeof(td_store_opts) + 32];
    /* curl's options for the proxy the check went through: " -x URL", and
     * " --proxy-user USER" (curl then asks for the password); "" none.
     * s_client speaks only HTTP CONNECT: sclient and sclient_nosni carry
     * " -proxy HOST:PORT" (with -proxy_user and the password from
     * $PROXY_PASSWORD) for an http:// proxy, nothing for SOCKS; sclient_proxy
     * is that option alone. */
    char curl_proxy[900];
    char sclient_proxy[700];
} td_advice;

/* Fills a from o; a points into o, which must outlive it. */
void td_advice_init(td_advice *a, const td_obs *o);

/* s is non-empty and made only of characters no shell treats specially. */
bool td_shell_safe(const char *s);

/* host as s_client -connect, curl's --resolve and URLs take it: an IPv6
 * address in brackets, then ":port" unless port is 0.  Returns buf. */
const char *td_host_port(char *buf, size_t cap, const char *host, unsigned port);

#endif
