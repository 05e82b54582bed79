"""Bad parameter files fail with the file, the line and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from immsim.errors import InputError
from immsim.parameters.loader import load_tree_from


def _tree(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    folder = tmp_path / "tree"
    folder.mkdir(exist_ok=True)
    (folder / "demo.yaml").write_text(text, encoding="utf-8")
    return load_tree_from(folder, label="tree/")


GOOD = """\
beds:
  description: Beds.
  unit: beds
  values:
    2012-10-01: 34000
  reference:
    - title: A report
"""


def test_a_good_leaf_loads(tmp_path: Path) -> None:
    tree = _tree(tmp_path, GOOD)
    assert tree.get("demo.beds", "2013-01-01") == 34000


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (GOOD.replace("unit: beds", "unit: bedz"), 3, "unknown unit 'bedz'"),
        (
            GOOD.replace("    - title: A report\n", "").replace("  reference:\n", ""),
            1,
            "no `reference`",
        ),
        (GOOD.replace("34000", "lots"), 5, "expected a number"),
        (GOOD.replace("34000", "-5"), 5, "non-negative"),
        (GOOD.replace("2012-10-01", "2012-13-01"), 5, "bad date '2012-13-01'"),
        (
            GOOD.replace("  unit: beds\n", "  unit: beds\n  colour: red\n"),
            4,
            "unknown key 'colour'",
        ),
        (
            GOOD.replace("description: Beds.", "description: [unclosed"),
            3,
            "flow sequence at line 2",
        ),
        (GOOD + "  estimated: true\n", 1, "method"),
        (
            GOOD.replace("2012-10-01: 34000", "2012-10-01: 34000\n    '2012-10-01': 35000"),
            1,
            "share the date",
        ),
    ],
)
def test_bad_leaves_are_located(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        _tree(tmp_path, text)
    err = info.value
    assert fragment in str(err)
    assert err.file == "tree/demo.yaml"
    assert err.line == line


def test_unknown_unit_lists_the_allowed_units(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        _tree(tmp_path, GOOD.replace("unit: beds", "unit: bedz"))
    assert "beds" in (info.value.allowed or "")


def test_share_must_lie_between_zero_and_one(tmp_path: Path) -> None:
    text = GOOD.replace("unit: beds", "unit: share").replace("34000", "1.5")
    with pytest.raises(InputError, match="between 0 and 1"):
        _tree(tmp_path, text)


def test_estimate_without_reference_is_allowed_with_a_method(tmp_path: Path) -> None:
    text = GOOD.replace(
        "  reference:\n    - title: A report\n", "  estimated: true\n  method: ours\n"
    )
    tree = _tree(tmp_path, text)
    assert tree.entry("demo.beds", "2013-01-01").estimated


def test_a_fitted_value_must_lie_in_its_interval(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from immsim.errors import InputError
    from immsim.parameters.loader import load_tree_from

    folder = tmp_path / "tree"
    folder.mkdir()
    (folder / "x.yaml").write_text(
        "rate:\n  description: d\n  unit: share\n  values:\n"
        "    2011-01-01: {value: 0.5, estimated: true, interval_90: [0.6, 0.7], method: m}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="outside its interval_90"):
        load_tree_from(folder)
