"""The typed plan of a job: what validation builds and the engine executes.

`model` holds the frozen dataclasses (no azure-ai-ml), `wiring` how one pipeline level is bound
(what validation checks), `serial` their JSON form, `convert` the one reading of azure-ai-ml
entities, and `cache` the warm start: a plan kept on disk, keyed by the content of every file
it was made from. Registered components are looked up in `mlops.validation.registered`.
"""
