#!/usr/bin/env bash
# UNTRUSTED_CA: nginx sending a complete chain (leaf, intermediate and the
# root itself) from the test hierarchy "root", checked with --ca-file
# holding only an unrelated root "other": the chain ends in a root the store
# lacks.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_cmd nginx
make_ca_tree root inter
make_root other "tlsdiag Other Root"
make_leaf_signed_by inter app.test
cat_pem app.test inter root >"$T/served.pem"
start_nginx_tls "$T/served.pem" app.test

assert_true "s_client trusting the other root: self-signed certificate in chain (error 19)" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/other.pem' 2>&1 | grep -q 'Verify return code: 19 '"
assert_true "s_client trusting the right root: ok" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 0 (ok)'"

run_check --sni app.test --ca-file "$T/other.pem" "127.0.0.1:$PORT"
assert_finding UNTRUSTED_CA
assert_severity UNTRUSTED_CA fail
assert_exit 1
assert_finding_text UNTRUSTED_CA 'tlsdiag Test Root root'
assert_finding_text UNTRUSTED_CA 'other\.pem'
assert_jq '.observations.trust.path.verdict == "untrusted root"' "path verdict: untrusted root"
assert_jq '.observations.trust.path.top_subject | test("CN=tlsdiag Test Root root")' "the path ends in the test root"
assert_jq '.observations.trust.store | test("other\\.pem")' "the store is the given ca-file"
assert_jq '.observations.handshake.chain | length == 3' "three certificates sent"
assert_no_finding CHAIN_INCOMPLETE
assert_no_finding SELF_SIGNED
assert_jq '[findings_with("CHAIN_ORDER")[] | select(.severity != "info")] | length == 0' \
    "the root sent along is in order (at most an info)"
finish
