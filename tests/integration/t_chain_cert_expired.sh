#!/usr/bin/env bash
# CHAIN_CERT_EXPIRED: nginx serving a valid leaf and the intermediate that
# signed it, which expired five days ago; the leaf itself is in date.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_root root
make_cert_signed_by root inter ca "cn=tlsdiag Expired Intermediate" \
    "start=$(date_from_now -400)" "end=$(date_from_now -5)"
make_leaf_signed_by inter app.test "start=$(date_from_now -30)" days=300
cat_pem app.test inter >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test

assert_true "openssl verify: error 10 at depth 1 (the intermediate)" bash -c \
    "openssl verify -CAfile '$T/root.pem' -untrusted '$T/inter.pem' '$T/app.test.pem' 2>&1 | grep -q 'error 10 at 1 depth'"
assert_true "the leaf alone is in date" \
    openssl x509 -in "$T/app.test.pem" -noout -checkend 86400
assert_true "s_client with the root as anchor: verify error 10" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 10 '"

run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CHAIN_CERT_EXPIRED
assert_severity CHAIN_CERT_EXPIRED fail
assert_exit 1
assert_finding_text CHAIN_CERT_EXPIRED 'tlsdiag Expired Intermediate'
inter_end=$(cert_day inter end)
assert_jq '.observations.handshake.chain | length == 2' "two certificates sent"
assert_jq ".observations.handshake.chain[1].not_after | startswith(\"$inter_end\")" \
    "the intermediate's not_after is $inter_end"
assert_jq '.observations.trust.path.verdict == "expired"' "path verdict: expired"
assert_no_finding CERT_EXPIRED
assert_no_finding CHAIN_INCOMPLETE
assert_no_finding UNTRUSTED_CA
finish
