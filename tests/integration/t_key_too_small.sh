#!/usr/bin/env bash
# KEY_TOO_SMALL: openssl s_server (at security level 0, so it agrees to load
# it) serving a leaf with a 1024-bit RSA key, with its intermediate.  OpenSSL
# 3 clients at their default security level refuse it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_ca_tree root inter
make_leaf_signed_by inter app.test key=rsa1024
start_s_server_cert app.test app.test -cert_chain "$T/inter.pem" -cipher 'DEFAULT:@SECLEVEL=0'

assert_true "the leaf's key is RSA 1024" bash -c \
    "openssl x509 -in '$T/app.test.pem' -noout -text | grep -q 'Public-Key: (1024 bit)'"
assert_true "s_client at its default level: EE certificate key too weak (error 66)" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -servername app.test -CAfile '$T/root.pem' 2>&1 | grep -q 'Verify return code: 66 '"

run_check --sni app.test --ca-file "$T/root.pem" "127.0.0.1:$PORT"
assert_finding KEY_TOO_SMALL
assert_severity KEY_TOO_SMALL fail
assert_exit 1
assert_finding_text KEY_TOO_SMALL '1024'
assert_jq '.observations.handshake.chain[0] | .key_type == "RSA" and .key_bits == 1024' "the leaf's key: RSA 1024"
assert_jq '.observations.handshake.chain[1].key_bits == 2048' "the intermediate's key: 2048"
assert_jq '.observations.trust.path.small_key_depth == 0' "the small key is at depth 0"
assert_no_finding CHAIN_INCOMPLETE
assert_no_finding UNTRUSTED_CA
finish
