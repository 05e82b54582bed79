"""The criminality-by-channel diagnosis (scripts/criminality_by_channel.py, docs/calibration.md,
*Who ICE arrested and removed in FY2019-FY2023, by criminality*) has the engine's week record
each arrest program's arrests and the removals by group (``Pipeline.record_channels``): the
history must be the one ``immsim validate`` scores, draw for draw, and its channels must add up
to the weekly table's counts."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from script_modules import load_script

from immsim.calibration.validate import backtest_history
from immsim.engine import pipeline

SCRIPT = load_script("criminality_by_channel")


def test_the_tallied_history_is_the_back_tests_and_its_channels_add_up() -> None:
    compiled = backtest_history(2012, 2012)
    tally, tallied, classes = SCRIPT.tally_history(2012, 2012)
    # the engine's own step is back in place after the tally
    assert pipeline.Pipeline.step.__name__ == "step"
    # the same history, draw for draw: the weekly tables are identical
    assert tallied.digest() == compiled.digest()
    year = tallied.weekly.filter(pl.col("fiscal_year") == 2012)
    arrests = tally.arrests[2012].sum(axis=1)
    by_channel = dict(zip(SCRIPT.CHANNELS, arrests, strict=True))
    by_channel["at_large"] += by_channel.pop("fugitive")
    for channel, columns in SCRIPT.CHANNEL_COLUMNS.items():
        assert by_channel[channel] == sum(year[c].sum() for c in columns), channel
    assert tally.removed[2012].sum() == pytest.approx(year["removals_interior"].sum(), abs=1e-6)
    assert tally.arrests[2012].sum() == year["arrests"].sum()
    # the classes split every group once
    stacked = np.stack(list(classes.values()))
    assert (stacked.sum(axis=0) == 1).all()
