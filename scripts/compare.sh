#!/usr/bin/env bash
# Compares two tlsdiag builds on the demo lab: both check every lab's server
# with the same arguments, one after the other, and the JSON documents are
# compared after removing what differs from run to run (timings, connection
# counts, server randoms, the check's clock).
#
#   scripts/compare.sh [--ignore KEY]... [--base-filter JQ] BASE NEW [LAB...]
#
#   --ignore KEY        delete KEY wherever it occurs, on both sides (fields
#                       one build has and the other lacks)
#   --base-filter JQ    a jq filter applied to BASE's documents first
#
# Prints one line per check ("LAB-RUN: N lines differ") and the differing
# lines; exits 0 when every document is the same, 1 otherwise.  The lab's
# own expectations are checked too (demo/run.sh's summary line).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)

IGNORE=()
BASE_FILTER=.
while [ $# -gt 0 ]; do
    case "$1" in
        --ignore) IGNORE+=("$2"); shift 2 ;;
        --base-filter) BASE_FILTER=$2; shift 2 ;;
        -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) break ;;
    esac
done
if [ $# -lt 2 ]; then
    echo "usage: scripts/compare.sh [--ignore KEY]... [--base-filter JQ] BASE NEW [LAB...]" >&2
    exit 2
fi
BASE=$(realpath "$1") NEW=$(realpath "$2")
shift 2
for b in "$BASE" "$NEW"; do
    [ -x "$b" ] || { echo "compare: $b is not an executable" >&2; exit 2; }
done

OUT=$(mktemp -d /tmp/tlsdiag-compare.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

# The demo calls $TLSDIAG; this stand-in runs both builds for JSON checks.
cat >"$OUT/both.sh" <<EOF
#!/usr/bin/env bash
case " \$* " in
    *" --json "*)
        n=\$(( \$(ls "$OUT"/runs | wc -l) / 2 ))
        "$BASE" "\$@" >"$OUT/runs/\$n.base.json" 2>/dev/null
        "$NEW" "\$@" | tee "$OUT/runs/\$n.new.json"
        exit \${PIPESTATUS[0]} ;;
    *) exec "$NEW" "\$@" ;;
esac
EOF
chmod +x "$OUT/both.sh"
mkdir -p "$OUT/runs"

TLSDIAG="$OUT/both.sh" "$ROOT/demo/run.sh" --json "$@" >"$OUT/demo.log" 2>&1
echo "demo: $(tail -n 1 "$OUT/demo.log")"

ignore_json=$(printf '%s\n' "${IGNORE[@]+"${IGNORE[@]}"}" | jq -R . | jq -s 'map(select(. != ""))')
# Whether a server's close_notify arrives before the connection is closed
# is a race: a close_notify received counts as none.
# shellcheck disable=SC2016  # jq variables
NORM='walk(if type == "object" then with_entries(select((.key | test("ms$|_ms$|^elapsed|^connections$|^first_bytes_hex$|^now$") | not) and (.key as $k | $ignore | index($k) | not)))
                | (if (.alert_received | type) == "object" and .alert_received.code == 0 then .alert_received = null else . end)
           elif type == "string" then gsub("[0-9]+ ms"; "N ms") else . end)'

differ=0
for b in $(ls "$OUT"/runs/*.base.json 2>/dev/null | sort -V); do
    n=${b%.base.json}
    diff <(jq -S "$BASE_FILTER" "$b" | jq -S --argjson ignore "$ignore_json" "$NORM") \
        <(jq -S --argjson ignore "$ignore_json" "$NORM" "$n.new.json") >"$n.diff"
    lines=$(grep -c '^[<>]' "$n.diff")
    echo "$(basename "$n"): $lines lines differ"
    if [ "$lines" -gt 0 ]; then
        differ=1
        cut -c1-300 "$n.diff" | head -n 20 | sed 's/^/    /'
    fi
done
[ -n "$(ls "$OUT"/runs/ 2>/dev/null)" ] || { echo "compare: no check ran" >&2; exit 1; }
exit $differ
