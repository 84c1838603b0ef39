#!/usr/bin/env bash
# LEGACY_PROTOCOL_ENABLED: servers that still accept old versions beside
# current ones.
#   1. openssl s_server, TLS 1.0 to 1.3 (security level 0)
#   2. fake_tls.py sslv2 (SSLv2 beside TLS 1.0-1.2)
#   3. fake_tls.py sslv3
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

make_leaf server

CASE=s_server-tls10-13
start_s_server -cipher 'DEFAULT@SECLEVEL=0'
assert_true "s_server accepts TLS 1.0" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -tls1 -cipher 'DEFAULT@SECLEVEL=0' 2>&1 | grep -q 'Protocol *: TLSv1\$'"
run_check "127.0.0.1:$PORT"
assert_finding LEGACY_PROTOCOL_ENABLED
assert_severity LEGACY_PROTOCOL_ENABLED warn
assert_finding_text LEGACY_PROTOCOL_ENABLED 'TLS ?(v)?1\.0'
assert_jq 'vsupported("TLS 1.0")' "TLS 1.0 supported"
assert_jq 'vsupported("TLS 1.1")' "TLS 1.1 supported"
assert_jq 'vsupported("TLS 1.3")' "TLS 1.3 supported"
assert_jq 'vsupported("SSLv3") | not' "SSLv3 not supported"
assert_no_finding PROTOCOL_TOO_OLD
assert_no_finding TLS13_MISSING
stop_bg "$BG_PID"

CASE=fake-sslv2
start_fake sslv2 --cert "$T/server.der"
run_check "127.0.0.1:$PORT"
assert_finding LEGACY_PROTOCOL_ENABLED
assert_severity LEGACY_PROTOCOL_ENABLED warn
assert_finding_text LEGACY_PROTOCOL_ENABLED 'SSL ?v?2'
assert_jq 'vsupported("SSLv2")' "SSLv2 supported"
assert_jq '[.observations.sslv2_specs[]?.id] | sort == ["0x010080", "0x030080", "0x0700c0"]' \
    "the three SSLv2 cipher specs the server lists"
assert_jq 'vsupported("TLS 1.2")' "TLS 1.2 supported"
assert_no_finding PROTOCOL_TOO_OLD
stop_bg "$BG_PID"

CASE=fake-sslv3
start_fake sslv3 --cert "$T/server.der"
run_check "127.0.0.1:$PORT"
assert_finding LEGACY_PROTOCOL_ENABLED
assert_finding_text LEGACY_PROTOCOL_ENABLED 'SSL ?v?3'
assert_jq 'vsupported("SSLv3")' "SSLv3 supported"
assert_jq 'vsupported("SSLv2") | not' "SSLv2 not supported"
finish
