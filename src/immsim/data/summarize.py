"""Monthly and yearly flows from an ingested folder, checked against published figures.

Queries run in DuckDB over the Parquet files (views named after the event kinds), so a folder of
any size is summarized without loading it into memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from immsim.data.figures import fiscal_year_figures
from immsim.data.schema import EVENT_KINDS
from immsim.errors import InputError

KINDS = (*EVENT_KINDS, "published_stats")
TOP = 15

BREAKDOWNS = {
    "arrest": ("channel", "method", "criminality", "citizenship_country", "aor"),
    "removal": ("removal_kind", "criminality", "citizenship_country", "aor"),
    "encounter": ("channel", "criminality", "aor"),
    "detainer": ("criminality", "aor"),
}


def connect(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per event kind found in ``folder``."""
    if not folder.is_dir():
        raise InputError("no such folder", file=str(folder))
    con = duckdb.connect()
    found = False
    for kind in KINDS:
        parts = sorted((folder / kind).glob("*.parquet"))
        if parts:
            files = ", ".join(f"'{p.as_posix()}'" for p in parts)
            con.execute(f"CREATE VIEW {kind} AS SELECT * FROM read_parquet([{files}])")
            found = True
    if not found:
        raise InputError(
            "no ingested tables here (expected folders such as arrest/, removal/)",
            file=str(folder),
            allowed="a folder written by `immsim data ingest`",
        )
    return con


def _views(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The views made over the ingested folder: DuckDB's own catalog views (duckdb_tables,
    pg_class, information_schema ...) are in duckdb_views() too, marked internal."""
    rows = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    return {row[0] for row in rows} & set(KINDS)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    result = con.execute(sql)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def key_figures(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, int], float]:
    """Figures comparable with published_figures.csv, by (metric, fiscal year)."""
    views = _views(con)
    out: dict[tuple[str, int], float] = {}
    if "published_stats" in views:
        for fy, value in con.execute(
            "SELECT fiscal_year, value FROM published_stats WHERE \"table\" = 'removals' "
            "AND row_label = 'Total'"
        ).fetchall():
            out[("ice_removals_total", int(fy))] = float(value)
        for fy, value in con.execute(
            'SELECT fiscal_year, value FROM published_stats WHERE "table" = '
            "'adp_by_agency_month_criminality' AND row_label = 'Average' AND row_group = '' "
            "AND column_label = 'FY Overall'"
        ).fetchall():
            out[("ice_detention_adp", int(fy))] = float(value)
        for fy, value in con.execute(
            'SELECT fiscal_year, value FROM published_stats WHERE "table" = '
            "'book_ins_by_facility_criminality' AND row_label = 'Total' AND column_label = 'Total'"
        ).fetchall():
            out[("ice_initial_book_ins", int(fy))] = float(value)
    if "court_case" in views:
        for fy, value in con.execute(
            "SELECT fiscal_year, count(*) FROM court_case WHERE event_date IS NOT NULL GROUP BY 1"
        ).fetchall():
            out[("eoir_total_completions", int(fy))] = float(value)
    if "detention_stay" in views:
        for fy, value in con.execute(
            "SELECT fiscal_year, avg(total) FROM (SELECT fiscal_year, event_date, sum(persons) "
            "AS total FROM detention_stay GROUP BY ALL) GROUP BY fiscal_year"
        ).fetchall():
            out[("ice_detention_adp_from_headcount", int(fy))] = float(value)
    return out


def published(path: Path) -> dict[tuple[str, int], tuple[float, str]]:
    """Published fiscal-year figures: (value, source) by (metric, year)."""
    return {key: (f.value, f.source) for key, f in fiscal_year_figures(path).items()}


ALIASES = {"ice_detention_adp_from_headcount": "ice_detention_adp"}


def summarize(folder: Path, figures: Path | None = None) -> dict[str, Any]:
    con = connect(folder)
    views = _views(con)
    summary: dict[str, Any] = {"folder": str(folder), "tables": sorted(views)}
    for kind, dims in BREAKDOWNS.items():
        if kind not in views:
            continue
        block: dict[str, Any] = {
            "yearly": _rows(
                con,
                f"SELECT fiscal_year, count(*) AS events FROM {kind} GROUP BY 1 ORDER BY 1",
            ),
            "monthly": _rows(
                con,
                f"SELECT strftime(event_date, '%Y-%m') AS month, count(*) AS events FROM {kind} "
                "GROUP BY 1 ORDER BY 1",
            ),
        }
        for dim in dims:
            block[f"by_{dim}"] = _rows(
                con,
                f"SELECT * FROM (SELECT fiscal_year, coalesce(CAST({dim} AS VARCHAR), "
                f"'(missing)') AS level, count(*) AS events FROM {kind} GROUP BY 1, 2) "
                f"QUALIFY row_number() OVER (PARTITION BY fiscal_year ORDER BY events DESC) "
                f"<= {TOP} ORDER BY fiscal_year, events DESC",
            )
        summary[kind] = block
    if "detention_stint" in views:
        summary["detention_stint"] = {
            "yearly": _rows(
                con,
                "SELECT fiscal_year, count(*) AS book_ins, round(avg(CASE WHEN end_date IS NOT NULL "
                "THEN date_diff('day', event_date, end_date) END), 1) AS average_days "
                "FROM detention_stint GROUP BY 1 ORDER BY 1",
            ),
            "by_release_reason": _rows(
                con,
                "SELECT fiscal_year, coalesce(release_reason, '(none)') AS release_reason, "
                "count(*) AS stints FROM detention_stint GROUP BY 1, 2 ORDER BY 1, 3 DESC",
            ),
        }
    if "court_case" in views:
        summary["court_case"] = {
            "completions_by_decision": _rows(
                con,
                "SELECT fiscal_year, coalesce(decision, '(none)') AS decision, count(*) AS cases "
                "FROM court_case WHERE event_date IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 3 DESC",
            ),
            "completions_by_custody": _rows(
                con,
                "SELECT fiscal_year, coalesce(custody, '(none)') AS custody, count(*) AS cases, "
                "round(avg(CASE WHEN in_absentia THEN 1 ELSE 0 END), 3) AS in_absentia_share "
                "FROM court_case WHERE event_date IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
            ),
            "pending_at_fiscal_year_end": _rows(
                con,
                "WITH years AS (SELECT DISTINCT fiscal_year FROM court_case) SELECT y.fiscal_year, "
                "count(c.filed_date) AS cases FROM years y LEFT JOIN court_case c ON "
                "c.filed_date <= make_date(y.fiscal_year, 9, 30) AND (c.event_date IS NULL OR "
                "c.event_date > make_date(y.fiscal_year, 9, 30)) GROUP BY 1 ORDER BY 1",
            ),
        }
    if "detention_stay" in views:
        summary["detention_stay"] = {
            "yearly_average_daily_population": _rows(
                con,
                "SELECT fiscal_year, round(avg(total), 1) AS average_daily_population FROM "
                "(SELECT fiscal_year, event_date, sum(persons) AS total FROM detention_stay "
                "GROUP BY ALL) GROUP BY 1 ORDER BY 1",
            )
        }
    ours = key_figures(con)
    checks = []
    if figures is not None:
        theirs = published(figures)
        for (metric, year), value in sorted(ours.items()):
            target = theirs.get((ALIASES.get(metric, metric), year))
            if target is None:
                continue
            checks.append(
                {
                    "metric": metric,
                    "fiscal_year": year,
                    "ingested": value,
                    "published": target[0],
                    "difference": value - target[0],
                    "relative": (value - target[0]) / target[0] if target[0] else None,
                    "source": target[1],
                }
            )
    summary["key_figures"] = [
        {"metric": m, "fiscal_year": y, "value": v} for (m, y), v in sorted(ours.items())
    ]
    summary["cross_check"] = checks
    return summary
