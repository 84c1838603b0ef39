#!/usr/bin/env bash
# The extension-rejecting server the replay tests rely on: its own selftest
# (hellos with and without the extension answered, one pair over sockets).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

"$PYTHON" "$ROOT/tests/servers/ext_reject.py" --selftest >"$T/selftest.log" 2>&1
rc=$?
cat "$T/selftest.log"
assert_true "ext_reject.py --selftest passes" test "$rc" -eq 0
finish
