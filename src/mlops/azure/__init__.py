"""The one adapter between this project and azure-ai-ml.

Every import of azure-ai-ml (and of marshmallow, whose errors it raises) lives in this package,
private API and monkeypatch included; the rest of `mlops` sees the project's own types:
`Problem`s and `ProblemsFound` for what azure-ai-ml rejects, paths and strings for its file
rules. azure-ai-ml is pinned in pyproject.toml to the versions tests/mlops/azure checks; an
upgrade that removes or changes a private symbol used here fails those tests by name.

* `kinds`: which Azure ML file a YAML is, from its `$schema` or `type:` (no azure-ai-ml import).
* `loaders`: each kind loaded with azure-ai-ml's own loader, its errors turned into Problems.
* `problems`: the parsing of azure-ai-ml's and marshmallow's error texts.
* `files`: Azure ML's upload rules (ignore files, content hash) for code and data folders.
* `package`: azure-ai-ml entered without its client (`MLClient` and the operations classes).

Importing this package does not import azure-ai-ml (1-3 s); the modules that need it import it
inside functions, so `mlops job list` and `mlops --help` stay fast.
"""
