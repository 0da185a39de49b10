#!/bin/bash
# The ablation as a Slurm job array: task K of N runs shard K/N of the experiment's jobs
# (those whose index % N == K-1) into one results directory on a filesystem every node sees.
# Claim files in the run directories keep two tasks from training one run; a task killed or
# preempted leaves a checkpoint, and resubmitting the array resumes it and skips finished runs.
#
#   make build && sbatch experiments/cluster/slurm-array.sh                  # 4 shards of ablation.toml
#   EXPERIMENT=experiments/tutorial.toml sbatch --array=1-12 experiments/cluster/slurm-array.sh
#
# Keep --array=1-N and SHARDS=N equal (SHARDS defaults to the array size Slurm reports).
#SBATCH --job-name=squeezebench
#SBATCH --array=1-4
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=02:00:00
#SBATCH --output=slurm-%A_%a.out
#SBATCH --signal=B:TERM@120   # SIGTERM two minutes before the time limit: runs checkpoint and stop

set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
EXPERIMENT=${EXPERIMENT:-experiments/ablation.toml}
RESULTS=${RESULTS:-}                       # default: results/<experiment name>
SHARDS=${SHARDS:-${SLURM_ARRAY_TASK_COUNT:-4}}
BIN=${BIN:-bin/squeezebench}

args=(ablate -experiment "$EXPERIMENT" -shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" -parallel "${SLURM_CPUS_PER_TASK:-1}")
[ -n "$RESULTS" ] && args+=(-results "$RESULTS")
# exec so that Slurm's SIGTERM reaches squeezebench, which stops cleanly after the current step.
exec "$BIN" "${args[@]}"
