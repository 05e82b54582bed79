"""Turn pydantic validation failures into one located, readable :class:`InputError`, and the
checks that several kinds of input share (names that become folder names, seeds)."""

from __future__ import annotations

import operator
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from immsim.errors import InputError
from immsim.yamlio import KeyPath, LocatedYaml

M = TypeVar("M", bound=BaseModel)

MAX_SEED = 2**63 - 1
"""Implementation limit: seeds are stored as signed 64-bit integers (NumPy, Parquet metadata,
run manifests), so 2**63 - 1 is the largest one that survives a round trip unchanged."""

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")
"""A name that becomes a folder or file name (``runs/<scenario>-...``): no separators, no
leading dot or dash, nothing a shell or a file system reads specially; 120 characters at most
keeps ``<name>-<seed>-<hash>`` within every file system's 255-byte limit."""

SAFE_NAME_ALLOWED = "1 to 120 letters, digits, '.', '_' or '-', starting with a letter or a digit"


def name_problem(value: str) -> str | None:
    """Why ``value`` cannot name a run's folder, or None if it can."""
    if SAFE_NAME.fullmatch(value) and value.isascii():
        return None
    return f"unsafe name {value[:60]!r}: use {SAFE_NAME_ALLOWED} (it names the output folder)"


def check_seed(seed: Any, key: str = "seed") -> int:
    """A random seed as a plain int, or an :class:`InputError`: negative seeds crash NumPy's
    generators, and seeds of 2**64 and more were silently wrapped onto small ones."""
    try:
        value = operator.index(seed) if not isinstance(seed, bool) else None
    except TypeError:
        value = None
    if value is None or not 0 <= value <= MAX_SEED:
        raise InputError(
            f"the seed must be a whole number from 0 to {MAX_SEED} (got {str(seed)[:40]})",
            key=key,
            allowed=f"0 to 2**63 - 1 ({MAX_SEED})",
        )
    return value


def _allowed_for(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """The field names allowed at the parent of ``loc``, when the parent is a model."""
    current: Any = model
    for part in loc[:-1]:
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return None
        annotation = fields[part].annotation
        current = annotation
    fields = getattr(current, "model_fields", None)
    if fields is None:
        return None
    return sorted(fields)


def validate_located(
    model: type[M],
    located: LocatedYaml,
    *,
    data: Any = None,
    base: KeyPath = (),
    context: dict[str, Any] | None = None,
) -> M:
    """Validate ``data`` (default: the whole document) as ``model``, locating the first error."""
    payload = located.data if data is None else data
    if payload is None and not base:
        raise InputError("the file is empty", file=located.source, line=1)
    if not isinstance(payload, dict):
        raise InputError(
            f"expected a mapping of keys to values, found {type(payload).__name__}",
            file=located.source,
            line=located.line_of(base) or 1,
        )
    try:
        return model.model_validate(payload, context=context)
    except ValidationError as exc:
        raise located_error(exc, model, located, base) from None


def located_error(
    exc: ValidationError, model: type[BaseModel], located: LocatedYaml, base: KeyPath = ()
) -> InputError:
    """The first pydantic error as an InputError with the file, the line and what is allowed."""
    errors = exc.errors(include_url=False)
    # An unknown key is usually a typo that also explains a "missing" error: report it first.
    err = sorted(errors, key=lambda e: e["type"] != "extra_forbidden")[0]
    loc = tuple(err["loc"])
    key = ".".join(str(part) for part in base + loc) or None
    line = located.line_of(base + loc)
    allowed: list[str] | None = None
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        allowed = _allowed_for(model, loc)
        message = f"unknown key {loc[-1]!r}"
    elif err["type"] == "missing":
        message = "required key is missing"
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    extra = len(exc.errors()) - 1
    if extra > 0:
        message += f" (and {extra} more problem{'s' if extra > 1 else ''})"
    return InputError(message, file=located.source, line=line, key=key, allowed=allowed)
