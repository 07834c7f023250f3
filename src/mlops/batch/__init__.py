"""Batch scoring: Azure ML's parallel job run locally (`parallel`), and local batch endpoints
and deployments (`endpoints`) that run a deployment as a job through the engine."""
