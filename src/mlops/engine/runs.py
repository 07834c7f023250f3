"""The job's MLflow runs: one parent run per job and one child run per node, as the studio
shows a pipeline; a node's script logs into its child run through MLFLOW_RUN_ID.

Runs are created, closed and read straight in the local store when it allows (localruns.py):
the first node starts without waiting for MLflow's import, and such a job never starts the
tracker. Otherwise (a server, a new store) every operation goes through the tracker."""

from __future__ import annotations

from typing import Any

from mlops import tracking
from mlops.engine.localruns import LocalRuns
from mlops.engine.tracker import Tracker

_FINAL_STATUS = {"Completed": "FINISHED", "Reused": "FINISHED", "Failed": "FAILED"}


def job_tracker() -> Tracker:
    """A job's tracker: started now, so its MLflow loads while the engine reads the YAML, unless
    the runs can be written without MLflow (localruns.py); then only if something needs it."""
    return Tracker(start=not LocalRuns.usable(tracking.local_database()))


class JobRuns:
    """Creates and closes the runs of one job, through the tracker process."""

    def __init__(
        self,
        tracker: Tracker,
        experiment_name: str,
        job_name: str,
        display_name: str | None,
        tags: dict[str, str],
    ) -> None:
        self.tracker = tracker
        self.experiment_name = experiment_name
        database = tracking.local_database()
        location = (tracking.artifact_root() / experiment_name).as_uri()
        self._local = LocalRuns.open(database, experiment_name, location)
        if self._local is None and database is not None and not database.exists():
            # A new local store: MLflow (in the tracker) makes it; the runs can go there then.
            tracker.call("experiment", name=experiment_name)
            self._local = LocalRuns.open(database, experiment_name, location)
        self.experiment_id = (
            self._local.experiment_id
            if self._local
            else tracker.call("experiment", name=experiment_name)
        )
        run_tags = {str(k): str(v) for k, v in tags.items()}
        if display_name:
            run_tags["azureml.displayName"] = display_name
        self.parent_id = self._create(job_name, run_tags)

    def _create(self, run_name: str, tags: dict[str, str]) -> str:
        if self._local:
            return self._local.create(run_name, tags)
        return self.tracker.call(
            "create_run", experiment_id=self.experiment_id, run_name=run_name, tags=tags
        )

    def child(self, node_id: str, tags: dict[str, str] | None = None) -> str:
        """A new child run for a node; returns its run id."""
        return self._create(node_id, {"mlflow.parentRunId": self.parent_id, **(tags or {})})

    def environment(self, run_id: str) -> dict[str, str]:
        """The variables that attach a node's script to its run."""
        return {
            "MLFLOW_RUN_ID": run_id,
            "MLFLOW_EXPERIMENT_ID": self.experiment_id,
            "MLFLOW_EXPERIMENT_NAME": self.experiment_name,
        }

    def finish(self, run_id: str, status: str) -> None:
        """Close a run with the node's or job's final status."""
        final = _FINAL_STATUS.get(status, "KILLED")
        if self._local:
            self._local.finish(run_id, final)
        else:
            self.tracker.call("finish", run_id=run_id, status=final)

    def results(self, run_id: str) -> tuple[dict[str, float], dict[str, str]]:
        """A run's metrics, and the tags its script set (not MLflow's or the engine's own)."""
        if self._local:
            metrics, tags = self._local.results(run_id)
        else:
            metrics, tags = self.tracker.call("results", run_id=run_id)
        own = {k: v for k, v in tags.items() if not k.startswith(("mlflow.", "azureml."))}
        return metrics, own

    def history(self, run_id: str, key: str) -> list[float]:
        """The values of metric `key` a run logged so far, in order (step, then time)."""
        if self._local:
            return self._local.history(run_id, key)
        return self.tracker.call("history", run_id=run_id, key=key)

    def log_metrics(self, run_id: str, metrics: dict[str, float]) -> None:
        """Log metrics the engine computed (a sweep's best trial's) to a run of the job."""
        if self._local:
            self._local.log_metrics(run_id, metrics)
        else:
            self.tracker.call("log_metrics", run_id=run_id, metrics=metrics)

    def copy_metrics(self, source_run: str, target_run: str) -> None:
        """Give a reused node's (new) run the metrics of the run it reuses."""
        if self._local:
            self._local.copy_metrics(source_run, target_run)
            return
        metrics, _tags = self.results(source_run)
        self.tracker.call("log_metrics", run_id=target_run, metrics=metrics)


def tracking_summary() -> dict[str, Any]:
    """The `services` entry of a job record, as az ml shows its Tracking and Studio links."""
    return {
        "Tracking": {"endpoint": tracking.tracking_uri(), "job_service_type": "Tracking"},
        "Studio": {
            "endpoint": f"mlflow ui --backend-store-uri {tracking.tracking_uri()}",
            "job_service_type": "Studio",
        },
    }
