#!/usr/bin/env bash
# Client simulation against an ECDSA-only server: an ECDSA P-256 leaf,
# TLS 1.0 to 1.2 (no TLS 1.3, whose suites do not depend on the key),
# ECDHE-ECDSA suites only.  Clients that offer no ECDHE-ECDSA suite (old
# IoT stacks) fail at the ServerHello with CLIENT_INCOMPATIBLE, for the
# suites; browsers get through.  TLS 1.0 and 1.1 stay on so that a TLS
# 1.0-only client meets the suite problem rather than a version one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_clients old-iot chrome firefox safari
make_leaf server "" ec256
SUITES=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA
# security level 0: OpenSSL 3 allows TLS 1.0 and 1.1 only there
start_s_server -no_tls1_3 -cipher "$SUITES:@SECLEVEL=0"
assert_true "the server's key is EC P-256" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT 2>&1 | grep -qE 'Peer signature type: ECDSA'"
assert_true "the server refuses RSA-authenticated suites" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -cipher 'aRSA@SECLEVEL=0' 2>&1 | grep -q 'Cipher is (NONE)'"
assert_true "the server speaks TLS 1.0 with ECDHE-ECDSA-AES128-SHA" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1 -cipher 'ECDHE-ECDSA-AES128-SHA@SECLEVEL=0' 2>&1 | grep -q 'Cipher is ECDHE-ECDSA-AES128-SHA'"

run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_client old-iot fail
assert_client_incompatible old-iot
assert_client_reason old-iot suite
for c in chrome firefox safari; do
    assert_client "$c" ok
    assert_jq "[.clients[] | select(.id == \"$c\")][0].suite | test(\"ECDHE_ECDSA\")" \
        "$c negotiated an ECDHE-ECDSA suite"
done
assert_jq '[.clients[] | select(.result == "ok")] | all(.suite | test("ECDHE_ECDSA"))' \
    "every client that gets through uses an ECDHE-ECDSA suite"
# From the data file: the profiles offering none of the server's suites
# fail, for the suites; every other one gets through.
SERVER_SUITES='"0xc02b", "0xc02c", "0xcca9", "0xc023", "0xc024", "0xc009", "0xc00a"'
NOECDSA=$(profiles_where "any(.suites[]; IN($SERVER_SUITES)) | not")
SHARING=$(profiles_where "any(.suites[]; IN($SERVER_SUITES))")
echo "  profiles without the server's suites: ${NOECDSA:-none}"
assert_true "old-iot is among them" grep -qw old-iot <<<"$NOECDSA"
for c in $NOECDSA; do
    assert_client "$c" fail
    assert_client_reason "$c" suite
done
for c in $SHARING; do assert_client "$c" ok; done
finish
