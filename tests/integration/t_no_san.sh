#!/usr/bin/env bash
# NO_SAN: nginx serving a leaf whose only name is the subject CN app.test,
# with no subjectAltName extension; browsers, Go and others ignore the CN.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_leaf_signed_by inter app.test nosan
cat_pem app.test inter >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test

assert_true "the leaf has no subjectAltName extension" bash -c \
    "! openssl x509 -in '$T/app.test.pem' -noout -text | grep -q 'Subject Alternative Name'"
assert_true "the leaf's subject CN is app.test" bash -c \
    "openssl x509 -in '$T/app.test.pem' -noout -subject | grep -q 'CN = app.test'"
assert_true "s_client with the root as anchor: the chain itself verifies" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 0 (ok)'"

run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding NO_SAN
assert_severity NO_SAN fail
assert_exit 1
assert_jq '.observations.handshake.chain[0].sans == []' "the leaf has no SAN entries"
assert_jq '.observations.handshake.chain[0].subject | test("CN=app\\.test")' "the leaf's CN is app.test"
assert_jq '.observations.trust.path.verdict == "ok"' "the path verifies"
assert_no_finding UNTRUSTED_CA
assert_no_finding CHAIN_INCOMPLETE
finish
