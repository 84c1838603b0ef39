/* The fix texts of the findings whose advice is one text wherever they are
 * raised (fixes.h). */
#include "fixes.h"

#include <stddef.h>

/* Weak suites exist only below TLS 1.3, so the TLS 1.2 directives are the
 * fix; the TLS 1.3 ones are named so nobody looks for them there. */
#define FIX_WEAK_SUITES                                                                                            \
    "Remove the weak suites (they exist only in TLS 1.2 and below): nginx `ssl_ciphers " SUITES12 ";`; Apache "    \
    "httpd `SSLCipherSuite` with the same list; HAProxy `ssl-default-bind-ciphers` with the same list, in "        \
    "`global` (a `ciphers` on the bind line overrides it). " FIX_SUITES13 " After the change, `tlsdiag check` "    \
    "lists every accepted suite again, including ones the local OpenSSL can no longer offer."

static const char *const fixes[TD_ID_COUNT] = {
    [TD_ID_DNS_FAILURE] =
        "Check the spelling of the name; check that the DNS record (A/AAAA, or the CNAME target) exists in the zone "
        "and has propagated; from inside containers check /etc/resolv.conf.",
    [TD_ID_CONNECT_REFUSED] =
        "Start the TLS listener, or fix the port: nginx `listen PORT ssl;`, Apache `Listen PORT` with `SSLEngine "
        "on`, HAProxy `bind :PORT ssl crt ...`. If the service runs, a firewall rejects the connection: open the "
        "port (iptables/nftables, security group).",
    [TD_ID_CONNECT_TIMEOUT] =
        "Check that the address is the server's (DNS may point at an old host), that the host is up, and that no "
        "firewall or security group drops the port; a full listen backlog also drops SYNs.",
    [TD_ID_RESET_AFTER_CLIENTHELLO] =
        "Look at the server's error log at the time of the check (" FIX_LOGS "): a crashing TLS worker, a missing "
        "or unreadable certificate/key (`nginx -t`, `apachectl configtest`, `haproxy -c -f "
        "/etc/haproxy/haproxy.cfg` name it), or a proxy/firewall that cuts TLS (IPS, SNI filtering) all look like "
        "this. If no server log shows the connection, the reset comes from a device in between. If only some hellos "
        "are reset, see VERSION_INTOLERANCE.",
    [TD_ID_CLOSED_AFTER_CLIENTHELLO] =
        "Check the server's error log: nginx logs 'no \"ssl_certificate\" is defined' when `listen ... ssl` has no "
        "certificate (add `ssl_certificate` and `ssl_certificate_key` to that server block); Apache httpd needs "
        "`SSLCertificateFile` and `SSLCertificateKeyFile` beside `SSLEngine on`; HAProxy needs `ssl crt "
        "/etc/haproxy/site.pem` on the bind line (`mode tcp` without it forwards the hello, and a backend with no "
        "server closes). " FIX_LOGS ".",
    [TD_ID_HANDSHAKE_TIMEOUT] =
        "The port may expect another protocol that waits for the client (e.g. a plain HTTP or a database listener), "
        "the server may be overloaded or deadlocked, or a middlebox swallows the hello (MTU problems: hellos larger "
        "than one packet). Make sure the listener speaks TLS: nginx `listen PORT ssl;` (without `ssl` it waits for "
        "an HTTP request), Apache httpd `SSLEngine on` in the VirtualHost for the port, HAProxy `ssl crt "
        "/etc/haproxy/site.pem` on the bind line (a `mode tcp` frontend without it hands the hello to a backend "
        "that may wait). Then check the service's load.",
    [TD_ID_SERVER_PROTOCOL_VIOLATION] =
        "A broken TLS implementation, or a middlebox rewriting traffic, sends what no client can accept: capture "
        "the handshake (`tcpdump -w tls.pcap port PORT`) and compare with the server's own logs (" FIX_LOGS "). "
        "Upgrade the TLS stack, or terminate TLS in front of it on a current nginx (`listen 443 ssl;`), Apache "
        "httpd (`SSLEngine on`) or HAProxy (`bind :443 ssl crt /etc/haproxy/site.pem`). A certificate that is not "
        "DER comes from a broken certificate file: check it with `openssl x509 -in cert.pem -noout -text` before "
        "pointing nginx `ssl_certificate`, Apache httpd `SSLCertificateFile` or the HAProxy `crt` at it.",
    [TD_ID_RATE_LIMITED] =
        "If the limit is meant (flood protection), it works: let monitoring and diagnostic hosts through it, and "
        "run `tlsdiag check --rate 0.5 --deadline 300` (a connection every 2 s) to stay under it. Otherwise find "
        "what cuts the connections: nginx `limit_conn` and `limit_req` (their zones and `burst`), "
        "`worker_connections`, the `backlog=` of `listen`; Apache httpd `MaxRequestWorkers`, `ListenBacklog`, "
        "mod_evasive or mod_qos; HAProxy `maxconn` (global, frontend and server), `rate-limit sessions`, and "
        "`tcp-request connection reject` rules on a `conn_rate` stick table; outside the server iptables or "
        "nftables `hashlimit`, `connlimit` and `recent` rules, fail2ban, a cloud provider's rate limits or DDoS "
        "protection. Connections accepted and then never answered point at a full accept queue "
        "(`net.core.somaxconn`, the listen backlog) or a wedged worker or backend.",
    [TD_ID_PROTOCOL_TOO_OLD] =
        "Enable TLS 1.2 and 1.3: nginx `ssl_protocols TLSv1.2 TLSv1.3;`, Apache httpd `SSLProtocol -all +TLSv1.2 "
        "+TLSv1.3`, HAProxy `ssl-default-bind-options ssl-min-ver TLSv1.2` in `global` (and drop `ssl-min-ver`, "
        "`ssl-max-ver`, `force-tlsv10`, `force-tlsv11` or `no-tlsv12` from bind lines: a bind line's own options "
        "override the default). " FIX_DEFAULT_SERVER " A server stuck below TLS 1.2 is usually an old OpenSSL (< "
        "1.0.1) or appliance firmware: upgrade it.",
    [TD_ID_TLS13_MISSING] =
        "Enable TLS 1.3 (the server's OpenSSL must be 1.1.1 or newer: `nginx -V`, `haproxy -vv` show it): nginx "
        "`ssl_protocols TLSv1.2 TLSv1.3;`, Apache httpd 2.4.37+ `SSLProtocol -all +TLSv1.2 +TLSv1.3`, HAProxy "
        "`ssl-default-bind-options ssl-min-ver TLSv1.2` in `global` (TLS 1.3 is on unless `ssl-max-ver TLSv1.2`, "
        "`no-tlsv13` or `force-tlsv12` is set: remove those). " FIX_DEFAULT_SERVER " Its suites are set apart from "
        "the TLS 1.2 ones; the defaults are fine.",
    [TD_ID_VERSION_INTOLERANCE] =
        "Upgrade the TLS stack or the device in front of the server (load balancer, firewall, IPS) that mishandles "
        "the hello: RFC 8446 section 4.2.1 and RFC 5246 appendix E.1 require a server to negotiate down, not to "
        "drop the connection. Until then, terminate TLS in front of it on a current nginx (`listen 443 ssl;` with "
        "`ssl_protocols TLSv1.2 TLSv1.3;`), Apache httpd (`SSLEngine on`, `SSLProtocol -all +TLSv1.2 +TLSv1.3`) or "
        "HAProxy (`bind :443 ssl crt /etc/haproxy/site.pem`), which all negotiate down correctly.",
    [TD_ID_WEAK_CIPHERS_ONLY] = FIX_WEAK_SUITES,
    [TD_ID_WEAK_CIPHERS_ENABLED] = FIX_WEAK_SUITES,
    [TD_ID_NO_FORWARD_SECRECY] =
        "Offer ECDHE suites (ECDHE-ECDSA for an ECDSA key, ECDHE-RSA for RSA): nginx `ssl_ciphers " SUITES12 ";`; "
        "Apache httpd `SSLCipherSuite` with the same list; HAProxy `ssl-default-bind-ciphers` with the same list, "
        "in `global`. And enable TLS 1.3, where every suite has forward secrecy: nginx `ssl_protocols TLSv1.2 "
        "TLSv1.3;`, Apache httpd `SSLProtocol -all +TLSv1.2 +TLSv1.3`, HAProxy leaves it on unless `ssl-max-ver "
        "TLSv1.2` or `no-tlsv13` is set.",
    [TD_ID_NO_SHARED_GROUP] =
        "Offer the common groups: nginx `ssl_ecdh_curve X25519:prime256v1:secp384r1;`, Apache httpd 2.4.8+ "
        "`SSLOpenSSLConfCmd Curves X25519:prime256v1:secp384r1`, HAProxy `ssl-default-bind-curves "
        "X25519:P-256:P-384` in `global` (or `curves` on the bind line). They apply to TLS 1.2 ECDHE and to TLS 1.3 "
        "key shares alike.",
    [TD_ID_DH_TOO_SMALL] =
        "Use a 2048-bit or larger group, made with `openssl dhparam -out /etc/ssl/dhparam.pem 2048` (or the RFC "
        "7919 ffdhe2048 group): nginx `ssl_dhparam /etc/ssl/dhparam.pem;`; Apache httpd 2.4.8+ `SSLOpenSSLConfCmd "
        "DHParameters \"/etc/ssl/dhparam.pem\"` (without it, 2.4.7+ sizes the group to the certificate's key, "
        "unless DH parameters appended to the `SSLCertificateFile` override that: remove them); HAProxy "
        "`ssl-dh-param-file /etc/ssl/dhparam.pem` in `global` (DH parameters inside a `crt` PEM override it) or "
        "`tune.ssl.default-dh-param 2048`. Dropping the DHE suites instead also removes the finding (ECDHE and TLS "
        "1.3 remain), but then the verify command, which asks for DHE, fails.",
    [TD_ID_SNI_REQUIRED] =
        "If clients without SNI must work, give the listener a default certificate: nginx: mark a server block "
        "`listen 443 ssl default_server;` with `ssl_certificate` (instead of `ssl_reject_handshake on;`); that "
        "default server also decides `ssl_protocols` for every name on the socket before nginx 1.29.2, so give it "
        "the same protocols as the others; Apache httpd: the first VirtualHost for the address:port is the default "
        "(and `SSLStrictSNIVHostCheck off`); HAProxy: the first `crt` on the bind line is the default (drop "
        "`strict-sni`).",
    [TD_ID_SNI_DEFAULT_CERT] =
        "Make the certificate for this name the listener's default: nginx `listen 443 ssl default_server;` in the "
        "server block for the name; Apache: put the name's VirtualHost first for that address:port; HAProxy: its "
        "certificate as the first `crt` on the bind line (or first line of the `crt-list`). Or serve one "
        "certificate that covers every name on the listener.",
    [TD_ID_CLIENT_CERT_REQUIRED] =
        "Give the client a certificate issued by one of the listed CAs (curl `--cert`/`--key`, Java keystore, Go "
        "tls.Config.Certificates); or, if mTLS is not intended: nginx `ssl_verify_client off;` (or `optional`), "
        "Apache `SSLVerifyClient none`, HAProxy drop `verify required` from the bind line.",
    [TD_ID_ALPN_MISMATCH] =
        "Enable the protocol on the TLS listener: nginx 1.25.1+ `http2 on;` in the server block (older: `listen 443 "
        "ssl http2;`); Apache `Protocols h2 http/1.1` with mod_http2 loaded (and not the prefork MPM); HAProxy "
        "`alpn h2,http/1.1` on the bind line. A TLS-terminating proxy in front must pass the protocol through too; "
        "for other protocols, configure the server to accept the ALPN name the clients send.",
    [TD_ID_RENEGOTIATION_INSECURE] =
        "Upgrade the TLS library (every OpenSSL since 0.9.8m supports RFC 5746) or the appliance firmware. nginx, "
        "Apache httpd and HAProxy get it from the OpenSSL they are linked with (`nginx -V`, `apachectl -V` with the "
        "mod_ssl line of the error log at start, `haproxy -vv` name it): rebuild or upgrade them against a current "
        "OpenSSL, or terminate TLS on one of them in front of an appliance that lacks it. GnuTLS: remove "
        "%DISABLE_SAFE_RENEGOTIATION / %UNSAFE_RENEGOTIATION from the priority string.",
    [TD_ID_CERT_EXPIRED] =
        "Renew the certificate and make the server load it: with an ACME client (certbot, acme.sh, lego) find why "
        "renewal stopped (`certbot renew --dry-run`, its timer or cron job); point nginx `ssl_certificate` / "
        "`ssl_certificate_key`, Apache `SSLCertificateFile` / `SSLCertificateKeyFile` or HAProxy `crt` at the new "
        "files and reload (`nginx -s reload`, `apachectl graceful`, `systemctl reload haproxy`): a renewed file is "
        "not served until the server reloads it. Install it on every load balancer, CDN or backend that serves the "
        "name.",
    [TD_ID_CERT_NOT_YET_VALID] =
        "Find the wrong clock. If this machine's clock is behind, fix it (`timedatectl`, chrony/NTP) and check "
        "again: clients with a clock that far behind fail the same way. Otherwise the certificate was issued with a "
        "future start date, usually by a CA or server whose clock runs ahead (a self-run CA, a device that lost its "
        "time): correct that clock, reissue the certificate with a start date in the past, and reload the server "
        "(nginx `ssl_certificate`, Apache `SSLCertificateFile`, HAProxy `crt`).",
    [TD_ID_CERT_EXPIRING_SOON] =
        "Renew it now and reload the server (nginx `ssl_certificate`, Apache `SSLCertificateFile`, HAProxy `crt`, "
        "then `nginx -s reload` / `apachectl graceful` / `systemctl reload haproxy`). Make renewal automatic (an "
        "ACME client's timer renews 30 days ahead) and alert on the expiry date of what the server actually serves, "
        "not of the file on disk.",
    [TD_ID_CHAIN_INCOMPLETE] =
        "Serve the full chain, leaf first, then each intermediate up to (not including) the root: nginx "
        "`ssl_certificate` pointing at leaf + intermediates (an ACME client's fullchain.pem, or `cat leaf.pem "
        "intermediate.pem > fullchain.pem`); Apache 2.4.8+ `SSLCertificateFile` with the intermediates appended "
        "(older: `SSLCertificateChainFile intermediate.pem`); HAProxy `crt` PEM holding leaf, intermediates and "
        "key. Reload, then check that the issuer appears in the verify command's output. The CA's download page or "
        "the leaf's AIA URL gives the intermediate.",
    [TD_ID_CHAIN_CERT_EXPIRED] =
        "Serve the CA's current intermediate instead of the outdated one (CAs publish renewed intermediates; an "
        "ACME client's fullchain.pem carries the current one), and drop expired extras: nginx `ssl_certificate` "
        "pointing at leaf + current intermediates, Apache 2.4.8+ `SSLCertificateFile` with the chain appended "
        "(older: `SSLCertificateChainFile`), HAProxy `crt` PEM holding leaf, intermediates and key; then reload. If "
        "the outdated certificate comes from the clients' trust store, update their CA bundle (ca-certificates, "
        "certifi, the Java cacerts).",
    [TD_ID_SELF_SIGNED] =
        "Get a certificate from a CA the clients trust: a public CA for public services (Let's Encrypt via "
        "certbot/acme.sh), an internal CA whose root the clients hold for internal ones (then check with `--ca-file "
        "ca.pem`). Install it with its chain: nginx `ssl_certificate` fullchain.pem, Apache `SSLCertificateFile` "
        "with the chain appended, HAProxy `crt` PEM with leaf, intermediates and key. Pinning the self-signed "
        "certificate in every client is the only other way.",
    [TD_ID_UNTRUSTED_CA] =
        "If the root is a private or corporate CA, the clients must trust it: check again with `--ca-file "
        "root.pem`, and install it where clients look (Debian: copy it to /usr/local/share/ca-certificates/ and run "
        "`update-ca-certificates`; Java: `keytool -importcert` into the truststore; Python requests: "
        "REQUESTS_CA_BUNDLE; curl: `--cacert`). If the service is public, get a certificate from a publicly trusted "
        "CA and serve its chain (nginx `ssl_certificate` fullchain.pem, Apache `SSLCertificateFile` with the chain "
        "appended, HAProxy `crt` PEM with leaf, intermediates and key).",
    [TD_ID_KEY_TOO_SMALL] =
        "Make a new key of RSA 2048+ bits or ECDSA P-256 (`openssl req -new -newkey rsa:2048` or `-newkey ec "
        "-pkeyopt ec_paramgen_curve:P-256`), have the certificate reissued for it, and point nginx "
        "`ssl_certificate`/`ssl_certificate_key`, Apache `SSLCertificateFile`/`SSLCertificateKeyFile` or HAProxy "
        "`crt` at the new files. A small key in an intermediate or root means an outdated CA chain: get the "
        "CA's current one.",
    [TD_ID_WEAK_SIGNATURE] =
        "Have the certificate reissued with SHA-256 (openssl `x509 -req -sha256`, or any current CA); if an "
        "intermediate is SHA-1-signed, serve the CA's current SHA-256 chain instead (nginx `ssl_certificate` "
        "fullchain.pem, Apache `SSLCertificateFile` with the chain appended, HAProxy `crt` PEM).",
    [TD_ID_CERT_PURPOSE] =
        "Serve a certificate issued for TLS servers: extendedKeyUsage including serverAuth and keyUsage with "
        "digitalSignature (plus keyEncipherment for RSA key exchange); openssl `-addext "
        "extendedKeyUsage=serverAuth -addext keyUsage=critical,digitalSignature,keyEncipherment`. A client, "
        "e-mail or code-signing certificate cannot serve TLS. Point nginx `ssl_certificate`, Apache "
        "`SSLCertificateFile` or HAProxy `crt` at the reissued certificate.",
    [TD_ID_MIDDLEBOX_RESET] =
        "The reset comes from a device between client and server (firewall, IPS, proxy, load balancer), not from "
        "the server software: find the hop whose TTL matches the reset (`traceroute -T -p PORT SERVER`) and "
        "look at its rules and logs for this port, SNI or TLS version (iptables/nftables `REJECT --reject-with "
        "tcp-reset`, an IPS signature, an SNI filter). The server's own logs (nginx error_log, Apache httpd "
        "ErrorLog, HAProxy log) will not show the connection being cut.",
    [TD_ID_LARGE_HELLO_DROPPED] =
        "A device on the path drops large or multi-segment ClientHellos (an MTU black hole where ICMP "
        "\"fragmentation needed\" is filtered, or a filter that cannot reassemble TCP): let ICMP type 3 code 4 "
        "through, clamp the MSS on the router (`iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j "
        "TCPMSS --clamp-mss-to-pmtu`), or update the middlebox. On the client, a smaller hello (no post-quantum "
        "key share, fewer suites) gets through meanwhile.",
    [TD_ID_CLIENT_REJECTED_CERT] =
        "Serve a chain the client can verify: the full chain from the leaf to a root the client trusts (nginx "
        "`ssl_certificate` fullchain.pem, Apache httpd `SSLCertificateFile` with the intermediates appended, "
        "HAProxy `crt` PEM with leaf, intermediates and key), a certificate valid now and naming the host the "
        "client asks for. For a private CA, install its root in the client's trust store (Java keystore, the "
        "OS store, curl --cacert, NODE_EXTRA_CA_CERTS).",
    [TD_ID_CLIENT_ALERT] =
        "The client ended the handshake: the alert names why (see its meaning above). A certificate the "
        "client cannot verify is the most common: serve the full chain (nginx `ssl_certificate` fullchain.pem, "
        "Apache httpd `SSLCertificateFile` with the intermediates, HAProxy `crt` PEM with the chain). For a "
        "version, suite or group the client refuses, align the server's list with what the client offers "
        "(nginx `ssl_protocols`/`ssl_ciphers`, Apache httpd `SSLProtocol`/`SSLCipherSuite`, HAProxy "
        "`ssl-min-ver`/`ciphers`).",
    [TD_ID_CLIENT_CERT_REJECTED] =
        "The server does not accept the client's certificate: issue it from a CA the server trusts, or add that "
        "CA to the server's list (nginx `ssl_client_certificate` and `ssl_verify_depth`, Apache httpd "
        "`SSLCACertificateFile` with `SSLVerifyClient require`, HAProxy `ca-file` on the bind line with `verify "
        "required`); the certificate must be valid now and carry extendedKeyUsage clientAuth. When none was "
        "sent, configure the client with its certificate and key (curl --cert/--key).",
    [TD_ID_OCSP_STAPLING_MISSING] =
        "nginx: `ssl_stapling on; ssl_stapling_verify on;` with `ssl_trusted_certificate` (the chain) and a "
        "`resolver`; Apache: `SSLUseStapling on` in the VirtualHost and `SSLStaplingCache "
        "shmcb:/var/run/ocsp(128000)` outside it; HAProxy 2.8+: `ocsp-update on` on the certificate (crt-list), "
        "older: an .ocsp file next to the PEM. The server must be able to reach the responder.",
    [TD_ID_INCONSISTENT_BACKENDS] =
        "Deploy the same certificate, chain and TLS settings to every server behind the name (the same "
        "`ssl_certificate`, `ssl_protocols` and `ssl_ciphers` in nginx, `SSLCertificateFile`/`SSLProtocol` in "
        "Apache, `crt` and bind options in HAProxy), and reload every node after a renewal. Until a broken server "
        "is fixed, take it out of DNS or the load balancer's pool.",
    [TD_ID_RESUMPTION_BROKEN] =
        "nginx: `ssl_session_cache shared:SSL:10m; ssl_session_timeout 1h; ssl_session_tickets on;` at `http` level "
        "or in the default server of the listen socket, where OpenSSL resumes before nginx picks the server by name "
        "(the default `ssl_session_cache none` promises sessions it never keeps); Apache: `SSLSessionCache "
        "\"shmcb:/var/run/ssl_scache(512000)\"` and `SSLSessionTickets on`; HAProxy: keep `tune.ssl.cachesize` "
        "above 0 and do not set `no-tls-tickets`. Behind a load balancer, every server must share the ticket keys "
        "(nginx `ssl_session_ticket_key`, HAProxy `tls-ticket-keys` on the bind line, Apache "
        "`SSLSessionTicketKeyFile`) and rotate them together.",
};

const char *td_fix(td_id id)
{
    return id > TD_ID_NONE && id < TD_ID_COUNT ? fixes[id] : NULL;
}
