#!/usr/bin/env bash
# tlsdiag scan over a local fleet: one nginx listening on 1,024 loopback
# endpoints (4 addresses x 256 ports, three certificates: trusted, self
# signed, wrong name), faulty servers (a reset after the ClientHello, a
# closed port) and bad input lines.  Checks that every target's root cause
# equals a single check of it (a sample), that four shards merged equal one
# run, that the per-IP cap holds (counted by a proxy), that SIGINT and a
# resume write every target exactly once, and the per-line errors.
# t_scan_shards.sh runs the shard, proxy and resume part on a smaller fleet
# (PART=shards PORTS=32), so each file stays near a minute.
PART=${PART:-fleet}
PORTS=${PORTS:-256}
ISOLATE_NET=1
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_cmd nginx
need_cmd jq
ulimit -n 8192 2>/dev/null || true
# Assertions here are jq over whole JSON-lines files: counted like lib.sh's.
_pass() { _ASSERTS=$((_ASSERTS + 1)); echo "  ok: $1"; }

# ECDSA keys: a thousand endpoints' handshakes cost nginx a tenth of RSA's.
make_leaf good "DNS:localhost,IP:127.0.0.1,IP:127.77.0.1,IP:127.77.0.2,IP:127.77.0.3,IP:127.77.0.4" ec256
make_leaf wrongname "DNS:other.example" ec256
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/self.key" -out "$T/self.pem" -days 10 \
    -subj /CN=self -addext subjectAltName=IP:127.77.0.1,IP:127.77.0.2,IP:127.77.0.3,IP:127.77.0.4 2>/dev/null

# Port BASE+k on each address serves certificate k % 3: which certificate an
# endpoint has does not follow its address, so a wrong mapping shows.
BASE=21000
{
    for k in 0 1 2; do
        c=(good wrongname self)
        echo "    server {"
        for ((p = 0; p < PORTS; p++)); do
            [ $((p % 3)) = $k ] || continue
            for a in 1 2 3 4; do echo "        listen 127.77.0.$a:$((BASE + p)) ssl;"; done
        done
        echo "        ssl_certificate $T/${c[$k]}.pem; ssl_certificate_key $T/${c[$k]}.key;"
        echo "        ssl_protocols TLSv1.2 TLSv1.3;"
        echo "        location / { return 200 \"ok\\n\"; }"
        echo "    }"
    done
} >"$T/servers.conf"
NGINX_WORKER_CONNECTIONS=4096 start_nginx <"$T/servers.conf"
for ((i = 0; i < 100; i++)); do
    (exec 3<>/dev/tcp/127.77.0.4/$((BASE + PORTS - 1))) 2>/dev/null && break
    sleep 0.1
done
start_fake reset
RESET_PORT=$PORT
CLOSED_PORT=$(free_port tcp)

LIST="$T/targets.txt"
{
    echo "# the fleet"
    for a in 1 2 3 4; do
        for ((p = 0; p < PORTS; p++)); do echo "127.77.0.$a:$((BASE + p))"; done
    done
    echo "127.0.0.1:$RESET_PORT"
    echo "https://127.0.0.1:$CLOSED_PORT/health   # a URL, and a comment"
    echo "localhost:$((BASE + 0)) sni=localhost"
    echo ""
    echo "this is not a target"
    echo "127.77.0.1:70000"
    echo "no-such-host.invalid:443"
} >"$LIST"
TOTAL=$((4 * PORTS + 3))

scan() { timeout -k 5 300 "$TLSDIAG" scan --ca-file "$T/ca.pem" --timeout 2 --deadline 30 "$@"; }

if [ "$PART" = fleet ]; then
PROFILE=
# ---- one run: every target once, errors per line ----------------------------
start=$(date +%s)
scan --json $PROFILE --concurrency 96 --per-ip 24 "$LIST" >"$T/one.jsonl" 2>"$T/one.err"
RC=$?
echo "one run: exit $RC, $(($(date +%s) - start)) s, $(wc -l <"$T/one.jsonl") lines"
assert_jq_lines() { # FILTER WHAT FILE
    if jq -se "$1" "$3" >/dev/null; then _pass "$2"; else _fail "$2" "$(jq -sc "$1" "$3" | head -c 300)"; fi
}
[ "$RC" = 1 ] && _pass "exit 1: targets fail" || _fail "exit 1" "got $RC: $(head -c 300 "$T/one.err")"
assert_jq_lines "map(select(.target)) | length == $TOTAL" "one line per target ($TOTAL)" "$T/one.jsonl"
assert_jq_lines 'map(select(.target) | "\(.target.host) \(.target.port) \(.target.address_used)") | (unique | length) == length' \
    "no target twice" "$T/one.jsonl"
assert_jq_lines 'map(select(.error)) | length == 3' "three input errors" "$T/one.jsonl"
assert_jq_lines 'any(.[]; .input == "127.77.0.1:70000" and (.error | test("port")))' "bad port named" "$T/one.jsonl"
assert_jq_lines 'any(.[]; .input == "no-such-host.invalid:443" and (.error | test("resolve")))' \
    "unresolvable name named" "$T/one.jsonl"
assert_jq_lines 'any(.[]; (.input // "") | startswith("this is")) ' "garbage line named" "$T/one.jsonl"
assert_jq_lines '.[-1].summary.targets == '"$TOTAL"' and .[-1].summary.input_errors == 3' "summary counts" "$T/one.jsonl"
assert_jq_lines '.[-1].summary.root_causes.CONNECT_REFUSED >= 1' "the closed port counted by cause" "$T/one.jsonl"
assert_jq_lines "[.[] | select(.target.port == $BASE + 1)] | all(.root_cause.id == \"HOSTNAME_MISMATCH\")" \
    "wrong-name certificate on every address" "$T/one.jsonl"
assert_jq_lines "[.[] | select(.target.port == $BASE and .target.host != \"localhost\")] | all(.root_cause.id != \"HOSTNAME_MISMATCH\")" \
    "trusted certificate has no name mismatch" "$T/one.jsonl"
assert_jq_lines ".[-1].summary.expiring | length == $((4 * (PORTS / 3)))" "self-signed certificates (10 days) listed as expiring" \
    "$T/one.jsonl"

# ---- the full check: classification equals single checks --------------------
jq -r 'select(.target) | "\(.target.address_used) \(.target.port) \(.root_cause.id)"' "$T/one.jsonl" | sort >"$T/full.causes"
# The fleet's classification as a whole: each certificate's cause on all its endpoints.
for k in 0 1 2; do
    n=$(awk -v b=$BASE -v k=$k '$1 ~ /^127[.]77[.]/ && ($2 - b) % 3 == k { print $3 }' "$T/full.causes" | sort -u | wc -l)
    [ "$n" = 1 ] && _pass "certificate $k: one root cause on all its endpoints" \
        || _fail "certificate $k: one root cause" "$(awk -v b=$BASE -v k=$k '$1 ~ /^127[.]77[.]/ && ($2 - b) % 3 == k' "$T/full.causes" | sort -k3 | uniq -f2 -c | head)"
done
mism=0
while read -r addr port cause; do
    single=$("$TLSDIAG" check --json --ca-file "$T/ca.pem" --timeout 2 "$addr:$port" 2>/dev/null | jq -r '.root_cause.id')
    if [ "$single" != "$cause" ]; then
        mism=$((mism + 1))
        echo "  $addr:$port scan=$cause check=$single"
    fi
done < <(awk 'NR % 64 == 1' "$T/full.causes"; grep -E " ($RESET_PORT|$CLOSED_PORT) " "$T/full.causes")
[ "$mism" = 0 ] && _pass "sampled targets: scan's root cause == check's" || _fail "root causes agree" "$mism differ"

finish
fi

# ---- four shards as four processes, merged == one run ------------------------
scan --json --profile quick "$LIST" >"$T/one.jsonl" 2>"$T/one.err"
SHARD_PIDS=()
for i in 0 1 2 3; do
    JOB_COMPLETION_INDEX=$i scan --json --profile quick --shards 4 "$LIST" >"$T/part$i.jsonl" 2>"$T/part$i.err" &
    SHARD_PIDS+=($!)
done
wait "${SHARD_PIDS[@]}" # not the servers
"$TLSDIAG" merge --json "$T"/part?.jsonl >"$T/merged.jsonl"
echo "merge: exit $?, $(wc -l <"$T/merged.jsonl") lines"
key='if .target then "\(.target.host) \(.target.port) \(.target.address_used) \(.root_cause.id)" else "! \(.input)" end'
diff <(jq -r "select(.summary | not) | $key" "$T/merged.jsonl" | sort) \
    <(jq -r "select(.summary | not) | $key" "$T/one.jsonl" | sort) >"$T/shard.diff" \
    && _pass "four shards merged: the same targets and causes as one run" \
    || _fail "shards merged == one run" "$(head -20 "$T/shard.diff")"
for i in 0 1 2 3; do
    jq -r 'select(.target) | .target.address_used' "$T/part$i.jsonl" | sort -u
done | sort | uniq -d >"$T/dup-ips"
[ ! -s "$T/dup-ips" ] && _pass "every address in exactly one shard" || _fail "address in one shard" "$(cat "$T/dup-ips")"
diff <(jq -c '.summary | del(.expiring, .worst)' <(tail -n 1 "$T/merged.jsonl")) \
    <(jq -c '.summary | del(.expiring, .worst)' <(tail -n 1 "$T/one.jsonl")) >/dev/null \
    && _pass "merged summary recomputed == one run's" || _fail "merged summary" "$(tail -n 1 "$T/merged.jsonl" | head -c 300)"

# ---- docs/: the Slurm array script and the Kubernetes Job's command, as written
mkdir -p "$T/bin" "$T/slurm" "$T/k8s"
ln -s "$TLSDIAG" "$T/bin/tlsdiag"
cp "$LIST" "$T/k8s/targets.txt"
for i in 1 2 3 4; do # --array=1-4: numbered from 1
    (cd "$T/slurm" && PATH="$T/bin:$PATH" SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=4 \
        SCAN_OUT="$T/slurm/parts" bash "$ROOT/docs/scan-slurm.sh" "$LIST" --ca-file "$T/ca.pem" --profile quick >/dev/null 2>&1)
done
"$TLSDIAG" merge --json "$T"/slurm/parts/part-*.jsonl | jq -r "select(.summary | not) | $key" | sort >"$T/slurm.keys"
jq -r "select(.summary | not) | $key" "$T/one.jsonl" | sort >"$T/one.keys"
cmp -s "$T/slurm.keys" "$T/one.keys" && _pass "docs/scan-slurm.sh: 4 array tasks merged == one run" \
    || _fail "slurm script" "$(diff "$T/slurm.keys" "$T/one.keys" | head -5)"
# The Job's container command, with the volume paths pointed at $T/k8s.
"$PYTHON" - "$ROOT/docs/scan-k8s-job.yaml" >"$T/k8s/cmd" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
job = [d for d in docs if d["kind"] == "Job"][0]
assert job["spec"]["completionMode"] == "Indexed"
print(job["spec"]["completions"])
print(job["spec"]["template"]["spec"]["containers"][0]["args"][0])
PY
N=$(head -n 1 "$T/k8s/cmd")
CMD=$(tail -n +2 "$T/k8s/cmd" | sed -e "s|/targets/targets.txt|--ca-file $T/ca.pem --profile quick $T/k8s/targets.txt|" \
    -e "s|/data/scan|$T/k8s|g")
for ((i = 0; i < N; i++)); do
    PATH="$T/bin:$PATH" JOB_COMPLETION_INDEX=$i sh -c "$CMD" 2>/dev/null || _fail "k8s pod $i exits 0"
done
"$TLSDIAG" merge --json "$T"/k8s/part-*.jsonl | jq -r "select(.summary | not) | $key" | sort >"$T/k8s.keys"
cmp -s "$T/k8s.keys" "$T/one.keys" && _pass "docs/scan-k8s-job.yaml: $N indexed pods merged == one run" \
    || _fail "k8s Job" "$(diff "$T/k8s.keys" "$T/one.keys" | head -5)"

# ---- a full disk: an error, never a broken line ------------------------------
scan --json --profile quick "$LIST" >/dev/full 2>"$T/full.err"
RC=$?
[ "$RC" = 3 ] && grep -q "No space left" "$T/full.err" && _pass "a full disk: exit 3 and the reason" \
    || _fail "full disk" "exit $RC: $(head -c 200 "$T/full.err")"

# ---- the per-IP cap, counted by a proxy --------------------------------------
PP=()
for i in 1 2 3 4 5 6; do PP+=("$(free_port tcp)"); done
start_bg "$PYTHON" "$ROOT/tests/servers/peak_proxy.py" "$RESET_PORT" "$T/peak" "${PP[@]}"
wait_log "$BG_LOG" '^ready' 10 || die "peak_proxy.py did not start"
printf '127.0.0.1:%s\n' "${PP[@]}" >"$T/proxied.txt"
scan --json --concurrency 64 --per-ip 3 "$T/proxied.txt" >"$T/proxied.jsonl" 2>/dev/null
read -r total peak <"$T/peak"
echo "proxy: $total connections, at most $peak at once"
[ "$total" -gt 30 ] && _pass "the proxy saw the scan ($total connections)" || _fail "proxy saw the scan" "$total"
[ "$peak" -le 3 ] && _pass "per-IP cap 3 never exceeded (peak $peak)" || _fail "per-IP cap" "peak $peak > 3"
[ "$peak" -ge 2 ] && _pass "the cap was reached (peak $peak): checks ran side by side" || _fail "side by side" "peak $peak"

# ---- SIGINT halfway, then resume -------------------------------------------
STATE="$T/state"
: >"$T/r1.jsonl"
"$TLSDIAG" scan --json --profile quick --ca-file "$T/ca.pem" --timeout 2 --concurrency 8 --per-ip 1 \
    --state "$STATE" "$LIST" >"$T/r1.jsonl" 2>"$T/r1.err" &
SCAN_PID=$!
for ((i = 0; i < 600; i++)); do
    [ "$(wc -l <"$T/r1.jsonl")" -ge $((TOTAL / 3)) ] && break
    sleep 0.05
done
kill -INT "$SCAN_PID"
wait "$SCAN_PID"
RC1=$?
n1=$(jq -s 'map(select(.target)) | length' "$T/r1.jsonl")
echo "interrupted: exit $RC1 with $n1 targets written"
[ "$RC1" = 130 ] && _pass "SIGINT: exit 130" || _fail "SIGINT exit" "$RC1: $(cat "$T/r1.err")"
[ "$n1" -gt 0 ] && [ "$n1" -lt "$TOTAL" ] && _pass "stopped halfway ($n1 of $TOTAL)" || _fail "halfway" "$n1"
jq -se '.[-1].summary.interrupted == true' "$T/r1.jsonl" >/dev/null && _pass "summary says interrupted" \
    || _fail "interrupted summary" "$(tail -n 1 "$T/r1.jsonl" | head -c 200)"
scan --json --profile quick --concurrency 64 --state "$STATE" "$LIST" >"$T/r2.jsonl" 2>"$T/r2.err"
"$TLSDIAG" merge --json "$T/r1.jsonl" "$T/r2.jsonl" >/dev/null
cat "$T/r1.jsonl" "$T/r2.jsonl" | jq -r 'select(.target) | "\(.target.host) \(.target.port) \(.target.address_used)"' \
    | sort | uniq -c | awk '$1 != 1' >"$T/not-once"
n=$(cat "$T/r1.jsonl" "$T/r2.jsonl" | jq -s 'map(select(.target)) | length')
[ ! -s "$T/not-once" ] && [ "$n" = "$TOTAL" ] && _pass "after resume every target exactly once ($n)" \
    || _fail "exactly once" "$n lines; $(head -5 "$T/not-once")"
cat "$T/r1.jsonl" "$T/r2.jsonl" | jq -e -s 'map(select(.error)) | length == 3' >/dev/null \
    && _pass "input errors written once" || _fail "errors once" ""

# ---- a crash (SIGKILL) halfway, then resume: none lost ---------------------------
STATE="$T/state-kill"
: >"$T/k1.jsonl"
"$TLSDIAG" scan --json --profile quick --ca-file "$T/ca.pem" --timeout 2 --concurrency 8 --per-ip 1 \
    --state "$STATE" "$LIST" >"$T/k1.jsonl" 2>/dev/null &
SCAN_PID=$!
for ((i = 0; i < 600; i++)); do
    [ "$(wc -l <"$T/k1.jsonl")" -ge $((TOTAL / 2)) ] && break
    sleep 0.05
done
kill -KILL "$SCAN_PID"
wait "$SCAN_PID" 2>/dev/null
scan --json --profile quick --state "$STATE" "$LIST" >"$T/k2.jsonl" 2>/dev/null
jq -e . "$T/k1.jsonl" >/dev/null 2>&1 && _pass "killed run: every line written is whole JSON" || _fail "whole lines" ""
n=$("$TLSDIAG" merge --json "$T/k1.jsonl" "$T/k2.jsonl" | jq -s 'map(select(.target)) | length')
[ "$n" = "$TOTAL" ] && _pass "after a crash and resume no target is lost ($n)" || _fail "none lost" "$n of $TOTAL"
rep=$(cat "$T/k1.jsonl" "$T/k2.jsonl" | jq -r 'select(.target) | .target.address_used + " " + (.target.port | tostring)' \
    | sort | uniq -d | wc -l)
[ "$rep" -le 1 ] && _pass "at most the line being recorded at the crash repeats ($rep)" || _fail "repeats" "$rep"

# ---- text mode ---------------------------------------------------------------
scan --profile quick "$T/proxied.txt" >"$T/text.out" 2>&1
grep -q "root cause" "$T/text.out" && grep -qE "^FAIL " "$T/text.out" \
    && _pass "text: failing lines and the summary table" || _fail "text output" "$(head -c 400 "$T/text.out")"
finish
