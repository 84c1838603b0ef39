#!/usr/bin/env bash
# Runs tlsdiag's tests: the one command behind `make check` and CI.
#
#   scripts/test.sh [unit|fuzz|integration|san|all]     (default: all)
#
#   unit         make; every build/tests/test_* binary
#   fuzz         make fuzz; every build-fuzz/fuzz_* for FUZZ_SECONDS (5) on a
#                copy of its corpus fuzz/corpus/<name>
#   integration  make; every tests/integration/t_*.sh against build/tlsdiag
#   san          make SAN=1; the unit tests from build-san/tests and the
#                integration tests again against build-san/tlsdiag
#
# Each test prints one line, "PASS name" or "FAIL name" followed by the tail
# of its log; the run ends with the line "N passed, M failed" and exits 1
# when M > 0.  Build steps count as tests too.  Logs stay in tests/tmp/logs/.
#
# Environment: JOBS (integration tests run in parallel, default 2),
# FUZZ_SECONDS (default 5), SAN_INTEGRATION (all|none, default all),
# TEST_FILTER (a regex on test names: run only the matching ones).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
what=${1:-all}
case "$what" in
    unit | fuzz | integration | san | all) ;;
    -h | --help)
        sed -n '2,/^set -uo/p' "$0" | sed -e '/^set -uo/d' -e 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: $0 [unit|fuzz|integration|san|all]" >&2
        exit 2
        ;;
esac

JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-5}
SAN_INTEGRATION=${SAN_INTEGRATION:-all}
TEST_FILTER=${TEST_FILTER:-}
LOGS="$ROOT/tests/tmp/logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"

passed=0
failed=0
failed_names=()
running=()
started=$(date +%s)

stop_running() {
    local p
    for p in "${running[@]}"; do kill -TERM "$p" 2>/dev/null; done
    wait 2>/dev/null
    exit 130
}
trap stop_running INT TERM

# report NAME RC LOG SECONDS
report() {
    local name=$1 rc=$2 log=$3 secs=$4
    # A test script that calls a helper that does not exist would go on
    # and pass: that is a broken test, not a green one.
    if [ "$rc" -eq 0 ] && grep -q ': command not found' "$log" 2>/dev/null; then
        echo "    (the log shows a command that does not exist)" >>"$log"
        rc=1
    fi
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        echo "PASS $name (${secs}s)"
    else
        failed=$((failed + 1))
        failed_names+=("$name")
        if [ "$rc" -eq 124 ]; then
            echo "FAIL $name (${secs}s, timed out)"
        else
            echo "FAIL $name (${secs}s, exit $rc)"
        fi
        tail -n 40 "$log" | sed 's/^/    | /'
    fi
}

selected() {
    [ -z "$TEST_FILTER" ] || [[ $1 =~ $TEST_FILTER ]]
}

# run_one NAME TIMEOUT CMD...: runs a test in the foreground and reports it.
run_one() {
    local name=$1 limit=$2 log t0 rc
    shift 2
    log="$LOGS/${name//[:\/]/_}.log"
    t0=$(date +%s)
    # in the background and waited for, so that an interrupt reaches it
    timeout -k 10 "$limit" "$@" >"$log" 2>&1 </dev/null &
    running=($!)
    wait "${running[0]}"
    rc=$?
    running=()
    report "$name" "$rc" "$log" $(($(date +%s) - t0))
    return "$rc"
}

# build NAME MAKE-ARGS...: a build step, reported like a test.
build() {
    local name=$1
    shift
    run_one "$name" 1500 make "$@"
}

deps() {
    run_one deps 900 scripts/deps.sh test
}

run_unit() { # DIR PREFIX
    local dir=$1 prefix=$2 bin n=0
    for bin in "$dir"/test_*; do
        if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi # also a glob that matched nothing
        selected "$prefix$(basename "$bin")" || continue
        n=$((n + 1))
        run_one "$prefix$(basename "$bin")" 300 "$bin"
    done
    [ $n -gt 0 ] || echo "note: no unit test binary in $dir"
}

# run_integration TLSDIAG PREFIX: every tests/integration/t_*.sh, JOBS at a
# time, each reported as it finishes.
run_integration() {
    local bin=$1 prefix=$2 t name log pid done_pid
    local -A names=() logs=() starts=()
    running=()
    for t in tests/integration/t_*.sh; do
        [ -f "$t" ] || continue
        name="$prefix$(basename "$t" .sh)"
        selected "$name" || continue
        while [ ${#running[@]} -ge "$JOBS" ]; do
            _reap
        done
        log="$LOGS/${name//[:\/]/_}.log"
        TLSDIAG="$bin" timeout -k 10 240 bash "$t" >"$log" 2>&1 </dev/null &
        pid=$!
        running+=("$pid")
        names[$pid]=$name
        logs[$pid]=$log
        starts[$pid]=$(date +%s)
    done
    while [ ${#running[@]} -gt 0 ]; do
        _reap
    done
}

# _reap: waits for one running integration test and reports it (uses the
# caller's names/logs/starts).
_reap() {
    local rc done_pid keep=() p
    wait -n -p done_pid "${running[@]}"
    rc=$?
    [ -n "${done_pid:-}" ] || return 0
    report "${names[$done_pid]}" "$rc" "${logs[$done_pid]}" $(($(date +%s) - ${starts[$done_pid]}))
    for p in "${running[@]}"; do [ "$p" = "$done_pid" ] || keep+=("$p"); done
    running=("${keep[@]}")
}

run_fuzz() {
    local bin name corpus work
    if ! compgen -G "fuzz/fuzz_*.c" >/dev/null; then
        echo "note: no fuzz target in fuzz/"
        return
    fi
    build build-fuzz fuzz -j2 || return
    for bin in build-fuzz/fuzz_*; do
        if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi # also a glob that matched nothing
        name=$(basename "$bin")
        selected "fuzz:$name" || continue
        corpus=""
        for c in "fuzz/corpus/$name" "fuzz/corpus/${name#fuzz_}"; do
            if [ -d "$c" ]; then corpus=$c; break; fi
        done
        work="$ROOT/tests/tmp/fuzz/$name"
        rm -rf "$work"
        mkdir -p "$work/corpus" "$work/artifacts"
        [ -z "$corpus" ] || cp -R "$corpus/." "$work/corpus/"
        run_one "fuzz:$name" $((FUZZ_SECONDS + 120)) "$bin" -max_total_time="$FUZZ_SECONDS" \
            -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$work/artifacts/" "$work/corpus"
    done
}

case "$what" in
    all | unit | integration | san | fuzz) deps ;;
esac

case "$what" in
    unit | integration | all)
        if build build -j2; then
            case "$what" in unit | all) run_unit build/tests "" ;; esac
            case "$what" in integration | all) run_integration "$ROOT/build/tlsdiag" "" ;; esac
        else
            echo "note: build failed: unit and integration tests not run"
        fi
        ;;
esac

case "$what" in
    fuzz | all) run_fuzz ;;
esac

case "$what" in
    san | all)
        if build build-san SAN=1 -j2; then
            export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:halt_on_error=1}
            export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
            run_unit build-san/tests "san:"
            if [ "$SAN_INTEGRATION" = all ]; then
                run_integration "$ROOT/build-san/tlsdiag" "san:"
            fi
        else
            echo "note: sanitizer build failed: its tests not run"
        fi
        ;;
esac

echo
if [ "$failed" -gt 0 ]; then
    echo "failed: ${failed_names[*]}"
fi
echo "total time: $(($(date +%s) - started))s; logs in tests/tmp/logs/"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
