"""mlops: the local twin of `az ml` -- runs Azure ML v2 YAML offline with Azure's semantics."""

__version__ = "0.1.0"
