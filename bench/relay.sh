# bench/relay.sh: sourced by the benches that time through the latency relay
# (bench/run.sh, bench/starttls.sh).

# find_relay ROOT: the path of latency-relay.py, which lives in
# shared/bench/ beside the repository at ROOT; from a git worktree the
# repository is the one the worktree belongs to.  Status 1 when not found.
find_relay() {
  local root=$1 common c
  common=$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
  for c in "$root/../shared/bench/latency-relay.py" \
           ${common:+"$(dirname "$common")/../shared/bench/latency-relay.py"}; do
    [ -f "$c" ] && { (cd "$(dirname "$c")" && echo "$(pwd)/$(basename "$c")"); return 0; }
  done
  return 1
}
