#!/usr/bin/env bash
# DNS_FAILURE: a local DNS stub that answers NXDOMAIN for every name,
# given to tlsdiag with --dns-server.  Runs in a private network namespace
# (where available) so no query can reach a real resolver.
ISOLATE_NET=1
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

STUB="$ROOT/tests/servers/dns_stub.py"
[ -f "$STUB" ] || die "missing $STUB"
DNS_PORT=$(free_port udp)
start_bg "$PYTHON" "$STUB" "$DNS_PORT" nxdomain
wait_log "$BG_LOG" '^ready' 10 || die "dns_stub.py did not start"

run_check --dns-server "127.0.0.1:$DNS_PORT" nosuch.example.test:443
assert_finding DNS_FAILURE
assert_severity DNS_FAILURE fail
assert_exit 1
assert_finding_text DNS_FAILURE 'nosuch\.example\.test'
assert_finding_text DNS_FAILURE 'NXDOMAIN|non-?existent|does not exist|no such (name|domain|host)'
assert_no_finding CONNECT_REFUSED
assert_no_finding CONNECT_TIMEOUT
assert_jq '(.observations.connections // 0) == 0' "no TCP connection was attempted"
assert_jq '.observations.dns_error | type == "string" and length > 0' "dns_error is set"
assert_jq '.target.addresses == []' "no address resolved"
finish
