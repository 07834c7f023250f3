"""Where each field of a YAML file is, so a problem can name its line."""

from __future__ import annotations

from typing import Any

import yaml

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
