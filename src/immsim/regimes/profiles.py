"""Files of hypothetical profiles, for checking what a regime's rules do."""

from __future__ import annotations

from pathlib import Path

from immsim.errors import InputError
from immsim.regimes.model import Profile
from immsim.validation import validate_located
from immsim.yamlio import load_yaml_file

MAX_PROFILES = 10_000


def load_profiles(path: str | Path) -> list[Profile]:
    """Read ``profiles: [{label: ..., criminal_history: ..., entry_year: ...}, ...]``."""
    located = load_yaml_file(path)
    data = located.data
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), list):
        raise InputError(
            "expected a mapping with a `profiles:` list",
            file=located.source,
            line=1,
            allowed="profiles: [{label: ..., criminal_history: ..., entry_year: ...}]",
        )
    extra = sorted(set(data) - {"profiles", "description"})
    if extra:
        raise InputError(
            f"unknown key {extra[0]!r}",
            file=located.source,
            line=located.line_of((extra[0],)),
            allowed=["description", "profiles"],
        )
    items = data["profiles"]
    if not items:
        raise InputError(
            "`profiles` is empty", file=located.source, line=located.line_of(("profiles",))
        )
    if len(items) > MAX_PROFILES:
        raise InputError(
            f"too many profiles ({len(items)}); at most {MAX_PROFILES}", file=located.source
        )
    return [
        validate_located(Profile, located, data=item, base=("profiles", i))
        for i, item in enumerate(items)
    ]
