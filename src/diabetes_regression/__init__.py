"""The sample ML project: diabetes progression regression with a Ridge model.

Pure step functions live in `data`, `training`, `evaluation` and `registration`; each
component has one thin entry module (`prep_data`, `train_model`, `evaluate_model`,
`register_model`) that parses arguments, does the file I/O and logs to MLflow.
"""
