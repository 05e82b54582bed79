"""YAML reading that remembers where each value came from, and refuses what could blow up.

PyYAML's ``safe_load`` forgets line numbers and silently lets a duplicated key overwrite the
first one. Both matter here: error messages must name the line, and a parameter with two values
for the same date is an error, not a choice of the last. We therefore compose the node graph and
build plain Python objects ourselves, recording the line of every key path.

Files come from users and from the web page, so reading one must stay cheap whatever it holds.
Anchors and aliases (``&refs`` ... ``*refs``) are read, since our own tree uses them for shared
references, but what they expand to is counted: a kilobyte of nested aliases names billions of
values, and is refused once it passes a bound instead of being expanded. The size and the nesting
depth of a document are bounded too, so that neither the parser nor our builder can be driven
into a long run or a recursion crash. Each refusal is one :class:`InputError` naming the file.
Writing goes through :func:`dump_yaml`, which never emits anchors or aliases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from immsim.errors import InputError

MAX_YAML_BYTES = 512 * 1024
"""Implementation limit on a YAML document's size. The largest file we ship is about 30 KB and
a hand-written scenario, reform or regime a few KB; 512 KiB still holds some 5,000 profiles. At
the worst (a flow list of one-character items, ~250,000 nodes) such a document is read in about
a second and well under 200 MB, which keeps every input within the per-input budget."""

MAX_YAML_NODES = 100_000
"""Implementation limit on the values a document expands to, aliases expanded. A hand-written
file holds a few thousand (5,000 profiles of three keys each hold 30,000); the bound stops an
alias bomb after a fraction of a second and a few tens of MB, before it takes gigabytes."""

MAX_YAML_DEPTH = 40
"""Implementation limit on nesting (mappings and lists within each other). Our deepest files
(parameter tree, regimes) nest under 10 levels. The bound keeps the builder's recursion, and
PyYAML's own recursive composer when libyaml is missing, far from Python's recursion limit."""

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


class _Refused(Exception):
    """Raised while composing by the pure-Python loader; becomes an InputError with the file."""

    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = mark.line + 1 if mark is not None else None


class _GuardedLoader(yaml.SafeLoader):
    """The pure-Python loader, used when PyYAML was built without libyaml. Its composer recurses
    once per level, so deep nesting is refused here, before it can exhaust the stack."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise _Refused(_too_deep(), event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_LOADER: Any = getattr(yaml, "CSafeLoader", None) or _GuardedLoader
"""libyaml's parser and composer when PyYAML has them (several times faster, and it bounds
nesting itself); the guarded pure-Python loader otherwise."""


def _too_deep() -> str:
    return f"nested more than {MAX_YAML_DEPTH} levels deep"


def _first_alias_line(text: str) -> int | None:
    """Where the first alias is written. A composed graph shares the aliased node, whose marks
    are the anchor's, so the alias's own line is found by scanning the tokens (only on error)."""
    try:
        for token in yaml.scan(text, Loader=_LOADER):
            if isinstance(token, yaml.AliasToken):
                return int(token.start_mark.line) + 1
    except yaml.YAMLError:
        pass
    return None


class _Builder:
    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.text = text
        self.constructor = SafeConstructor()
        self.lines: dict[KeyPath, int] = {}
        self.seen: set[int] = set()
        self.aliased = False
        self.count = 0

    def build(self, node: yaml.Node, path: KeyPath, depth: int = 1) -> Any:
        # the composer hands an alias back as the very node it names, so a node met twice is
        # an alias being expanded; every value built counts, expanded or not
        if id(node) in self.seen:
            self.aliased = True
        else:
            self.seen.add(id(node))
        self.count += 1
        if self.count > MAX_YAML_NODES:
            line = _first_alias_line(self.text) if self.aliased else None
            raise InputError(
                f"expands to more than {MAX_YAML_NODES:,} values"
                + (" through its aliases (*name); write the values out" if self.aliased else ""),
                file=self.source,
                line=line or node.start_mark.line + 1,
            )
        if depth > MAX_YAML_DEPTH:
            line = _first_alias_line(self.text) if self.aliased else None
            raise InputError(
                _too_deep() + (" (a recursive alias?)" if self.aliased else ""),
                file=self.source,
                line=line or node.start_mark.line + 1,
            )
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
                key = self.build(key_node, path + ("<key>",), depth + 1)
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
                out[key] = self.build(value_node, child, depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.lines[path + (index,)] = item.start_mark.line + 1
                items.append(self.build(item, path + (index,), depth + 1))
            return items
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError, OverflowError) as exc:
            what = "bad date" if node.tag.endswith(":timestamp") else "cannot read value"
            raise InputError(
                f"{what} {str(node.value)[:80]!r}: {getattr(exc, 'problem', exc)}",
                file=self.source,
                line=node.start_mark.line + 1,
            ) from exc


def load_yaml_text(text: str, source: str = "<string>") -> LocatedYaml:
    """Parse one YAML document, raising :class:`InputError` with a line on any problem."""
    if len(text) > MAX_YAML_BYTES:
        raise InputError(_too_large(len(text)), file=source)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except _Refused as exc:
        raise InputError(exc.message, file=source, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = ""
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            context = f" ({exc.context} at line {exc.context_mark.line + 1})"
        problem = str(exc.problem or exc.context)
        if "nesting depth" in problem:  # libyaml's own bound on nesting
            problem = _too_deep()
        raise InputError(
            f"malformed YAML: {problem}{context}",
            file=source,
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"malformed YAML: {exc}", file=source) from None
    except UnicodeError:  # text that is not Unicode (lone surrogates) cannot be parsed
        raise InputError("not valid Unicode text", file=source) from None
    if node is None:
        return LocatedYaml(data=None, source=source)
    builder = _Builder(source, text)
    data = builder.build(node, ())
    return LocatedYaml(data=data, source=source, lines=builder.lines)


def _too_large(size: int) -> str:
    return f"too large for a YAML input ({size:,} bytes; at most {MAX_YAML_BYTES:,})"


def load_yaml_file(path: str | Path) -> LocatedYaml:
    """Read and parse a YAML file; unreadable, oversized or non-UTF-8 files are input errors
    too. At most one byte past the limit is read, so a device or a pipe cannot stall us."""
    p = Path(path)
    try:
        with p.open("rb") as handle:
            raw = handle.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError as exc:
        raise InputError("file not found", file=p) from exc
    except IsADirectoryError as exc:
        raise InputError("is a directory, expected a YAML file", file=p) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=p) from exc
    if len(raw) > MAX_YAML_BYTES:
        size = p.stat().st_size if p.is_file() else len(raw)
        raise InputError(_too_large(size), file=p)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=p) from exc
    return load_yaml_text(text, source=str(p))


class _NoAliasDumper(yaml.SafeDumper):
    """Writes a value each time it appears: PyYAML otherwise anchors any object met twice (the
    same date as a start and as a key, say) as ``&id001``, which no reader of ours accepts."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any) -> str:
    """YAML text for ``data`` (keys in their given order), without anchors or aliases."""
    return yaml.dump(data, Dumper=_NoAliasDumper, sort_keys=False, allow_unicode=True)
