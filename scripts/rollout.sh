#!/usr/bin/env bash
# Safe blue/green rollout of one registered model version to the online endpoint.
#
#   scripts/rollout.sh <model version>
#
# 1. create the endpoint when it is missing;
# 2. deploy the version to the idle deployment (blue or green) with 0% of the traffic;
# 3. smoke-test it alone (azureml-model-deployment header);
# 4. optionally mirror MIRROR_PERCENT of live traffic to it, and smoke-test the endpoint;
# 5. shift live traffic in TRAFFIC_STEPS (default "10 100"), smoke-testing after each step;
# 6. delete the old deployment.
# On any failure, and on SIGINT/SIGTERM (a cancelled workflow), the traffic goes back to the old
# deployment, the new one is deleted, and the script exits non-zero. A rollout killed outright
# leaves traffic split: the next run puts it back on the deployment with the larger share first.
#
# AZ_ML is the CLI: "az ml" on Azure (default), "mlops" locally -- their verbs are the same.
# SMOKE_TEST is the smoke test command (it reads AZ_ML too).
set -Eeuo pipefail

AZ_ML=${AZ_ML:-"az ml"}
SMOKE_TEST=${SMOKE_TEST:-"python -m diabetes_regression.smoke_test"}
# BYOC: your endpoint, model and deployment files.
ENDPOINT=${ENDPOINT:-diabetes-regression}
MODEL=${MODEL:-diabetes_regression_model}
DEPLOYMENTS=${DEPLOYMENTS:-endpoints/online}
MIRROR_PERCENT=${MIRROR_PERCENT:-0}
TRAFFIC_STEPS=${TRAFFIC_STEPS:-"10 100"}
export AZ_ML

version=${1:?usage: scripts/rollout.sh <model version>}
log() { echo "[rollout] $*" >&2; }
ml() { $AZ_ML "$@"; }
smoke() { $SMOKE_TEST --endpoint-name "$ENDPOINT" "$@"; }
share_of() { ml online-endpoint show -n "$ENDPOINT" --query "traffic.\"$1\"" -o tsv 2>/dev/null || true; }

if ! ml online-endpoint show -n "$ENDPOINT" -o none 2>/dev/null; then
  log "creating endpoint $ENDPOINT"
  ml online-endpoint create -f "$DEPLOYMENTS/endpoint.yml" -n "$ENDPOINT" -o none
fi

blue=$(share_of blue)
green=$(share_of green)
if [[ "${blue:-0}" -gt 0 && "${blue:-0}" -ge "${green:-0}" ]]; then old=blue new=green
elif [[ "${green:-0}" -gt 0 ]]; then old=green new=blue
else old="" new=blue
fi
log "live: ${old:-none}; deploying $MODEL:$version to $new"

if ml online-deployment show -n "$new" -e "$ENDPOINT" -o none 2>/dev/null; then
  log "removing the $new left by an earlier rollout"
  if [[ -n "$old" ]]; then
    # An interrupted rollout can leave it with live or mirrored traffic, which blocks deletion.
    ml online-endpoint update -n "$ENDPOINT" --traffic "$old=100 $new=0" --mirror-traffic "$new=0" -o none
  fi
  ml online-deployment delete -n "$new" -e "$ENDPOINT" --yes -o none
fi

rollback() {
  log "FAILED: putting traffic back on ${old:-nothing} and deleting $new"
  if [[ -n "$old" ]]; then
    ml online-endpoint update -n "$ENDPOINT" --traffic "$old=100 $new=0" --mirror-traffic "$new=0" -o none || true
  else
    ml online-endpoint update -n "$ENDPOINT" --traffic "$new=0" -o none || true
  fi
  ml online-deployment delete -n "$new" -e "$ENDPOINT" --yes -o none || true
}
trap rollback ERR
trap 'trap - ERR; log "interrupted"; rollback; exit 130' INT TERM

ml online-deployment create -f "$DEPLOYMENTS/$new-deployment.yml" -e "$ENDPOINT" \
  --set "model=azureml:$MODEL:$version" -o none
log "smoke test of $new alone"
smoke --deployment-name "$new"

if [[ -n "$old" && "$MIRROR_PERCENT" -gt 0 ]]; then
  log "mirroring $MIRROR_PERCENT% of live traffic to $new"
  ml online-endpoint update -n "$ENDPOINT" --mirror-traffic "$new=$MIRROR_PERCENT" -o none
  smoke
  ml online-endpoint update -n "$ENDPOINT" --mirror-traffic "$new=0" -o none
fi

for step in $TRAFFIC_STEPS; do
  if [[ -n "$old" && "$step" -lt 100 ]]; then
    traffic="$old=$((100 - step)) $new=$step"
  elif [[ -n "$old" ]]; then
    traffic="$old=0 $new=100"
  else
    traffic="$new=100"
  fi
  log "traffic: $traffic"
  ml online-endpoint update -n "$ENDPOINT" --traffic "$traffic" -o none
  smoke
done

trap - ERR INT TERM
if [[ -n "$old" ]]; then
  log "deleting the old deployment $old"
  ml online-deployment delete -n "$old" -e "$ENDPOINT" --yes -o none
fi
log "done: $MODEL:$version serves 100% of $ENDPOINT on $new"
