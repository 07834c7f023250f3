"""Hyperparameter sweeps: Azure ML's `type: sweep` jobs, run locally with Azure's semantics.

`space` samples search space expressions, `samplers` chooses each trial's parameters,
`termination` applies early termination policies to the values trials log, `spec` reads a
sweep YAML's settings. They are pure and sit below validation, which checks sweep files with
them; running the trials is the engine's (`mlops.engine.sweeps`).
"""
