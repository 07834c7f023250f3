#!/usr/bin/env bash
# Written as Azure ML's public samples write their deployment scripts (az ml, long options,
# --endpoint for --endpoint-name, --no-wait, update --set, --query with -o tsv, model archive);
# run by tests/mlops/test_az_ml_script.py with AZ_ML=mlops. On Azure: AZ_ML="az ml".
set -e
AZ_ML=${AZ_ML:-az ml}
ENDPOINT_NAME=${ENDPOINT_NAME:-mlflow-sample}
MODEL_NAME=sample-mlflow-model

$AZ_ML model create --name $MODEL_NAME --type mlflow_model --path model -o none
VERSION=$($AZ_ML model show --name $MODEL_NAME --version 1 --query version -o tsv)
echo "registered $MODEL_NAME version $VERSION"

$AZ_ML online-endpoint create --name $ENDPOINT_NAME -f endpoint.yml -o none
$AZ_ML online-deployment create --name mlflow --endpoint $ENDPOINT_NAME -f deployment.yml --all-traffic -o none

state=$($AZ_ML online-deployment show --name mlflow --endpoint $ENDPOINT_NAME --query provisioning_state -o tsv)
if [[ $state != "Succeeded" ]]; then echo "deployment state: $state"; exit 1; fi

$AZ_ML online-endpoint update --name $ENDPOINT_NAME --set tags.stage=prod --no-wait
stage=$($AZ_ML online-endpoint show --name $ENDPOINT_NAME --query tags.stage -o tsv)
if [[ $stage != "prod" ]]; then echo "endpoint tags.stage: $stage"; exit 1; fi

$AZ_ML online-endpoint invoke --name $ENDPOINT_NAME --request-file sample-request.json
$AZ_ML online-endpoint delete --name $ENDPOINT_NAME --yes --no-wait

$AZ_ML model archive --name $MODEL_NAME --version $VERSION
listed=$($AZ_ML model list --query "length(@)" -o tsv)
if [[ $listed != "0" ]]; then echo "archived model still listed: $listed"; exit 1; fi
