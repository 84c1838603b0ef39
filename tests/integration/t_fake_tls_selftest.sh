#!/usr/bin/env bash
# The fake server the other tests rely on: its own selftest (builds hellos,
# answers them in every mode, parses the answers back, a few over sockets).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

"$PYTHON" "$FAKE_TLS" --selftest >"$T/selftest.log" 2>&1
rc=$?
cat "$T/selftest.log"
assert_true "fake_tls.py --selftest passes" test "$rc" -eq 0
finish
