#!/usr/bin/env bash
# WEAK_SIGNATURE: openssl s_server (at security level 0, so it agrees to load
# it) serving a leaf its intermediate signed with SHA-1, with the
# intermediate (SHA-256).  OpenSSL 3 clients at their default level refuse it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_ca_tree root inter
make_leaf_signed_by inter app.test md=sha1
start_s_server_cert app.test app.test -cert_chain "$T/inter.pem" -cipher 'DEFAULT:@SECLEVEL=0'

assert_true "the leaf is signed sha1WithRSAEncryption" bash -c \
    "openssl x509 -in '$T/app.test.pem' -noout -text | grep -q 'Signature Algorithm: sha1WithRSAEncryption'"
assert_true "s_client at its default level: CA signature digest algorithm too weak (error 68)" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 68 '"

run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding WEAK_SIGNATURE
assert_severity WEAK_SIGNATURE fail
assert_exit 1
assert_finding_text WEAK_SIGNATURE 'SHA-?1'
assert_jq '.observations.handshake.chain[0] | (.sig_alg | test("sha1"; "i")) and .sig_weak == true' \
    "the leaf's signature: SHA-1, weak"
assert_jq '.observations.handshake.chain[1].sig_weak == false' "the intermediate's signature is not weak"
assert_jq '.observations.trust.path.weak_sig_depth == 0' "the weak signature is at depth 0"
assert_no_finding KEY_TOO_SMALL
assert_no_finding CHAIN_INCOMPLETE
finish
