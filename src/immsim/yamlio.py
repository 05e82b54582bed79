"""YAML reading that remembers where each value came from.

PyYAML's ``safe_load`` forgets line numbers and silently lets a duplicated key overwrite the
first one. Both matter here: error messages must name the line, and a parameter with two values
for the same date is an error, not a choice of the last. We therefore compose the node graph and
build plain Python objects ourselves, recording the line of every key path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from immsim.errors import InputError

KeyPath = tuple[str | int, ...]


@dataclass
class LocatedYaml:
    """A YAML document as plain data plus the 1-based line of every key path in it."""

    data: Any
    source: str
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, path: KeyPath) -> int | None:
        """Line of the deepest prefix of ``path`` that we know."""
        normal = tuple(_key_text(part) for part in path)
        for cut in range(len(normal), -1, -1):
            found = self.lines.get(normal[:cut])
            if found is not None:
                return found
        return None


def _key_text(value: Any) -> str | int:
    """How a mapping key appears in a key path (dates and booleans as their text)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return value
    return str(value)


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.constructor = SafeConstructor()
        self.lines: dict[KeyPath, int] = {}

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise InputError(
                        "YAML merge keys (<<) are not supported; write the values out",
                        file=self.source,
                        line=key_node.start_mark.line + 1,
                    )
                key = self.build(key_node, path + ("<key>",))
                if isinstance(key, list | dict):
                    raise InputError(
                        "a mapping key must be a plain value",
                        file=self.source,
                        line=key_node.start_mark.line + 1,
                    )
                if key in out:
                    raise InputError(
                        f"duplicate key {key!r} (first at line "
                        f"{self.lines.get(path + (_key_text(key),), '?')})",
                        file=self.source,
                        line=key_node.start_mark.line + 1,
                    )
                child = path + (_key_text(key),)
                self.lines[child] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, child)
            return out
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.lines[path + (index,)] = item.start_mark.line + 1
                items.append(self.build(item, path + (index,)))
            return items
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError) as exc:
            what = "bad date" if node.tag.endswith(":timestamp") else "cannot read value"
            raise InputError(
                f"{what} {node.value!r}: {getattr(exc, 'problem', exc)}",
                file=self.source,
                line=node.start_mark.line + 1,
            ) from exc


def load_yaml_text(text: str, source: str = "<string>") -> LocatedYaml:
    """Parse one YAML document, raising :class:`InputError` with a line on any problem."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = ""
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            context = f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise InputError(
            f"malformed YAML: {exc.problem or exc.context}{context}",
            file=source,
            line=mark.line + 1 if mark else None,
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"malformed YAML: {exc}", file=source) from exc
    if node is None:
        return LocatedYaml(data=None, source=source)
    builder = _Builder(source)
    data = builder.build(node, ())
    return LocatedYaml(data=data, source=source, lines=builder.lines)


def load_yaml_file(path: str | Path) -> LocatedYaml:
    """Read and parse a YAML file; unreadable or non-UTF-8 files are input errors too."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError("file not found", file=p) from exc
    except IsADirectoryError as exc:
        raise InputError("is a directory, expected a YAML file", file=p) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=p) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=p) from exc
    return load_yaml_text(text, source=str(p))
