#!/usr/bin/env bash
# A healthy certificate set-up for contrast: root -> intermediate -> leaf,
# nginx sending leaf and intermediate in order, TLS 1.2 and 1.3, the root as
# the trust anchor; OCSP not stapled (at most an info).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx curl
make_ca_tree root inter
make_leaf_signed_by inter app.test "sans=DNS:app.test,DNS:www.app.test"
cat_pem app.test inter >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test

assert_true "curl verifies app.test and fetches over TLS" bash -c \
    "curl -sf --max-time 5 --cacert '$T/root.pem' --resolve app.test:$PORT:127.0.0.1 https://app.test:$PORT/ | grep -q ok"
assert_true "s_client: leaf and intermediate sent, verify ok" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -verify_hostname app.test -CAfile '$T/root.pem' 2>&1 \
        | grep -q 'Verify return code: 0 (ok)'"

run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_no_fail
assert_exit 0
assert_jq '.observations.handshake.completed == true and .observations.handshake.version == "TLS 1.3"' "the TLS 1.3 handshake completes"
assert_jq '.observations.handshake.chain | length == 2' "two certificates sent"
assert_jq '.observations.handshake.chain[0].sans == ["DNS:app.test", "DNS:www.app.test"]' "the leaf's SANs"
assert_jq '.observations.handshake.chain[1].subject | test("CN=tlsdiag Test Intermediate inter")' "then the intermediate"
assert_jq '.observations.trust.path.verdict == "ok"' "path verdict: ok"
assert_jq '.observations.trust.path.top_subject | test("CN=tlsdiag Test Root root")' "the path ends in the test root"
assert_jq '.observations.handshake_no_sni.chain[0].sha256 == .observations.handshake.chain[0].sha256' \
    "the same certificate with and without SNI"
assert_jq '[findings_with("OCSP_STAPLING_MISSING")[] | select(.severity != "info")] | length == 0' \
    "OCSP stapling missing is at most an info"
for id in CERT_EXPIRED CERT_NOT_YET_VALID CERT_EXPIRING_SOON CHAIN_CERT_EXPIRED HOSTNAME_MISMATCH NO_SAN \
    CHAIN_INCOMPLETE CHAIN_ORDER SELF_SIGNED UNTRUSTED_CA KEY_TOO_SMALL WEAK_SIGNATURE CERT_PURPOSE \
    SNI_DEFAULT_CERT RESUMPTION_BROKEN INCONSISTENT_BACKENDS; do
    assert_no_finding "$id"
done
finish
