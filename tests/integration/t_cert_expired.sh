#!/usr/bin/env bash
# CERT_EXPIRED: nginx serving a leaf (signed by an intermediate, chain
# complete) whose notAfter was ten days ago; the test's root is the trust
# anchor.  Everything else about the certificate is right.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter app.test "start=$(date_from_now -400)" "end=$(date_from_now -10)"
cat_pem app.test inter >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test

assert_true "openssl verify: the leaf has expired (error 10)" bash -c \
    "openssl verify -CAfile '$T/root.pem' -untrusted '$T/inter.pem' '$T/app.test.pem' 2>&1 | grep -q 'certificate has expired'"
assert_true "s_client with the root as anchor: verify error 10" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 10 '"

run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CERT_EXPIRED
assert_severity CERT_EXPIRED fail
assert_exit 1
end_day=$(cert_day app.test end)
assert_jq ".observations.handshake.chain[0].not_after | startswith(\"$end_day\")" \
    "the leaf's not_after is $end_day"
assert_jq '.observations.handshake.chain[0].subject | test("CN=app.test")' "chain[0] is the leaf"
assert_jq '.observations.trust.path.verdict == "expired"' "path verdict: expired"
for id in CERT_EXPIRING_SOON CERT_NOT_YET_VALID CHAIN_CERT_EXPIRED CHAIN_INCOMPLETE UNTRUSTED_CA \
    HOSTNAME_MISMATCH SELF_SIGNED; do
    assert_no_finding "$id"
done
finish
