"""scripts/court_flows.py, the court's receipts, completions and other exits by fiscal year from
a run's weekly table (issues 19/20, docs/calibration.md *The court's flows against EOIR's*)."""

from __future__ import annotations

import polars as pl
from script_modules import load_script


def test_the_court_flows_add_up_by_fiscal_year() -> None:
    """Two made-up years of two weeks. FY2012: 20 notices to appear and 10 border releases with
    a case are 30 receipts; 4 detained and 6 released decisions are 10 completions; the stock
    ends at 109 (the week's last, not a sum). FY2013: 20 receipts and 2 cases of people returned
    to Mexico under MPP, 16 completions and one case dismissed into expedited removal take 109
    to 114, so a year-end stock of 110 leaves 4 that went without a decision; FY2012's other exits are unknown (no stock before it)."""
    script = load_script("court_flows")
    columns = {name: [0.0] * 4 for name in script.SUMMED}
    columns.update(
        fiscal_year=[2012, 2012, 2013, 2013],
        notices_to_appear=[10.0, 10.0, 10.0, 10.0],
        arrivals_with_case=[5.0, 5.0, 0.0, 0.0],
        mpp_cases=[0.0, 0.0, 2.0, 0.0],
        completions_detained=[2.0, 2.0, 4.0, 4.0],
        completions_released=[3.0, 3.0, 4.0, 4.0],
        review_closures=[1.0, 0.0, 0.0, 0.0],
        dismissed_to_expedited=[0.0, 0.0, 1.0, 0.0],
        court_pending=[100.0, 109.0, 115.0, 110.0],
        final_orders_at_large=[50.0, 52.0, 53.0, 55.0],
    )
    table = script.court_flows(pl.DataFrame(columns))
    assert table["fiscal_year"].to_list() == [2012, 2013]
    assert table["receipts"].to_list() == [30.0, 22.0]
    assert table["completions"].to_list() == [10.0, 16.0]
    assert table["court_pending"].to_list() == [109.0, 110.0]
    assert table["final_orders_at_large"].to_list() == [52.0, 55.0]
    assert table["other_exits"].to_list() == [None, 4.0]
