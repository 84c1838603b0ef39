#!/usr/bin/env bash
# SERVER_ALERT: fake_tls.py alert80 answers every hello with a fatal
# internal_error(80) alert, which no more specific finding explains.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

start_fake alert80
run_check "127.0.0.1:$PORT"
assert_finding SERVER_ALERT
assert_severity SERVER_ALERT fail
assert_exit 1
assert_finding_text SERVER_ALERT 'internal_error'
assert_finding_text SERVER_ALERT '(^|[^0-9])80([^0-9]|$)'
assert_no_finding NO_SHARED_CIPHER
assert_no_finding RESET_AFTER_CLIENTHELLO
assert_jq 'vsupported("TLS 1.2") | not' "TLS 1.2 not reported as supported"
assert_jq '.observations.connections > 0' "connections were made"
assert_jq '.observations.baseline.alert.code == 80 and .observations.baseline.alert.level == 2' "baseline got fatal alert 80"
finish
