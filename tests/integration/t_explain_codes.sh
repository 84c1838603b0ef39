#!/usr/bin/env bash
# tlsdiag explain as a command: codes (alert, x509, openssl 1.1 and 3, curl),
# texts on the command line and standard input, server log lines, texts
# that show verification turned off, the exit status, and the time taken.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# explain_args ARGS...: `tlsdiag explain --json ARGS` into $OUT and $RC.
explain_args() {
    echo "${CASE:+[$CASE] }\$ tlsdiag explain --json $*"
    timeout 20 "$TLSDIAG" explain --json "$@" >"$OUT" 2>"$T/err.txt"
    RC=$?
    echo "  exit $RC; candidates: $(jq -r '[.candidates[]?.id] | join(" ")' "$OUT" 2>/dev/null)"
}

CASE="alert 48"
explain_args alert 48
assert_exit 0
assert_cause CLIENT_CERT_REJECTED
assert_jq '.alert.code == 48 and .alert.name == "unknown_ca"' "alert 48 is unknown_ca"

CASE="x509 20"
explain_args x509 20
assert_cause CHAIN_INCOMPLETE 2
assert_cause UNTRUSTED_CA 2
assert_jq '.step == "cert" and .stopped_by == "client"' "the client stopped at the certificate"

CASE="openssl 3 and 1.1"
explain_args openssl 0A000086
assert_cause CHAIN_INCOMPLETE
explain_args openssl 14090086
assert_cause CHAIN_INCOMPLETE
explain_args openssl 0A000102
assert_cause PROTOCOL_TOO_OLD 2
CASE="curl 60"
explain_args curl 60
assert_cause CHAIN_INCOMPLETE 2

CASE="bad codes"
for bad in "alert 999" "x509 abc" "openssl 0B07C065" "curl 0" "nosuch 1"; do
    # shellcheck disable=SC2086  # two words on purpose
    explain_args $bad
    if [ "$bad" = "nosuch 1" ]; then assert_exit 1; else assert_exit 2; fi
done

CASE="nothing known"
explain_args "the build passed, all is well"
assert_exit 1
assert_jq '.candidates == [] and .input.recognised == 0' "no candidate, nothing recognised"

CASE="issue texts"
explain_args 'curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to shop.example:443'
assert_cause RESET_AFTER_CLIENTHELLO 2
assert_jq '.target.host == "shop.example" and .target.port == 443' "host and port from the text"
assert_jq '.next == "tlsdiag check shop.example:443"' "the deciding check"
explain_args 'javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target'
assert_cause CHAIN_INCOMPLETE 2
assert_jq '.software.name == "java"' "Java wrote it"
explain_args 'Get "https://api.example:8443/v1": x509: certificate signed by unknown authority'
assert_cause UNTRUSTED_CA
assert_jq '.software.name == "go" and .target.host == "api.example" and .target.port == 8443' "Go, host and port"
explain_args "Error: unable to verify the first certificate { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }"
assert_cause CHAIN_INCOMPLETE
assert_jq '.software.name == "node"' "Node.js wrote it"
explain_args '2026/12/07 11:00:00 [info] 1234#1234: *5 SSL_do_handshake() failed (SSL: error:0A000102:SSL routines::unsupported protocol) while SSL handshaking, client: 10.1.2.3, server: 0.0.0.0:443'
assert_cause CLIENT_INCOMPATIBLE
assert_jq '.writer == "server" and .software.name == "nginx" and .step == "version"' "nginx, server side, version"
explain_args 'Dec  7 11:00:00 lb haproxy[1234]: 10.1.2.3:50000 [07/Dec/2026:11:00:00.123] fe/1: Connection closed during SSL handshake'
assert_cause CLIENT_REJECTED_CERT 2
assert_cause CLIENT_ALERT 2
explain_args 'System.Security.Authentication.AuthenticationException: The remote certificate is invalid because of errors in the certificate chain: PartialChain'
assert_cause CHAIN_INCOMPLETE
explain_args 'This site can’t provide a secure connection  net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH'
assert_cause PROTOCOL_TOO_OLD 2
explain_args 'Error code: SEC_ERROR_UNKNOWN_ISSUER'
assert_cause CHAIN_INCOMPLETE 2

CASE="verification turned off"
explain_args '$ curl -sk https://10.1.2.3:8443/ -v
* SSL certificate verify result: unable to get local issuer certificate (20), continuing anyway.'
assert_jq '.verification_disabled.how == "curl -k" and (.verification_disabled.why_not | test("attacker"))' \
    "curl -k is named, and why not"
assert_jq '[.candidates[].fix] | all(test("-k|--insecure|verify=False|rejectUnauthorized|NODE_TLS_REJECT") | not)' \
    "no fix says to turn verification off"
printf '%s\n' 'r = requests.get("https://app.test/", verify=False)' \
    "InsecureRequestWarning: Unverified HTTPS request is being made to host 'app.test'." >"$T/py.txt"
run_explain "$T/py.txt"
assert_jq '.verification_disabled != null' "verify=False is seen"
explain_args "Warning: Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' makes TLS connections and HTTPS requests insecure by disabling certificate verification."
assert_jq '.verification_disabled != null' "NODE_TLS_REJECT_UNAUTHORIZED=0 is seen"

CASE="stdin, a stack trace"
cat >"$T/trace.txt" <<'TRACE'
Exception in thread "main" javax.net.ssl.SSLHandshakeException: Received fatal alert: handshake_failure
	at java.base/sun.security.ssl.Alert.createSSLException(Alert.java:131)
	at java.base/sun.security.ssl.Alert.createSSLException(Alert.java:117)
	at java.base/sun.security.ssl.TransportContext.fatal(TransportContext.java:365)
	at java.base/java.net.HttpURLConnection.getResponseCode(HttpURLConnection.java:527)
	at Main.main(Main.java:9)
TRACE
run_explain "$T/trace.txt"
assert_exit 0
assert_jq '.input.lines == 6 and .input.recognised == 1' "one line of six recognised"
assert_cause NO_SHARED_CIPHER 2
assert_jq '.alert.code == 40 and .alert.sent_by == "server"' "the server sent handshake_failure"

CASE="hostile input"
head -c 200000 /dev/urandom >"$T/noise.bin"
printf '\ncurl: (60) SSL certificate problem: certificate has expired\n' >>"$T/noise.bin"
run_explain "$T/noise.bin"
assert_exit 0
assert_cause CERT_EXPIRED

CASE="text output"
"$TLSDIAG" explain --no-color 'SSL_ERROR_BAD_CERT_DOMAIN' >"$T/text.txt" 2>&1
assert_true "the text names the cause, its fix and the next command" \
    grep -q 'HOSTNAME_MISMATCH' "$T/text.txt"
assert_true "the fix is there" grep -q '^Fix (HOSTNAME_MISMATCH):' "$T/text.txt"
assert_true "the next command is there" grep -q '^Next: tlsdiag check' "$T/text.txt"

finish
