"""Local batch endpoints and deployments (`endpoints`, `deployments`) that run a deployment as a
job through the engine (`invoke`); the parallel runner they rely on is `mlops.parallel`."""
