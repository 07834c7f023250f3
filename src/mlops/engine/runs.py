"""The job's MLflow runs: one parent run per job and one child run per node, as the studio
shows a pipeline; a node's script logs into its child run through MLFLOW_RUN_ID."""

from __future__ import annotations

from typing import Any

from mlops import tracking

_FINAL_STATUS = {"Completed": "FINISHED", "Reused": "FINISHED", "Failed": "FAILED"}


class JobRuns:
    """Creates and closes the runs of one job in the configured MLflow store."""

    def __init__(
        self, experiment_name: str, job_name: str, display_name: str | None, tags: dict[str, str]
    ) -> None:
        self.client = tracking.client()
        self.experiment_name = experiment_name
        self.experiment_id = tracking.experiment_id(experiment_name)
        run_tags = {str(k): str(v) for k, v in tags.items()}
        run_tags["mlflow.runName"] = job_name
        if display_name:
            run_tags["azureml.displayName"] = display_name
        self.parent_id = self.client.create_run(
            self.experiment_id, tags=run_tags, run_name=job_name
        ).info.run_id

    def child(self, node_id: str, tags: dict[str, str] | None = None) -> str:
        """A new child run for a node; returns its run id."""
        run_tags = {"mlflow.parentRunId": self.parent_id, **(tags or {})}
        run = self.client.create_run(self.experiment_id, tags=run_tags, run_name=node_id)
        return run.info.run_id

    def environment(self, run_id: str) -> dict[str, str]:
        """The variables that attach a node's script to its run."""
        return {
            "MLFLOW_RUN_ID": run_id,
            "MLFLOW_EXPERIMENT_ID": self.experiment_id,
            "MLFLOW_EXPERIMENT_NAME": self.experiment_name,
        }

    def finish(self, run_id: str, status: str) -> None:
        """Close a run with the node's or job's final status."""
        self.client.set_terminated(run_id, _FINAL_STATUS.get(status, "KILLED"))

    def metrics(self, run_id: str) -> dict[str, float]:
        """The latest value of each metric a run logged."""
        return dict(self.client.get_run(run_id).data.metrics)

    def results(self, run_id: str) -> tuple[dict[str, float], dict[str, str]]:
        """A run's metrics, and the tags its script set (not MLflow's or the engine's own)."""
        data = self.client.get_run(run_id).data
        tags = {k: v for k, v in data.tags.items() if not k.startswith(("mlflow.", "azureml."))}
        return dict(data.metrics), tags

    def copy_metrics(self, source_run: str, target_run: str) -> dict[str, float]:
        """Give a reused node's run the metrics of the run it reuses."""
        from mlflow.entities import Metric

        metrics = self.metrics(source_run)
        if metrics:
            self.client.log_batch(
                target_run, metrics=[Metric(k, v, 0, 0) for k, v in metrics.items()]
            )
        return metrics

    def ui_command(self) -> str:
        """The command that opens the MLflow UI on this store."""
        return f"mlflow ui --backend-store-uri {tracking.tracking_uri()}"


def tracking_summary(runs: JobRuns) -> dict[str, Any]:
    """The `services` entry of a job record, as az ml shows its Tracking and Studio links."""
    return {
        "Tracking": {"endpoint": tracking.tracking_uri(), "job_service_type": "Tracking"},
        "Studio": {"endpoint": runs.ui_command(), "job_service_type": "Studio"},
    }
