#!/usr/bin/env bash
# Runs the Jobs of k8s-threadsift.yaml in order: map, then reduce once map has completed, then merge once
# reduce has completed. Kubernetes has no dependencies between Jobs, so this script is the dependency.
#
#   bash docs/jobs/k8s-run.sh                        # NAMESPACE=... MANIFEST=... to change the defaults
#
# Running it again is how to recover from a failed Job: it deletes the three Jobs and creates them
# again, and the new pods skip every unit whose completion marker is already on the volume.
set -euo pipefail

MANIFEST=${MANIFEST:-$(dirname "${BASH_SOURCE[0]}")/k8s-threadsift.yaml}
NAMESPACE=${NAMESPACE:-default}
POLL_S=${POLL_S:-30}
# Per Job; the map of a full Reddit history can take a day.
TIMEOUT_S=${TIMEOUT_S:-172800}

k() { kubectl --namespace "$NAMESPACE" "$@"; }

# Returns when the Job has completed; fails as soon as it has failed (kubectl wait can only wait for one
# condition, and waiting for "complete" alone would sit out the whole timeout on a failed Job).
wait_for_job() {
  local job=$1 waited=0 conditions
  while :; do
    conditions=$(k get job "$job" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')
    case " $conditions " in
      *" Complete "*) echo "$job: complete"; return 0 ;;
      *" Failed "*)
        echo "$job failed; see: kubectl -n $NAMESPACE get pods -l job-name=$job; kubectl -n $NAMESPACE logs POD" >&2
        return 1 ;;
    esac
    if [ "$waited" -ge "$TIMEOUT_S" ]; then
      echo "$job: still running after ${TIMEOUT_S}s; it goes on (running this script again restarts it, keeping finished units)" >&2
      return 1
    fi
    sleep "$POLL_S"
    waited=$((waited + POLL_S))
  done
}

k apply -f "$MANIFEST" -l app=threadsift,step=storage
# A finished Job never runs again and its pod template cannot be changed, so each run starts from new
# Jobs. Foreground deletion waits for the old pods to stop: two pods with the same index must not run at once.
k delete job -l app=threadsift --ignore-not-found --cascade=foreground
for step in map reduce merge; do
  k apply -f "$MANIFEST" -l "app=threadsift,step=$step"
  wait_for_job "threadsift-$step"
done
echo "dataset written; WORK/run.json records what the merge did"
