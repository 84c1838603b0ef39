#!/usr/bin/env bash
# tlsdiag scan as a Slurm job array: one task per shard, each scanning the
# targets whose IP address hashes to SLURM_ARRAY_TASK_ID of
# SLURM_ARRAY_TASK_COUNT (tlsdiag reads both; an array numbered from 1 is
# fine, SLURM_ARRAY_TASK_MIN is taken off), each writing its part.
#
#   sbatch docs/scan-slurm.sh targets.txt [tlsdiag scan options...]
#   (when the array is done)
#   tlsdiag merge --json scan-parts/part-*.jsonl > scan.jsonl
#
# A requeued task resumes its shard through --state.
#SBATCH --job-name=tlsdiag-scan
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=512M
#SBATCH --time=02:00:00
#SBATCH --output=scan-parts/slurm-%A_%a.log
#SBATCH --requeue
set -u
TARGETS=${1:?usage: sbatch docs/scan-slurm.sh TARGETS_FILE [SCAN_OPTION...]}
shift
OUT=${SCAN_OUT:-scan-parts}
mkdir -p "$OUT"
tlsdiag scan --json --profile full --concurrency 64 --per-ip 8 \
    --state "$OUT/state-$SLURM_ARRAY_TASK_ID" "$@" "$TARGETS" >>"$OUT/part-$SLURM_ARRAY_TASK_ID.jsonl"
rc=$?
# 1 means "some target fails": the scan itself succeeded.
[ "$rc" -le 1 ]
