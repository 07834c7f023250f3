"""The local job page: the pipeline as a graph with each node's status, metrics, logs and outputs,
as Azure ML's studio shows a job (`mlops job create|show --web`), and the same graph as Mermaid
for a GitHub job summary (`mlops job show --summary`).

A static HTML file under the job's folder, redrawn while the job runs (see `web`).
"""
