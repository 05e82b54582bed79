"""The per-area record targets (``immsim.data.area_records``) against figures counted by hand
from the same files with nothing but the standard library, and against each other."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

import polars as pl
import pytest

from immsim.data import area_records
from immsim.errors import InputError


def real(shared_data: Path, *parts: str) -> Path:
    path = shared_data.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"SKIPPED: {path} not found")
    return path


def fiscal_year(day: dt.date) -> int:
    return day.year + (day.month >= 10)


def value(frame: pl.DataFrame, area: str, year: int, outcome: str) -> float:
    row = frame.filter(
        (pl.col("area") == area) & (pl.col("fiscal_year") == year) & (pl.col("outcome") == outcome)
    )
    assert row.height == 1, (area, year, outcome, row)
    return float(row["value"][0])


def test_seattle_removals_are_the_rows_of_both_files_by_fiscal_year(shared_data: Path) -> None:
    files = [real(shared_data, "uwchr", name) for name in area_records.SEATTLE_REMOVALS]
    by_year: dict[int, int] = {}
    for path in files:
        with path.open(encoding="utf-8", errors="replace") as handle:
            rows = list(csv.reader(handle))
        header = next(i for i, r in enumerate(rows) if r and r[0] == "Departed Date")
        for row in rows[header + 1 :]:
            day = dt.datetime.strptime(row[0], "%m/%d/%Y").date()
            by_year[fiscal_year(day)] = by_year.get(fiscal_year(day), 0) + 1
    frame = area_records.seattle_removals(files[0].parent)
    # the release runs 1 January 2012 to 6 July 2019: FY2012 and FY2019 are cut, left out
    assert frame["fiscal_year"].to_list() == list(range(2013, 2019))
    for year in range(2013, 2019):
        assert value(frame, "sea", year, "removals") == by_year[year]
    assert value(frame, "sea", 2013, "removals") == 4471  # 3,667 other + 804 expedited


def test_release_coverage_keeps_only_whole_fiscal_years(tmp_path: Path) -> None:
    path = tmp_path / "release.csv"
    for stated, years in (
        ("(10/01/2011 - 09/30/2013)", range(2012, 2014)),
        ("(01/01/2012 - 07/06/2019)", range(2013, 2019)),
        ("(10/02/2011 - 09/29/2013)", range(2013, 2013)),
    ):
        path.write_text(f"Title line,,\nFY2012 - FY2013 {stated} Removals,,\n", encoding="utf-8")
        assert area_records.release_coverage(path).years == years
    path.write_text("Removals (02/30/2012 - 07/06/2019)\n", encoding="utf-8")
    with pytest.raises(InputError, match="day is out of range"):
        area_records.release_coverage(path)
    path.write_text("no dates here\n", encoding="utf-8")
    with pytest.raises(InputError, match="no date range"):
        area_records.release_coverage(path)


def test_seattle_arrests_sum_whole_fiscal_years(shared_data: Path) -> None:
    path = real(shared_data, "uwchr", area_records.SEATTLE_ARRESTS)
    totals: dict[int, int] = {}
    months: dict[int, set[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            year = fiscal_year(dt.date.fromisoformat(row["month"]))
            totals[year] = totals.get(year, 0) + int(row["n"])
            months.setdefault(year, set()).add(row["month"])
    whole = sorted(y for y, m in months.items() if len(m) == 12)
    assert whole == [2024, 2025]  # September 2023 alone is not FY2023
    frame = area_records.seattle_arrests(path)
    assert frame["fiscal_year"].to_list() == whole
    for year in whole:
        assert value(frame, "sea", year, "arrests") == totals[year]
    split = area_records.seattle_arrests_by_criminality(path)
    assert set(split["criminality"]) == {"convicted", "pending_charges", "other_violator"}
    assert split.filter(pl.col("fiscal_year") == 2024)["arrests"].sum() == totals[2024]


def test_detention_by_area_is_the_headcount_of_the_areas_facilities(shared_data: Path) -> None:
    counts = real(shared_data, "uwchr", area_records.HEADCOUNT)
    areas = real(shared_data, "uwchr", area_records.FACILITY_AREAS)
    with areas.open(encoding="utf-8") as handle:
        seattle = {
            r["detention_facility_code"]
            for r in csv.DictReader(handle)
            if r["area_of_responsibility"] == "Seattle Area of Responsibility"
        }
    held = 0
    with gzip.open(counts, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="|"):
            day = dt.date.fromisoformat(row["date"])
            if row["detention_facility_code"] in seattle and fiscal_year(day) == 2018:
                held += int(row["n"])
    frame = area_records.detention_by_area(counts, areas)
    assert value(frame, "sea", 2018, "detained") == pytest.approx(held / 365)
    # FY2024 is cut (the file ends in January 2024): not a whole year, left out; before FY2012
    # the file holds only stays booked in from FY2012
    assert (frame["fiscal_year"].min(), frame["fiscal_year"].max()) == (2012, 2023)


def test_detention_by_area_adds_up_to_the_national_average(shared_data: Path) -> None:
    """Summed over the areas, the headcount is within 10% of ICE's published national average
    daily population (what the areas leave out: facilities UWCHR's table places nowhere)."""
    counts = real(shared_data, "uwchr", area_records.HEADCOUNT)
    areas = real(shared_data, "uwchr", area_records.FACILITY_AREAS)
    published = {}
    with real(shared_data, "published_figures.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["metric"] == "ice_detention_adp" and row["period"] in {
                "FY2014",
                "FY2016",
                "FY2018",
            }:
                published[int(row["period"][2:])] = float(row["value"])
    assert len(published) == 3
    frame = area_records.detention_by_area(counts, areas)
    for year, national in published.items():
        total = frame.filter(pl.col("fiscal_year") == year)["value"].sum()
        assert 0.9 < total / national <= 1.0, (year, total, national)


def test_two_records_of_detention_by_area_agree(shared_data: Path) -> None:
    """FY2023: the Deportation Data Project's midnight counts and UWCHR's headcount, each summed
    over an area's facilities, agree within 7% in every area holding 100 people or more (San Francisco, the furthest, 6%)."""
    areas = real(shared_data, "uwchr", area_records.FACILITY_AREAS)
    ddp = area_records.ddp_detention_by_area(
        real(shared_data, "ddp", area_records.DDP_FY2023), areas
    )
    headcount = area_records.detention_by_area(
        real(shared_data, "uwchr", area_records.HEADCOUNT), areas
    ).filter(pl.col("fiscal_year") == 2023)
    both = ddp.join(headcount, on=["area", "fiscal_year", "outcome"], suffix="_headcount")
    large = both.filter(pl.col("value_headcount") >= 100)
    assert large.height >= 20
    ratio = large["value"] / large["value_headcount"]
    assert ((ratio - 1).abs() < 0.07).all(), large.select("area", "value", "value_headcount")


def test_area_targets_gather_every_record(shared_data: Path) -> None:
    real(shared_data, "uwchr", area_records.HEADCOUNT)
    targets = area_records.area_targets(shared_data)
    assert targets.schema == pl.Schema(area_records.TARGET_SCHEMA)
    outcomes = {
        (o, a) for o, a in targets.select("outcome", "area").unique().iter_rows() if a == "sea"
    }
    assert outcomes == {("removals", "sea"), ("arrests", "sea"), ("detained", "sea")}
    assert targets.filter(pl.col("outcome") == "detained")["area"].n_unique() >= 24
    assert targets["counts"].str.len_chars().min() > 40  # each says what it counts  # type: ignore[operator]


def test_area_targets_of_an_empty_folder_are_empty(tmp_path: Path) -> None:
    assert area_records.area_targets(tmp_path).is_empty()


def test_area_codes() -> None:
    assert area_records.code_of_area("Seattle Area of Responsibility") == "sea"
    assert area_records.code_of_area("St. Paul Area of Responsibility") == "spm"
    assert area_records.code_of_area("SEA") == "sea"
    assert area_records.code_of_area("NA") is None
    assert area_records.code_of_area("(b)(7)(E)") is None


ARRESTS_HEADER = "apprehension_criminality,month,apprehension_state,n\n"


def arrests_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "arrests.csv"
    path.write_text(ARRESTS_HEADER + "".join(rows), encoding="utf-8")
    return path


def test_arrests_of_a_year_with_a_month_missing_are_left_out(tmp_path: Path) -> None:
    months = [f"{2023 + (m < 10)}-{m:02d}-01" for m in (10, 11, 12, *range(1, 10))]
    rows = [f"1 Convicted Criminal,{m},WASHINGTON,2\n" for m in months]
    rows += [f"3 Other Immigration Violator,{m},OREGON,1\n" for m in months[:11]]  # still 12
    rows += ["2 Pending Criminal Charges,2024-10-01,NA,5\n"]  # FY2025: one month only
    frame = area_records.seattle_arrests(arrests_file(tmp_path, rows))
    assert frame.select("fiscal_year", "value").rows() == [(2024, 12 * 2 + 11 * 1)]


@pytest.mark.parametrize(
    "row",
    [
        "1 Convicted Criminal,2024-13-01,WASHINGTON,2\n",  # no such month
        "Mostly Harmless,2024-01-01,WASHINGTON,2\n",  # no such criminality
        "1 Convicted Criminal,2024-01-01,WASHINGTON,-1\n",  # no such count
        "1 Convicted Criminal,2024-01-01,WASHINGTON,(b)(6)\n",  # withheld count
    ],
)
def test_an_unreadable_arrests_row_is_an_error_naming_its_line(tmp_path: Path, row: str) -> None:
    good = "1 Convicted Criminal,2024-02-01,OREGON,3\n"
    with pytest.raises(InputError) as err:
        area_records.seattle_arrests(arrests_file(tmp_path, [good, row]))
    assert err.value.line == 3 and "arrests.csv" in str(err.value)


def test_a_facility_table_in_another_layout_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "facilities.csv"
    path.write_text("code,name,area\nSEATAWA,TACOMA,SEA\n", encoding="utf-8")
    with pytest.raises(InputError, match="unexpected header"):
        area_records.facility_areas(path)
