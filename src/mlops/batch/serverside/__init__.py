"""Code that runs inside a batch deployment's workers, not in mlops: its folder is the scoring
job's code folder, so it imports nothing from mlops (the workers may run in another Python)."""
