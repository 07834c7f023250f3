"""Hyperparameter sweeps: Azure ML's `type: sweep` jobs, run locally with Azure's semantics.

`space` samples search space expressions, `samplers` chooses each trial's parameters,
`termination` applies early termination policies to the values trials log, `spec` reads a
sweep YAML's settings, `trials` runs the trials as child runs of the sweep, `job` is
`mlops job create` for a sweep file.
"""
