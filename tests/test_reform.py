"""Reforms override any leaf over any date range, and bad ones are located errors."""

from __future__ import annotations

import datetime as dt

import pytest

from immsim.errors import InputError
from immsim.parameters import load_baseline, load_parameters, load_reform

BASE = load_baseline()


def test_override_replaces_from_its_date_and_until_restores(write) -> None:  # type: ignore[no-untyped-def]
    path = write(
        "r.yaml",
        "name: more-beds\noverrides:\n  detention.funded_beds:\n    unit: beds\n"
        "    values:\n      2017-01-01: 60000\n      2018-01-01: 70000\n    until: 2019-01-01\n",
    )
    reform = load_reform(path)
    tree = load_parameters(reform)
    assert tree.get("detention.funded_beds", "2016-12-31") == BASE.get(
        "detention.funded_beds", "2016-12-31"
    )
    assert tree.get("detention.funded_beds", "2017-01-01") == 60000
    assert tree.get("detention.funded_beds", "2018-06-01") == 70000
    # from `until`, the baseline value in force then, and its later changes, resume
    assert tree.get("detention.funded_beds", "2019-01-01") == BASE.get(
        "detention.funded_beds", "2019-01-01"
    )
    assert tree.get("detention.funded_beds", "2030-01-01") == BASE.get(
        "detention.funded_beds", "2030-01-01"
    )
    entry = tree.entry("detention.funded_beds", "2017-06-01")
    assert entry.origin == "reform:more-beds"
    assert entry.references and "more-beds" in entry.references[0].title
    # the baseline is untouched and reformed trees are cached per reform content
    assert BASE.get("detention.funded_beds", "2017-06-01") == 39324
    assert load_parameters(reform) is tree
    assert tree.fingerprint() != BASE.fingerprint()


def test_reformed_tree_cache_is_bounded(write) -> None:  # type: ignore[no-untyped-def]
    from immsim.parameters import loader

    for n in range(loader._REFORMED_MAX + 5):
        path = write(
            f"r{n}.yaml",
            f"name: r{n}\noverrides:\n  courts.immigration_judges:\n    values:\n      2027-01-01: {n}\n",
        )
        assert (
            load_parameters(load_reform(path)).get("courts.immigration_judges", "2028-01-01") == n
        )
    assert len(loader._REFORMED) == loader._REFORMED_MAX


def test_reform_without_until_holds_to_the_end(write) -> None:  # type: ignore[no-untyped-def]
    path = write(
        "r.yaml",
        "name: judges\noverrides:\n  courts.immigration_judges:\n    values:\n      2027-01-01: 1000\n",
    )
    tree = load_parameters(load_reform(path))
    assert tree.get("courts.immigration_judges", dt.date(2040, 1, 1)) == 1000
    assert tree.get("courts.immigration_judges", dt.date(2026, 12, 31)) == BASE.get(
        "courts.immigration_judges", dt.date(2026, 12, 31)
    )


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("  detention.funded_bedz:\n    values:\n      2017-01-01: 1\n", 3, "unknown parameter"),
        (
            "  detention.funded_beds:\n    unit: judges\n    values:\n      2017-01-01: 1\n",
            4,
            "wrong unit",
        ),
        ("  detention.funded_beds:\n    values:\n      2017-01-01: many\n", 5, "expected a number"),
        ("  detention.funded_beds:\n    values:\n      2017-02-30: 5\n", 5, "bad date"),
        (
            "  detention.funded_beds:\n    values:\n      2017-01-01: 5\n    until: 2016-01-01\n",
            3,
            "until",
        ),
        ("  detention.funded_beds:\n    valuez:\n      2017-01-01: 5\n", 4, "unknown key 'valuez'"),
    ],
)
def test_bad_reforms_are_located(write, body: str, line: int, fragment: str) -> None:  # type: ignore[no-untyped-def]
    path = write("bad.yaml", "name: bad\noverrides:\n" + body)
    with pytest.raises(InputError) as info:
        load_reform(path)
    assert fragment in str(info.value)
    assert info.value.file == str(path)
    assert info.value.line == line


def test_wrong_unit_says_which_is_allowed(write) -> None:  # type: ignore[no-untyped-def]
    path = write(
        "bad.yaml",
        "name: bad\noverrides:\n  detention.funded_beds:\n    unit: judges\n    values:\n      2017-01-01: 1\n",
    )
    with pytest.raises(InputError) as info:
        load_reform(path)
    assert info.value.allowed == "beds"


# --- fuzzing: whatever a reform file says, loading it succeeds or raises InputError ----------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from immsim.parameters.reform import parse_reform  # noqa: E402
from immsim.yamlio import load_yaml_text  # noqa: E402

leaf_keys = st.sampled_from([*BASE.keys(), "detention.nothing", "x"])
override_values = st.dictionaries(
    st.one_of(st.dates(), st.text(max_size=6), st.integers()),
    st.one_of(
        st.integers(-5, 10**6),
        st.floats(allow_nan=True),
        st.text(max_size=5),
        st.booleans(),
        st.none(),
    ),
    max_size=3,
)
overrides = st.dictionaries(
    leaf_keys,
    st.fixed_dictionaries(
        {"values": override_values},
        optional={
            "unit": st.sampled_from(["beds", "judges", "USD/day", "??"]),
            "until": st.dates(),
        },
    ),
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {"name": st.text(max_size=8)},
        optional={"overrides": overrides, "regime": st.text(max_size=5)},
    )
)
def test_fuzz_reforms(doc: dict) -> None:  # type: ignore[type-arg]
    import yaml

    try:
        reform = parse_reform(load_yaml_text(yaml.safe_dump(doc), "fuzz.yaml"))
    except InputError as exc:
        assert exc.file == "fuzz.yaml"
    else:
        tree = BASE.with_reform(reform)
        for key in reform.overrides:
            first = min(reform.overrides[key].values)
            assert tree.entry(key, first).origin.startswith("reform:")
