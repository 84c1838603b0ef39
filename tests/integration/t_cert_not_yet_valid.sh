#!/usr/bin/env bash
# CERT_NOT_YET_VALID: nginx serving a leaf whose notBefore is ten days ahead
# (issued with openssl ca -startdate; the clock is not touched).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter app.test "start=$(date_from_now 10)" "end=$(date_from_now 400)"
cat_pem app.test inter >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test

assert_true "openssl verify: the leaf is not yet valid (error 9)" bash -c \
    "openssl verify -CAfile '$T/root.pem' -untrusted '$T/inter.pem' '$T/app.test.pem' 2>&1 | grep -q 'certificate is not yet valid'"
assert_true "s_client with the root as anchor: verify error 9" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 9 '"

run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CERT_NOT_YET_VALID
assert_severity CERT_NOT_YET_VALID fail
assert_exit 1
start_day=$(cert_day app.test start)
assert_jq ".observations.handshake.chain[0].not_before | startswith(\"$start_day\")" \
    "the leaf's not_before is $start_day"
assert_jq '.observations.trust.path.verdict == "not yet valid"' "path verdict: not yet valid"
for id in CERT_EXPIRED CERT_EXPIRING_SOON CHAIN_CERT_EXPIRED CHAIN_INCOMPLETE UNTRUSTED_CA HOSTNAME_MISMATCH; do
    assert_no_finding "$id"
done
finish
