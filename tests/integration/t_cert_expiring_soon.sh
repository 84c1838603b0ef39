#!/usr/bin/env bash
# CERT_EXPIRING_SOON: nginx serving a valid leaf that expires in ten days:
# inside the default warning window (21 days), outside --warn-days 5.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter app.test "start=$(date_from_now -80)" days=10
cat_pem app.test inter >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test

assert_true "s_client with the root as anchor: the chain verifies today" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 0 (ok)'"
assert_true "openssl x509 -checkend: expires within 21 days" bash -c \
    "! openssl x509 -in '$T/app.test.pem' -noout -checkend $((21 * 86400)) >/dev/null"
assert_true "openssl x509 -checkend: still valid in 5 days" \
    openssl x509 -in "$T/app.test.pem" -noout -checkend $((5 * 86400))

CASE="default window"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CERT_EXPIRING_SOON
assert_severity CERT_EXPIRING_SOON warn
assert_no_fail
assert_exit 0
end_day=$(cert_day app.test end)
assert_jq ".observations.handshake.chain[0].not_after | startswith(\"$end_day\")" \
    "the leaf's not_after is $end_day"
assert_jq '.observations.trust.path.verdict == "ok"' "path verdict: ok"
assert_no_finding CERT_EXPIRED

CASE="--warn-days 5"
run_check --warn-days 5 --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_no_finding CERT_EXPIRING_SOON
assert_no_finding CERT_EXPIRED
assert_exit 0

CASE="--warn-days 30, 10 days left"
run_check --warn-days 30 --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding CERT_EXPIRING_SOON
finish
