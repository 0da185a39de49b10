#!/usr/bin/env bash
# Runs slurm-array.sh on a real single-node Slurm (slurm-local.sh) with the smoke experiment in
# two shards, and checks that every job of the experiment was trained exactly once.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-$PWD/bin/squeezebench}
[ -x "$BIN" ] || { echo "build first: make build" >&2; exit 2; }
bash experiments/cluster/slurm-local.sh
trap 'bash experiments/cluster/slurm-local.sh stop' EXIT

R=$(mktemp -d /var/tmp/squeezebench-slurm.XXXXXX)
chmod 0777 "$R"
# --mem and --cpus-per-task fit the test node; the script's own defaults are for real clusters.
sbatch --wait --array=1-2 --mem=1G --cpus-per-task=1 --output="$R/slurm-%A_%a.out" \
  --export=ALL,EXPERIMENT=smoke,RESULTS="$R/results",SHARDS=2,BIN="$BIN" \
  experiments/cluster/slurm-array.sh
cat "$R"/slurm-*.out | grep -E 'jobs finished|shard' | head -20 || true

ok=$(grep -l '"status": "ok"' "$R"/results/runs/*/seed-*/result.json | wc -l)
trained=$(cat "$R"/results/runs/*/seed-*/train.log | grep -c ' parameters, ' || true)
echo "slurm: $ok of 4 runs ok, $trained trainings"
if [ "$ok" -ne 4 ] || [ "$trained" -ne 4 ]; then
  echo "slurm test failed: want 4 runs ok, each trained once" >&2
  cat "$R"/slurm-*.out >&2
  exit 1
fi
rm -rf "$R"
