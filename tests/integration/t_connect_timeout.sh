#!/usr/bin/env bash
# CONNECT_TIMEOUT: a listener with backlog 0 that never accepts, its accept
# queue already full, so the kernel drops further SYNs unanswered.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

cat >"$T/blackhole.py" <<'PY'
import signal, socket, sys, time
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.bind(("127.0.0.1", 0))
ls.listen(0)
port = ls.getsockname()[1]
# fill the accept queue: these connections are never accepted
fillers = []
for _ in range(3):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setblocking(False)
    c.connect_ex(("127.0.0.1", port))
    fillers.append(c)
time.sleep(0.5)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
print("ready %d" % port, flush=True)
while True:
    time.sleep(60)
PY
start_bg "$PYTHON" "$T/blackhole.py"
wait_log "$BG_LOG" '^ready [0-9]+$' 10 || die "blackhole listener did not start"
PORT=$(sed -n 's/^ready \([0-9]*\)$/\1/p' "$BG_LOG")

# the fault itself: a connect() that gets no answer
timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
assert_true "a plain connect to 127.0.0.1:$PORT hangs (killed by timeout)" test $? = 124

run_check --timeout 1 --deadline 30 "127.0.0.1:$PORT"
assert_finding CONNECT_TIMEOUT
assert_severity CONNECT_TIMEOUT fail
assert_exit 1
assert_no_finding CONNECT_REFUSED
assert_no_finding HANDSHAKE_TIMEOUT
assert_jq '[.observations.versions[]? | select(.supported == true)] | length == 0' \
    "no version reported as supported"
# --timeout 1 bounds each connect: the run must not take the whole deadline
assert_jq '.observations.baseline.outcome == "connect-timeout"' "baseline attempt timed out connecting"
assert_elapsed_below 25
finish
