#!/usr/bin/env bash
# SELF_SIGNED: nginx serving a self-signed leaf for app.test (no CA behind
# it), checked against the system trust store and against a test root
# given with --ca-file: neither holds it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_self_signed app.test
make_root root
start_nginx_tls app.test app.test

assert_true "the leaf is its own issuer and its signature verifies with its own key" bash -c \
    "openssl verify -CAfile '$T/app.test.pem' '$T/app.test.pem' | grep -q ': OK'"
assert_true "s_client with the system store: self-signed certificate (error 18)" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test 2>&1 | grep -q 'Verify return code: 18 '"

CASE="system store"
run_check --sni app.test "127.0.0.1:$PORT"
assert_finding SELF_SIGNED
assert_severity SELF_SIGNED fail
assert_exit 1
assert_jq '.observations.handshake.chain | length == 1' "one certificate sent"
assert_jq '.observations.handshake.chain[0] | .subject == .issuer and .self_signed == true and .is_ca == false' \
    "the leaf is self-signed, not a CA"
assert_jq '.observations.trust.path.verdict == "self-signed leaf"' "path verdict: self-signed leaf"
assert_jq '.observations.trust.store | test("system")' "the system store was used"
assert_no_finding UNTRUSTED_CA
assert_no_finding CHAIN_INCOMPLETE
assert_no_finding HOSTNAME_MISMATCH

CASE="--ca-file of another root"
run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding SELF_SIGNED
assert_severity SELF_SIGNED fail
assert_jq '.observations.trust.path.verdict == "self-signed leaf"' "path verdict: self-signed leaf"
assert_no_finding UNTRUSTED_CA
finish
