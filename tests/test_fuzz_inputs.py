"""Fuzzing every loader and parser a user's file reaches: scenario, reform, regime and sweep
YAML, profiles, user strata (CSV and Parquet) and every ingest layout.

Each input starts from a valid file and is damaged the ways files are in the wild: cut at any
byte, a BOM, CRLF or CR line ends, another encoding, stray bytes, hostile numbers (huge, NaN,
infinite), path-like names, alias bombs and deep nesting. Whatever comes of it, the loader must
either read it or raise one InputError naming the file, within the per-input budget (2 s,
200 MB), and write nothing but the output it was asked for.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import resource
import shutil
import time
import tracemalloc
import uuid
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from record_examples import workbook_arrest_row
from strata_examples import user_rows
from test_data import ARREST_HEADER, EOIR_HEADER, PREAMBLE, arrest_row, eoir_row
from test_hostile_inputs import ALIAS_BOMB
from test_hostile_records import DDP_CSV_HEADER, REMOVAL_HEADER, fy2024_style, removal_row

from immsim.errors import InputError

SECONDS = 2.0
MEGABYTES = 200.0
FUZZ = settings(
    max_examples=60,
    deadline=dt.timedelta(seconds=4 * SECONDS),  # a backstop: within_budget times each input
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same inputs every run: a failure here is never a fluke
)
UNRAISABLE = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
"""An exception swallowed in a callback (pyarrow's bad-row handler, a finalizer) prints a raw
traceback to the user even when the file is then reported cleanly: here it fails the test."""

# --- the damage ------------------------------------------------------------------------------

HOSTILE_NUMBERS = (
    "1e400",
    "1.0e+19",
    "-1.0e+19",
    ".nan",
    ".inf",
    "-.inf",
    "NaN",
    "99999999999999999999999999999",
    "-1",
    "0x7fffffffffffffffffff",
    "1_000_000",
    "2**64",
)
PATH_NAMES = (
    "../../../elsewhere/x",
    "/etc/passwd",
    "a/b",
    "..",
    "C:\\\\x",
    "con",
    '"x\\0y"',
    "'-rf'",
    "~/x",
)
ENCODINGS = ("utf-16", "utf-32", "latin-1", "cp1252")


def _splice(raw: bytes, at: int, cut: int, insert: bytes) -> bytes:
    return raw[:at] + insert + raw[at + cut :]


@st.composite
def damaged(draw: st.DrawFn, raw: bytes, yaml_like: bool = True) -> bytes:
    """``raw`` with one to three kinds of damage."""
    kinds = ["truncate", "bom", "crlf", "cr", "encoding", "bytes", "delete", "number", "name"]
    kinds += ["repeat", *(("alias", "deep") if yaml_like else ())]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(kinds))
        at = draw(st.integers(0, len(raw)))
        if kind == "truncate":
            raw = raw[:at]
        elif kind == "bom":
            raw = b"\xef\xbb\xbf" + raw
        elif kind == "crlf":
            raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        elif kind == "cr":
            raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
        elif kind == "encoding":
            encoding = draw(st.sampled_from(ENCODINGS))
            raw = raw.decode("utf-8", errors="replace").encode(encoding, errors="replace")
        elif kind == "bytes":
            raw = _splice(raw, at, 0, draw(st.binary(min_size=1, max_size=8)))
        elif kind == "delete":
            raw = _splice(raw, at, draw(st.integers(1, 40)), b"")
        elif kind == "number":
            digits = [i for i, b in enumerate(raw) if 48 <= b <= 57]
            if digits:
                i = draw(st.sampled_from(digits))
                j = i
                while j < len(raw) and (48 <= raw[j] <= 57 or raw[j] == 46):
                    j += 1
                raw = _splice(raw, i, j - i, draw(st.sampled_from(HOSTILE_NUMBERS)).encode())
        elif kind == "name":
            where = raw.find(b"name: ")
            if where >= 0:
                end = raw.find(b"\n", where)
                end = len(raw) if end < 0 else end
                raw = raw[: where + 6] + draw(st.sampled_from(PATH_NAMES)).encode() + raw[end:]
        elif kind == "repeat":
            lines = raw.splitlines(keepends=True)
            if lines:
                line = draw(st.sampled_from(lines))
                raw = raw + line * draw(st.integers(1, 3))
        elif kind == "alias":
            raw = raw + b"\n" + ALIAS_BOMB.replace("a:", "zz_a:").encode()
        elif kind == "deep":
            depth = draw(st.integers(30, 3000))
            raw = raw + b"\nzz_deep: " + b"[" * depth + b"]" * depth + b"\n"
    return raw


# --- the budget -------------------------------------------------------------------------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def within_budget(action: Callable[[int], Any], trace: bool = True) -> Any:
    """Run ``action`` twice (it is told which run it is): once timed, once with its Python
    allocations traced (tracing slows Python several times over), and the process's peak
    resident memory watched across both (it catches native allocations that push it higher).
    What the first run raises, or returns, is the answer. ``trace=False``: timed only, for
    inputs whose memory test_hostile_inputs already traces."""
    before = _rss_mb()
    began = time.perf_counter()
    failed: Exception | None = None
    result: Any = None
    try:
        result = action(0)
    except Exception as err:
        failed = err
    elapsed = time.perf_counter() - began
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    if not trace:
        if failed is not None:
            raise failed
        return result
    tracemalloc.start()
    try:
        action(1)
    except Exception:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < MEGABYTES * 1e6, f"{peak / 1e6:.0f} MB of Python allocations"
    assert _rss_mb() - before < MEGABYTES, f"resident memory grew {_rss_mb() - before:.0f} MB"
    if failed is not None:
        raise failed
    return result


def _fresh(tmp_path: Path, name: str, raw: bytes) -> tuple[Path, Path]:
    folder = tmp_path / uuid.uuid4().hex
    folder.mkdir()
    path = folder / name
    path.write_bytes(raw)
    return folder, path


def expect_read_or_located(folder: Path, path: Path, load: Callable[[Path], Any]) -> None:
    """``load(path)`` reads the file or raises one InputError naming it; nothing is written."""
    try:
        within_budget(lambda run: load(path))
    except InputError as err:
        assert err.file == str(path), f"{err} names {err.file!r}, not the input"
        assert err.message.strip()
    assert [p.name for p in folder.iterdir()] == [path.name]


# --- YAML and the user's own tables ---------------------------------------------------------

SCENARIO = b"""\
name: fuzz
description: A scenario to damage.
regime: nov2014
start: 2015-10-01
horizon_years: 2
seed: 7
reform:
  name: inline
  overrides:
    courts.immigration_judges:
      values:
        2016-01-01: 400
      until: 2017-01-01
uncertainties:
  flows.emigration_rate: {dist: uniform, low: 0.02, high: 0.04}
"""
REFORM = b"""\
name: more-beds
regime: eo13768
overrides:
  detention.funded_beds:
    unit: beds
    values:
      2017-01-01: 60000
      2018-01-01: {value: 70000, note: a note}
    until: 2019-01-01
  border.record.air_share:
    values:
      2017-01-01: 0.5
"""
SWEEP = b"""\
name: officers-vs-judges
scenario: default
horizon_years: 3
levers:
  enforcement.ero_deportation_officers: [6100, 11100, 16100]
  courts.immigration_judges: [600, 900]
uncertainties:
  flows.emigration_rate: {dist: uniform, low: 0.02, high: 0.04}
draws: 2
seed: 1
"""


def _repo() -> Path:
    return Path(__file__).resolve().parents[1]


def _load_scenario(path: Path) -> Any:
    from immsim.scenario import load_scenario

    return load_scenario(path)


def _load_reform(path: Path) -> Any:
    from immsim.parameters import load_reform

    return load_reform(path)


def _load_regime(path: Path) -> Any:
    from immsim.regimes.catalog import load_regime

    return load_regime(path)


def _load_sweep(path: Path) -> Any:
    from immsim.analysis.sweep import load_spec

    return load_spec(path)


def _load_profiles(path: Path) -> Any:
    from immsim.regimes.profiles import load_profiles

    return load_profiles(path)


def _load_strata(path: Path) -> Any:
    from immsim.population.strata_io import load_population

    return load_population(path, dt.date(2020, 1, 1))


def _strata_rows() -> pl.DataFrame:
    rows = user_rows()
    rows.append({**rows[0], "aor": "nyc", "count": 7})
    return pl.DataFrame(rows)


def _strata_csv() -> bytes:
    return _strata_rows().write_csv().encode()


def _strata_parquet() -> bytes:
    buffer = io.BytesIO()
    _strata_rows().write_parquet(buffer)
    return buffer.getvalue()


Loader = tuple[str, Callable[[], bytes], Callable[[Path], Any]]
YAML_LOADERS: dict[str, Loader] = {
    "scenario": ("s.yaml", lambda: SCENARIO, _load_scenario),
    "reform": ("r.yaml", lambda: REFORM, _load_reform),
    "regime": (
        "mine.yaml",
        lambda: (_repo() / "src/immsim/parameters/regimes/nov2014.yaml").read_bytes(),
        _load_regime,
    ),
    "sweep": ("sweep.yaml", lambda: SWEEP, _load_sweep),
    "profiles": (
        "profiles.yaml",
        lambda: (_repo() / "docs/examples/profiles.yaml").read_bytes(),
        _load_profiles,
    ),
}
TABLE_LOADERS: dict[str, Loader] = {
    "strata_csv": ("strata.csv", _strata_csv, _load_strata),
    "strata_parquet": ("strata.parquet", _strata_parquet, _load_strata),
}
LOADERS = {**YAML_LOADERS, **TABLE_LOADERS}


@cache
def loader_seed(kind: str) -> bytes:
    """Each seed built once: hypothesis must see the same bytes each time it replays."""
    return LOADERS[kind][1]()


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_each_seed_file_is_valid(tmp_path: Path, kind: str) -> None:
    """The fuzzing starts from files that load: otherwise it would only test the first error."""
    name, _, load = LOADERS[kind]
    load(_fresh(tmp_path, name, loader_seed(kind))[1])


@FUZZ
@given(data=st.data(), kind=st.sampled_from(sorted(YAML_LOADERS)))
def test_fuzzed_yaml_inputs_load_or_fail_located(
    tmp_path: Path, data: st.DataObject, kind: str
) -> None:
    name, _, load = YAML_LOADERS[kind]
    raw = data.draw(damaged(loader_seed(kind)), label="file")
    folder, path = _fresh(tmp_path, name, raw)
    expect_read_or_located(folder, path, load)


@settings(FUZZ, max_examples=30)
@given(data=st.data(), kind=st.sampled_from(sorted(TABLE_LOADERS)))
def test_fuzzed_strata_tables_load_or_fail_located(
    tmp_path: Path, data: st.DataObject, kind: str
) -> None:
    name, _, load = TABLE_LOADERS[kind]
    raw = data.draw(damaged(loader_seed(kind), yaml_like=False), label="file")
    folder, path = _fresh(tmp_path, name, raw)
    expect_read_or_located(folder, path, load)


HOSTILE_YAML: dict[str, Callable[[bytes], bytes]] = {
    "alias bomb": lambda raw: raw + b"\n" + ALIAS_BOMB.replace("a:", "zz_a:").encode(),
    "deep nesting": lambda raw: raw + b"\nzz: " + b"[" * 900 + b"]" * 900 + b"\n",
    "block nesting": lambda raw: (
        raw
        + b"\nzz:\n"
        + b"".join(b" " * (i + 1) + b"k:\n" for i in range(60))
        + b" " * 70
        + b"x\n"
    ),
    "utf-16": lambda raw: raw.decode().encode("utf-16"),
    "nul byte": lambda raw: raw.replace(b"\n", b"\n\x00", 1),
    "huge file": lambda raw: raw + b"#" * (600 * 1024),
}


@pytest.mark.parametrize("damage", sorted(HOSTILE_YAML))
@pytest.mark.parametrize("kind", sorted(YAML_LOADERS))
def test_hostile_yaml_is_one_located_error(tmp_path: Path, kind: str, damage: str) -> None:
    name, _, load = YAML_LOADERS[kind]
    folder, path = _fresh(tmp_path, name, HOSTILE_YAML[damage](loader_seed(kind)))
    with pytest.raises(InputError) as info:
        within_budget(lambda run: load(path), trace=False)
    assert info.value.file == str(path)
    assert [p.name for p in folder.iterdir()] == [path.name]


@pytest.mark.parametrize("damage", ["bom", "crlf", "cr"])
@pytest.mark.parametrize("kind", sorted(YAML_LOADERS))
def test_line_ends_and_a_bom_still_load(tmp_path: Path, kind: str, damage: str) -> None:
    name, _, load = YAML_LOADERS[kind]
    raw = loader_seed(kind)
    raw = {
        "bom": b"\xef\xbb\xbf" + raw,
        "crlf": raw.replace(b"\n", b"\r\n"),
        "cr": raw.replace(b"\n", b"\r"),
    }[damage]
    load(_fresh(tmp_path, name, raw)[1])


# --- every ingest layout -------------------------------------------------------------------


def build_bytes(build: Callable[[Path], None]) -> bytes:
    """The bytes of a workbook ``build`` writes (to a temporary folder, removed after)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        build(path)
        return path.read_bytes()


def _person_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["ERO-LESA Statistical Tracking Unit"])
    ws.append(ARREST_HEADER.strip().split(","))
    for day in range(3):
        ws.append(workbook_arrest_row(dt.datetime(2020, 11, 1 + day)))
    book.save(path)


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def _ddp_parquet() -> bytes:
    return _parquet(
        pl.DataFrame(
            {
                "detention_facility_code": ["ADAMSMS", "ABQHOLD"],
                "date": [dt.date(2023, 1, 1), dt.date(2023, 1, 2)],
                "n_detained": [958, 2],
                "n_detained_at_midnight": [947, 2],
                "n_detained_male": [958, 1],
                "n_detained_female": [0, 1],
                "n_detained_convicted_criminal": [39, 0],
                "n_detained_possibly_under_18": [0, 1],
                "detention_facility": ["ADAMS COUNTY CORRECTIONAL CENTER", "ALBUQUERQUE HOLD"],
            }
        )
    )


def _arrests_parquet() -> bytes:
    return _parquet(
        pl.DataFrame(
            {
                "apprehension_date": [dt.datetime(2023, 12, 1, 8, 30), dt.datetime(2024, 2, 1)],
                "apprehension_aor": ["Seattle Area of Responsibility", "SEA"],
                "apprehension_method": ["CAP Local Incarceration", "Worksite Enforcement"],
                "apprehension_criminality": ["1 Convicted Criminal", "2 Pending Criminal Charges"],
                "citizenship_country": ["MEXICO", "INDIA"],
                "gender": ["Male", "Female"],
            }
        )
    )


DETAINER_HEADER = (
    "Detainer Prepare Date,Facility State,Facility AOR,Detainer Prepared Criminality,Gender,"
    "Citizenship Country,Detainer Lift Reason\n"
)
ENCOUNTER_HEADER = (
    "Event Date,Event Type,Encounter Criminality,Responsible AOR,Processing Disposition,"
    "Citizenship Country,Gender\n"
)
STINT_HEADER = (
    "Stay Book In Date Time,Book In Date Time,Detention Book Out Date Time,"
    "Detention Facility Code,Detention Release Reason,Book In Criminality,Citizenship Country,"
    "Gender\n"
)
STINT_ROW = (
    "10/01/2019 08:15,10/01/2019 08:15,10/11/2019 09:00,TACWA,Removed,1 Convicted Criminal,"
    "MEXICO,Male\n"
)

LAYOUTS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "lesa_arrests": ("arrests.csv", lambda: (PREAMBLE + ARREST_HEADER + arrest_row() * 3).encode()),
    "lesa_arrests_gz": (
        "arrests.csv.gz",
        lambda: gzip.compress((ARREST_HEADER + arrest_row() * 3).encode(), mtime=0),
    ),
    "lesa_removals": ("removals.csv", lambda: (REMOVAL_HEADER + removal_row() * 3).encode()),
    "lesa_detainers": (
        "detainers.csv",
        lambda: (
            DETAINER_HEADER + "2/3/2019,WA,SEA,1 Convicted Criminal,Male,MEXICO,\n" * 3
        ).encode(),
    ),
    "lesa_encounters": (
        "encounters.csv",
        lambda: (
            ENCOUNTER_HEADER + "10/1/2024,Custodial,1 Convicted Criminal,SEA,NTA,MEXICO,Male\n" * 3
        ).encode(),
    ),
    "lesa_detention_stints": ("stints.csv", lambda: (STINT_HEADER + STINT_ROW * 3).encode()),
    "lesa_arrests_parquet": ("arrests.parquet", _arrests_parquet),
    "lesa_arrests_xlsx": ("arrests.xlsx", lambda: build_bytes(_person_workbook)),
    "detention_headcount": (
        "headcount.csv",
        lambda: b"detention_facility_code|n|date\nABC|3|2020-01-01\nXYZ|12|2020-01-02\n",
    ),
    "eoir_proceedings": (
        "B_TblProceeding.csv",
        lambda: ("\t".join(EOIR_HEADER) + "\n" + eoir_row() * 3).encode(),
    ),
    "ddp_facility_daily_csv": (
        "daily.csv",
        lambda: (DDP_CSV_HEADER + '"COOK INLET, ANCH",AK,2023-09-01,10,9,8,2,3,0\n' * 3).encode(),
    ),
    "ddp_facility_daily_parquet": ("daily.parquet", _ddp_parquet),
    "ice_detention_stats": ("FY24.xlsx", lambda: build_bytes(fy2024_style)),
}


@cache
def layout_seed(layout: str) -> bytes:
    """Each seed built once: a workbook records when it was saved, and hypothesis must see the
    same bytes each time it replays an input."""
    return LAYOUTS[layout][1]()


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_layout_seed_is_detected_and_ingested(tmp_path: Path, layout: str) -> None:
    from immsim.data.ingest import detect, ingest

    name, _ = LAYOUTS[layout]
    _, path = _fresh(tmp_path, name, layout_seed(layout))
    expected = layout.removesuffix("_gz").removesuffix("_xlsx")
    assert detect(path) == expected.replace("arrests_parquet", "arrests")
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_written > 0 and report.rows_rejected == 0


def _ingest_or_located(folder: Path, path: Path) -> None:
    from immsim.data.ingest import ingest

    outs = [folder / "out", folder / "out-traced"]
    try:
        reports = within_budget(lambda run: ingest([path], outs[run]))
    except InputError as err:
        assert err.file == str(path), f"{err} names {err.file!r}, not the input"
        assert [p.name for p in folder.iterdir()] == [path.name]  # nothing written
        return
    (report,) = reports
    assert report.rows_read == report.rows_written + report.rows_rejected
    assert sorted(p.name for p in folder.iterdir()) == sorted([path.name, *(o.name for o in outs)])
    for out in outs:
        shutil.rmtree(out)


@settings(FUZZ, max_examples=150)
@given(data=st.data(), layout=st.sampled_from(sorted(LAYOUTS)))
@UNRAISABLE
def test_fuzzed_records_ingest_or_fail_located(
    tmp_path: Path, data: st.DataObject, layout: str
) -> None:
    name, _ = LAYOUTS[layout]
    raw = data.draw(damaged(layout_seed(layout), yaml_like=False), label="file")
    folder, path = _fresh(tmp_path, name, raw)
    _ingest_or_located(folder, path)


@UNRAISABLE
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_records_cut_at_every_tenth_byte_ingest_or_fail_located(
    tmp_path: Path, layout: str
) -> None:
    raw = layout_seed(layout)
    for cut in range(0, len(raw), max(1, len(raw) // 10)):
        folder, path = _fresh(tmp_path, LAYOUTS[layout][0], raw[:cut])
        _ingest_or_located(folder, path)
