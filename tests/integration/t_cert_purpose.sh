#!/usr/bin/env bash
# CERT_PURPOSE: nginx serving a leaf whose extendedKeyUsage is clientAuth
# only: a valid, trusted certificate that may not authenticate a TLS server.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter app.test eku=clientAuth
cat_pem app.test inter >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test

assert_true "openssl verify -purpose sslserver: unsuitable certificate purpose (error 26)" bash -c \
    "openssl verify -purpose sslserver -CAfile '$T/root.pem' -untrusted '$T/inter.pem' '$T/app.test.pem' 2>&1 | grep -q 'error 26'"
assert_true "openssl verify -purpose sslclient: ok" bash -c \
    "openssl verify -purpose sslclient -CAfile '$T/root.pem' -untrusted '$T/inter.pem' '$T/app.test.pem' | grep -q ': OK'"
assert_true "s_client with the root as anchor: verify error 26" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 26 '"

run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CERT_PURPOSE
assert_severity CERT_PURPOSE fail
assert_exit 1
assert_finding_text CERT_PURPOSE 'serverAuth|server auth|TLS server'
assert_jq '.observations.trust.path.verdict != "ok"' "the path does not verify for a server"
assert_jq '.observations.trust.path.verdict != "incomplete chain" and .observations.trust.path.verdict != "untrusted root"' \
    "... for another reason than the chain"
assert_no_finding CHAIN_INCOMPLETE
assert_no_finding UNTRUSTED_CA
assert_no_finding HOSTNAME_MISMATCH
finish
