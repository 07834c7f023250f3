"""Running a sweep job: its trials as child jobs of the engine, a live table, the best trial.

The search space, samplers and policies are plain functions in `mlops.sweep`, below validation."""
