#!/usr/bin/env bash
# VERSION_INTOLERANCE: fake_tls.py intolerant, a TLS 1.0-1.2 server that
# resets the connection when a hello offers anything above TLS 1.2
# (supported_versions or legacy_version), and answers older-style hellos.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server
start_fake intolerant --cert "$T/server.der"
assert_true "a TLS 1.3 hello is reset" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT 2>&1 | grep -qE 'errno=104|reset'"
assert_true "a TLS 1.2 hello is answered" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -msg 2>&1 | grep -q '<<< .*ServerHello\$'"

run_check "127.0.0.1:$PORT"
assert_finding VERSION_INTOLERANCE
assert_exit_consistent
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported (older-style hello answered)"
assert_jq 'vsupported("TLS 1.3") | not' "TLS 1.3 not supported"
assert_jq '.observations.baseline.outcome == "reset"' "the modern baseline hello was reset"
assert_jq '.observations.version_intolerance.futurever.outcome == "reset"' "the future-version hello was reset"
assert_jq '.observations.version_intolerance.oldstyle.outcome == "hello"' "the old-style hello was answered"
assert_jq 'vsuites("TLS 1.2") | has_code(156; ["TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"])' \
    "TLS 1.2 suites include 0x009c"
finish
