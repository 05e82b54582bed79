"""Benchmark: ingesting a national-size ERO-LESA arrests file (target >= 1 million rows/s per
core, bounded memory).

Generates a 2-million-row arrests CSV in the national layout (FOIA preamble, redacted
identifier column, 1% bad rows), then runs ``immsim data ingest`` on it in a child process
pinned to one core (POLARS_MAX_THREADS=1, pyarrow single-threaded). The baseline, in the same
run and on the same file, is the same normalization written with plain ``pandas.read_csv``.

Run: ``.venv/bin/python -m pip install -e ".[bench]" && .venv/bin/python benchmarks/bench_ingest.py``
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import polars as pl
from _harness import child_main, run_isolated

ROWS = 2_000_000
SINGLE_CORE = {"POLARS_MAX_THREADS": "1", "OMP_NUM_THREADS": "1"}
PREAMBLE = (
    "ERO-LESA Statistical Tracking Unit,,,,,,,,,\n"
    "For Official Use Only (FOUO)/Pre-decisional,,,,,,,,,\n"
    ",,,,,,,,,\n"
)
METHODS = [
    "CAP Local Incarceration",
    "CAP State Incarceration",
    "Located",
    "Non-Custodial Arrest",
    "287(g) Program",
    "Probation and Parole",
    "Worksite Enforcement",
]
CRIMS = ["1 Convicted Criminal", "2 Pending Criminal Charges", "3 Other Immigration Violator"]


def generate(path: Path) -> None:
    rng = np.random.default_rng(1)
    days = rng.integers(0, 3650, ROWS)
    dates = (np.datetime64("2012-10-01") + days).astype("datetime64[D]")
    frame = pl.DataFrame(
        {
            "Apprehension Date": pl.Series(dates).dt.strftime("%m/%d/%Y"),
            "Apprehension State": rng.choice(["TX", "CA", "FL", "NY", "WA"], ROWS),
            "Apprehension AOR": rng.choice(["HOU", "LOS", "MIA", "NYC", "SEA"], ROWS),
            "Apprehension Method": rng.choice(METHODS, ROWS),
            "Apprehension Criminality": rng.choice(CRIMS, ROWS),
            "Case Category": rng.choice(["[16] Reinstated Final Order", "[3] Deportable"], ROWS),
            "Final Order Yes No": rng.choice(["YES", "NO"], ROWS),
            "Citizenship Country": rng.choice(["MEXICO", "GUATEMALA", "HONDURAS", "CHINA"], ROWS),
            "Gender": rng.choice(["Male", "Female"], ROWS),
            "Unique Identifier": "(b)(6)",
        }
    )
    bad = rng.random(ROWS) < 0.01
    frame = frame.with_columns(
        pl.when(pl.Series(bad))
        .then(pl.lit("Teleportation"))
        .otherwise(pl.col("Apprehension Method"))
        .alias("Apprehension Method")
    )
    with path.open("w", encoding="utf-8") as handle:
        handle.write(PREAMBLE)
    with path.open("a", encoding="utf-8") as handle:
        frame.write_csv(handle)


def immsim_ingest(path: Path) -> dict[str, float]:
    from immsim.data.ingest import ingest

    out = Path(tempfile.mkdtemp()) / "out"
    t0 = time.perf_counter()
    (report,) = ingest([path], out)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "rows": report.rows_read, "written": report.rows_written}


def pandas_ingest(path: Path) -> dict[str, float]:
    import pandas as pd

    from immsim.data.schema import METHOD_CHANNELS

    t0 = time.perf_counter()
    frame = pd.read_csv(path, skiprows=3, dtype=str, keep_default_na=False)
    out = pd.DataFrame()
    out["event_date"] = pd.to_datetime(
        frame["Apprehension Date"], format="%m/%d/%Y", errors="coerce"
    )
    out["channel"] = frame["Apprehension Method"].str.strip().str.lower().map(METHOD_CHANNELS)
    crim = frame["Apprehension Criminality"].str.lower()
    out["criminality"] = np.select(
        [crim.str.contains("convicted"), crim.str.contains("pending"), crim.str.contains("other")],
        ["convicted", "pending_charges", "other_violator"],
        default=None,
    )
    out["citizenship_country"] = frame["Citizenship Country"].str.upper()
    out["gender"] = frame["Gender"].str.lower()
    out["aor"] = frame["Apprehension AOR"].str.upper()
    out["case_category_code"] = frame["Case Category"].str.extract(r"^\[([^\]]+)\]", expand=False)
    good = out["event_date"].notna() & out["channel"].notna() & out["criminality"].notna()
    out = out[good].copy()
    out["fiscal_year"] = out["event_date"].dt.year + (out["event_date"].dt.month >= 10)
    target = Path(tempfile.mkdtemp()) / "arrest.parquet"
    out.to_parquet(target)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "rows": len(frame), "written": int(good.sum())}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "arrests.csv"
        generate(path)
        size = path.stat().st_size / 1e6
        fast = run_isolated(__file__, "immsim", str(path), env=SINGLE_CORE)
        slow = run_isolated(__file__, "pandas", str(path), env=SINGLE_CORE)
    print(f"arrests file: {ROWS:,} rows, {size:,.0f} MB, 1% with an unknown arrest method")
    for name, r in (("immsim data ingest", fast), ("pandas.read_csv baseline", slow)):
        print(
            f"  {name:25s}: {r['seconds']:6.2f} s, {r['rows'] / r['seconds'] / 1e6:5.2f} M rows/s "
            f"on one core, peak {r['peak_mb']:5.0f} MB, {r['written']:,.0f} rows written"
        )
    print(
        f"  ratio                    : {slow['seconds'] / fast['seconds']:6.1f}x faster (target >= 1 M rows/s)"
    )


if __name__ == "__main__" and not child_main(
    {"immsim": lambda p: immsim_ingest(Path(p)), "pandas": lambda p: pandas_ingest(Path(p))}
):
    main()
