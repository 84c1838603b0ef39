/* Fix texts keyed by finding ID: the advice a finding carries when it is
 * one text whatever was observed, in one table however many rules raise the
 * ID (lib/diag only).  A rule whose advice depends on what it saw (an IP
 * target, the severity, the alert) writes its own, from the phrases below
 * where they fit.
 *
 * Every text names the change for nginx, Apache httpd and HAProxy (the
 * reach-layer faults no server directive causes excepted) and never tells
 * anyone to turn verification off; test_advice checks both. */
#ifndef TD_DIAG_FIXES_H
#define TD_DIAG_FIXES_H

#include "catalog.h"

/* Where server software looks for the reason of a failed handshake. */
#define FIX_LOGS                                                                                              \
    "nginx logs failed handshakes at `error_log /var/log/nginx/error.log info;`, Apache httpd with `LogLevel " \
    "ssl:info`, HAProxy as \"SSL handshake failure\" lines once logging is on (`log` in `global`, `log global` " \
    "in the frontend)"

/* Cipher suites, for the advice that sets them.  TLS 1.2 and below, in the
 * OpenSSL names all three servers take, ECDHE first, AEAD only: */
#define SUITES12                                                                                       \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-" \
    "AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
/* TLS 1.3 (RFC 8446 appendix B.4), which since OpenSSL 1.1.1 is a separate
 * list: `ssl_ciphers`, `SSLCipherSuite` and `ssl-default-bind-ciphers`
 * never touch it. */
#define SUITES13 "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
#define FIX_SUITES13                                                                                            \
    "TLS 1.3 suites are a separate list (OpenSSL 1.1.1+) that the directives above do not touch: nginx 1.19.4+ " \
    "`ssl_conf_command Ciphersuites " SUITES13 ";`, Apache httpd 2.4.37+ `SSLCipherSuite TLSv1.3 " SUITES13      \
    "` (or `SSLOpenSSLConfCmd Ciphersuites " SUITES13 "`), HAProxy 1.9+ `ssl-default-bind-ciphersuites "          \
    SUITES13 "` in `global` (or `ciphersuites` on the bind line)."
/* nginx before 1.29.2 takes the protocol versions of a listen socket from
 * its default server, whatever name the client asks for (OpenSSL picks the
 * version before the SNI callback runs); Apache httpd before 2.4.42 (or
 * with OpenSSL before 1.1.1) likewise from the first VirtualHost. */
#define FIX_DEFAULT_SERVER                                                                                       \
    "nginx before 1.29.2 uses the `ssl_protocols` of the default server of each listen socket for every name on " \
    "it (put the directive at `http` level or into that `default_server`); Apache httpd before 2.4.42 likewise " \
    "the `SSLProtocol` of the first VirtualHost for the address and port."

/* The fix every finding of this ID carries; NULL when the rules write one
 * to fit what they saw. */
const char *td_fix(td_id id);

#endif
