#!/usr/bin/env bash
# Client simulation against a DHE-only TLS 1.2 server with the 1024-bit
# RFC 2409 group: clients built on OpenSSL 3 (whose default security
# level wants 2048-bit groups) fail at the ServerKeyExchange, with a reason
# naming the DH size; clients that accept 1024-bit groups (OpenSSL 1.0.2)
# get through.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

need_clients openssl-3 openssl-1.0.2
make_leaf server
make_dh1024 "$T/dh1024.pem"
start_s_server -no_tls1_3 -cipher 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256@SECLEVEL=0' \
    -dhparam "$T/dh1024.pem"
assert_true "s_server uses a 1024-bit DH group" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT -cipher 'DHE-RSA-AES128-GCM-SHA256@SECLEVEL=0' 2>&1 | grep -q 'Server Temp Key: DH, 1024 bits'"
assert_true "a default OpenSSL 3 client refuses it" bash -c \
    "echo | timeout 5 openssl s_client -connect 127.0.0.1:$PORT 2>&1 | grep -q 'dh key too small'"

run_check --ca-file "$T/ca.pem" "127.0.0.1:$PORT"
assert_finding DH_TOO_SMALL
assert_client openssl-3 fail
assert_client_incompatible openssl-3
assert_client_reason openssl-3 dh
assert_jq '[.clients[] | select(.id == "openssl-3")][0] | (.step == "ServerKeyExchange") and (.reason | test("DH|Diffie|1024"; "i"))' \
    "openssl-3 fails at ServerKeyExchange, for the DH size"
assert_client openssl-1.0.2 ok
assert_jq '[.clients[] | select(.id == "openssl-1.0.2")][0].suite | test("DHE|0x009e|0x009f|0x0033|0x0039|0x0067|0x006b"; "i")' \
    "openssl-1.0.2 negotiated a DHE suite"
# Every client that gets as far as the key exchange and fails there fails for the DH size.
assert_jq '[.clients[] | select(.result == "fail" and .step == "ServerKeyExchange")] | all(.reason | test("DH|Diffie|1024"; "i"))' \
    "ServerKeyExchange failures name the DH size"
# From the data file: which profiles offer one of the server's (DHE) suites,
# and the smallest group each accepts.
SERVER_SUITES='"0x009e", "0x009f", "0x0033", "0x0039", "0x0067", "0x006b"'
DH_STRICT=$(profiles_where "any(.suites[]; IN($SERVER_SUITES)) and .min_dh_bits > 1024")
DH_OK=$(profiles_where "any(.suites[]; IN($SERVER_SUITES)) and .min_dh_bits <= 1024 and (.max_dh_bits == 0 or .max_dh_bits >= 1024)")
NO_DHE=$(profiles_where "any(.suites[]; IN($SERVER_SUITES)) | not")
echo "  refuse 1024-bit groups: $DH_STRICT"
echo "  accept them: $DH_OK"
echo "  offer no DHE suite: $NO_DHE"
assert_true "openssl-3 refuses 1024-bit groups, openssl-1.0.2 accepts them (data file)" \
    bash -c "grep -qw openssl-3 <<<'$DH_STRICT' && grep -qw openssl-1.0.2 <<<'$DH_OK'"
for c in $DH_STRICT; do
    assert_client "$c" fail
    assert_client_reason "$c" dh
done
for c in $DH_OK; do assert_client "$c" ok; done
for c in $NO_DHE; do
    assert_client "$c" fail
    assert_client_reason "$c" suite
done
finish
