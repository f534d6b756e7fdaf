#!/usr/bin/env bash
# threadsift on Slurm: a map job array, a reduce job array and one merge job, chained with afterok
# dependencies. See docs/scale-out.md for how the work is divided and how to recover from failures.
#
#   bash docs/jobs/slurm-threadsift.sh                     # on a login node: submits the three jobs
#   N=32 OUT=/shared/ds/ah bash docs/jobs/slurm-threadsift.sh   # settings can also come from the environment
#
# The script submits itself: each job runs this same file with THREADSIFT_STEP set, so the settings below
# are written once and every task gets the same ones. Running it again after a failure is the way to
# recover: finished units are skipped, only what is missing runs.
set -euo pipefail
# Globs are for threadsift to expand (it sorts and classifies the files), never for this shell.
set -f

# ---- settings: every task of every step must see the same values --------------------------------------
N=${N:-8}                               # tasks per array (map and reduce); the result is the same for any N
MAP_TASKS=${MAP_TASKS:-$N}              # at most the number of input files is useful
REDUCE_TASKS=${REDUCE_TASKS:-$N}        # at most PARTITIONS is useful
PARTITIONS=${PARTITIONS:-64}            # fixed for the life of WORK: changing it re-runs everything
PIPELINE=${PIPELINE:-askhistorians}     # a name from pipelines/ or a YAML file (absolute path)
# Absolute paths, identical on every node: the input paths are part of every extract's fingerprint.
DUMPS=${DUMPS:-/shared/pushshift}
SUBMISSIONS=${SUBMISSIONS:-"$DUMPS/RS_*.zst"}   # space-separated files or globs
COMMENTS=${COMMENTS:-"$DUMPS/RC_*.zst"}
OUT=${OUT:-/shared/datasets/askhistorians-qa}
WORK=${WORK:-$OUT.work}                 # on a filesystem every node mounts at the same path
SETS=${SETS:-}                          # space-separated config overrides, e.g. "filters.min_score=5"
# Grading: leave GRADER_MODEL empty for an ungraded run. One URL per vLLM replica, space-separated.
GRADER_MODEL=${GRADER_MODEL:-}          # the name the replicas serve (vllm serve ... --served-model-name)
GRADER_URLS=${GRADER_URLS:-}            # e.g. "http://gpu01:8000 http://gpu02:8000"
CONCURRENCY=${CONCURRENCY:-32}          # per reduce task: REDUCE_TASKS x CONCURRENCY requests in flight
LOGS=${LOGS:-$WORK/slurm-logs}
PREFLIGHT=${PREFLIGHT:-1}               # run `threadsift status` before submitting (catches typos early)

# sbatch options per step (partition, account, QOS go here too). Word-split on purpose.
MAP_SBATCH=${MAP_SBATCH:-"--cpus-per-task=8 --mem=24G --time=24:00:00"}
REDUCE_SBATCH=${REDUCE_SBATCH:-"--cpus-per-task=2 --mem=8G --time=24:00:00"}
MERGE_SBATCH=${MERGE_SBATCH:-"--cpus-per-task=2 --mem=32G --time=12:00:00"}

# How a job finds threadsift: a module, a container, or a checkout's node_modules/.bin on PATH.
# module load nodejs/22
# export PATH=/shared/opt/threadsift/node_modules/.bin:$PATH
# ---------------------------------------------------------------------------------------------------------

die() { echo "slurm-threadsift: $*" >&2; exit 2; }

# The options that must be identical in every task. --step and the shard are added per job below.
threadsift_args=(
  "$PIPELINE"
  --submissions $SUBMISSIONS
  --comments $COMMENTS
  --out "$OUT"
  --work "$WORK"
  --partitions "$PARTITIONS"
)
for kv in $SETS; do threadsift_args+=(--set "$kv"); done
if [ -n "$GRADER_MODEL" ]; then
  # The merge needs the grader named too, or it builds an ungraded dataset; it contacts no server.
  threadsift_args+=(--grader openai --grader-model "$GRADER_MODEL" --concurrency "$CONCURRENCY")
  for url in $GRADER_URLS; do threadsift_args+=(--grader-url "$url"); done
fi

if [ -n "${THREADSIFT_STEP:-}" ]; then
  # Inside a job. The task index and count come from SLURM_ARRAY_TASK_ID/_MIN/_COUNT; the merge job is
  # not an array, so it runs as the single task it has to be.
  if [ -n "${SLURM_CPUS_PER_TASK:-}" ] && [ "$SLURM_CPUS_PER_TASK" -gt 2 ]; then
    # Leaves a core for the zstd decoder and one for the main thread, as threadsift's own default does.
    threadsift_args+=(--workers "$((SLURM_CPUS_PER_TASK - 2))")
  fi
  echo "threadsift $THREADSIFT_STEP: task ${SLURM_ARRAY_TASK_ID:-merge} on $(hostname)" >&2
  exec threadsift run "${threadsift_args[@]}" --step "$THREADSIFT_STEP"
fi

# ---- on the login node: check, then submit ----------------------------------------------------------------
for path in "$DUMPS" "$OUT" "$WORK"; do
  case $path in /*) ;; *) die "$path: use an absolute path (every node must see the same one)" ;; esac
done
[ "$REDUCE_TASKS" -le "$PARTITIONS" ] || echo "slurm-threadsift: REDUCE_TASKS=$REDUCE_TASKS > PARTITIONS=$PARTITIONS: tasks above $PARTITIONS will have nothing to do" >&2
if [ -n "$GRADER_MODEL" ] && [ -z "$GRADER_URLS" ]; then die "GRADER_MODEL is set but GRADER_URLS is empty: the reduce tasks need a server"; fi

if [ "$PREFLIGHT" = 1 ]; then
  # Checks the pipeline, the --set keys and the inputs, and shows what is already done.
  command -v threadsift >/dev/null || die "threadsift is not on PATH here (set PREFLIGHT=0 to skip this check)"
  threadsift status "${threadsift_args[@]}"
fi

mkdir -p "$LOGS"
# The job body is this file; sbatch copies it at submission, so later edits do not affect queued jobs.
self=${BASH_SOURCE[0]}
# --kill-on-invalid-dep: a failed map or reduce cancels the jobs after it instead of leaving them
# pending forever; running this script again re-submits them.
# --parsable prints "jobid" or "jobid;cluster": keep the id.
map=$(sbatch --parsable --job-name=threadsift-map --array="0-$((MAP_TASKS - 1))" $MAP_SBATCH \
  --output="$LOGS/map-%A_%a.out" --export=ALL,THREADSIFT_STEP=map "$self")
map=${map%%;*}
reduce=$(sbatch --parsable --job-name=threadsift-reduce --array="0-$((REDUCE_TASKS - 1))" $REDUCE_SBATCH \
  --dependency="afterok:$map" --kill-on-invalid-dep=yes \
  --output="$LOGS/reduce-%A_%a.out" --export=ALL,THREADSIFT_STEP=reduce "$self")
reduce=${reduce%%;*}
merge=$(sbatch --parsable --job-name=threadsift-merge $MERGE_SBATCH \
  --dependency="afterok:$reduce" --kill-on-invalid-dep=yes \
  --output="$LOGS/merge-%j.out" --export=ALL,THREADSIFT_STEP=merge "$self")
merge=${merge%%;*}

echo "map $map (${MAP_TASKS} tasks) -> reduce $reduce (${REDUCE_TASKS} tasks) -> merge $merge"
echo "logs: $LOGS; progress:"
printf '%q ' threadsift status "${threadsift_args[@]}"
echo
