"""YAML files as the tool reads them: each parsed once while unchanged, the line of every
field kept so a problem can name it, and paths shown as the user typed them."""

from __future__ import annotations

import os
from pathlib import Path
from stat import S_ISREG
from typing import Any

import yaml

from mlops.errors import Problem, ProblemsFound

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlDocument:
    """A parsed YAML mapping and the 1-based line of every dotted field path in it.

    Args:
        text: The YAML text.

    Raises:
        yaml.YAMLError: The text is not valid YAML.
    """

    def __init__(self, text: str) -> None:
        # One parse gives both the node tree (for lines) and the data; libyaml's parser when
        # it is built in (measured: the pure-Python one was a third of `mlops validate`).
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            self.data: Any = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        self._lines: dict[str, int] = {}
        if node is not None:
            self._index(node, "")

    def _index(self, node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                path = f"{prefix}.{key.value}" if prefix else str(key.value)
                self._lines[path] = key.start_mark.line + 1
                self._index(value, path)
        elif isinstance(node, yaml.SequenceNode):
            for position, item in enumerate(node.value):
                path = f"{prefix}[{position}]"
                self._lines[path] = item.start_mark.line + 1
                self._index(item, path)

    def line(self, field: str) -> int | None:
        """The line of `field` (`jobs.train.inputs.alpha`), or of its nearest parent that exists."""
        while field:
            if field in self._lines:
                return self._lines[field]
            field = field.rpartition(".")[0]
        return None


# The largest YAML read: Azure ML files are a few kilobytes; a bigger one is a wrong path
# (a data file, a device such as /dev/zero) that would otherwise be read into memory.
MAX_YAML_BYTES = 4 * 1024 * 1024

# Parsed files by (path, mtime, size): a component is read by every pipeline that uses it.
_DOCUMENTS: dict[tuple[Path, int, int], YamlDocument] = {}


def display_path(file: Path) -> Path:
    """`file` relative to the working folder when it is under it, as problems show it."""
    try:
        return Path(os.path.relpath(file.resolve(), Path.cwd()))
    except ValueError:
        return file


def read_document(path: Path) -> YamlDocument:
    """Read and parse a YAML file (once while it is unchanged).

    Raises:
        ProblemsFound: It is missing, not a regular file, larger than MAX_YAML_BYTES,
            unreadable or not valid YAML.
    """
    try:
        stat = path.stat()
        _check_readable_size(path, stat)
        key = (path.resolve(), stat.st_mtime_ns, stat.st_size)
        if key in _DOCUMENTS:
            return _DOCUMENTS[key]
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProblemsFound(
            [Problem(str(path), None, "file", "does not exist", "check the path")]
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProblemsFound(
            [Problem(str(path), None, "file", f"cannot be read: {error}")]
        ) from None
    try:
        document = _DOCUMENTS[key] = YamlDocument(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(error, "problem", None) or str(error)
        raise ProblemsFound(
            [Problem(str(path), line, "yaml", f"invalid YAML: {problem}", "fix the indentation")]
        ) from None
    return document


def _check_readable_size(path: Path, stat: os.stat_result) -> None:
    """Refuse, before reading, what is not a YAML file: a device, a pipe, a huge file."""
    if not S_ISREG(stat.st_mode):
        raise ProblemsFound(
            [Problem(str(path), None, "file", "is not a regular file", "give a YAML file")]
        )
    if stat.st_size > MAX_YAML_BYTES:
        raise ProblemsFound(
            [
                Problem(
                    str(path),
                    None,
                    "file",
                    f"is {stat.st_size:,} bytes; an Azure ML YAML file is at most "
                    f"{MAX_YAML_BYTES:,} here",
                    "check the path: it should be a job, component, endpoint or asset YAML",
                )
            ]
        )
