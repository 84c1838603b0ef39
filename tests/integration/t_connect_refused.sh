#!/usr/bin/env bash
# CONNECT_REFUSED: a free port with nothing listening on it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

PORT=$(free_port tcp)
assert_true "nothing listens on 127.0.0.1:$PORT" \
    bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null"

run_check "127.0.0.1:$PORT"
assert_finding CONNECT_REFUSED
assert_severity CONNECT_REFUSED fail
assert_exit 1
assert_finding_text CONNECT_REFUSED "$PORT"
assert_no_finding CONNECT_TIMEOUT
assert_no_finding HANDSHAKE_TIMEOUT
assert_jq '[.observations.versions[]? | select(.supported == true)] | length == 0' \
    "no version reported as supported"
assert_jq '.observations.baseline.outcome == "refused"' "baseline attempt was refused"
assert_elapsed_below 20
finish
