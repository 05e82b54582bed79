"""The Bayesian calibration's parts: the Gaussian-process emulator, the Metropolis chain, the
posterior over values and discrepancies, and the design runs' cache."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import qmc

from immsim.calibration import emulator as em
from immsim.calibration.calibrate import FitSpec, fitted_start
from immsim.parameters import load_baseline

# the populations built inside the package shared with the session's (conftest)
pytestmark = pytest.mark.usefixtures("shared_builds")

TREE = load_baseline()


def _smooth(unit: np.ndarray) -> np.ndarray:
    """Two outputs of two inputs, smooth as the model's metrics are in its values."""
    return np.column_stack(
        [np.sin(3 * unit[:, 0]) + unit[:, 1] ** 2, np.exp(-unit[:, 0]) * (1 + unit[:, 1])]
    )


def test_the_emulator_predicts_a_smooth_function_between_its_runs() -> None:
    unit = qmc.LatinHypercube(d=2, seed=1).random(30)
    fitted = em.fit_emulator(unit, _smooth(unit))
    new = qmc.LatinHypercube(d=2, seed=2).random(50)
    mean, variance = fitted.predict(new)
    truth = _smooth(new)
    # the outputs span about 1.5 and 1.2; between 30 runs the error is a few hundredths
    assert np.max(np.abs(mean - truth)) < 0.05
    # its stated variance is small where it is right, and positive
    assert np.all(variance > 0) and np.all(np.sqrt(variance) < 0.1)


def test_leave_one_out_is_the_prediction_without_the_run() -> None:
    unit = qmc.LatinHypercube(d=2, seed=3).random(20)
    y = _smooth(unit)
    fitted = em.fit_emulator(unit, y)
    loo = fitted.leave_one_out()
    # refit by hand without run 7, with the same kernel: its prediction there less the truth
    keep = np.arange(20) != 7
    k = fitted._kernel(unit[keep], unit[keep]) + fitted.nugget * np.eye(19)
    chol = np.linalg.cholesky(k)
    standard = (y[keep] - fitted.mean) / fitted.spread
    weights = np.linalg.solve(chol.T, np.linalg.solve(chol, standard))
    without = fitted._kernel(unit[7:8], unit[keep]) @ weights * fitted.spread + fitted.mean
    np.testing.assert_allclose(loo[7], without[0] - y[7], rtol=1e-5, atol=1e-8)


def test_metropolis_samples_its_target() -> None:
    """A correlated normal: the kept chain's mean and spread are the target's."""
    cov = np.array([[1.0, 0.8], [0.8, 2.0]])
    inverse = np.linalg.inv(cov)

    def log_density(x: np.ndarray) -> float:
        return float(-0.5 * x @ inverse @ x)

    chain, acceptance = em.metropolis(
        log_density, np.array([3.0, -3.0]), np.array([1.0, 1.0]), np.random.default_rng(5)
    )
    assert 0.2 < acceptance < 0.7
    np.testing.assert_allclose(chain.mean(axis=0), [0, 0], atol=0.1)
    np.testing.assert_allclose(np.cov(chain.T), cov, atol=0.15)


def _design(points: np.ndarray, outputs: list[dict[tuple[str, int], float]]) -> em.Design:
    return em.Design(
        names=("enforcement.effort.share_on_arrests",),
        lower=np.array([np.log(0.05 / 0.95)]),
        upper=np.array([np.log(0.6 / 0.4)]),
        points=points,
        outputs=tuple(outputs),
    )


def test_the_posterior_finds_the_value_the_record_was_made_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in model: arrests proportional to the share on arrests. The record is made at a
    share of 0.2 with a 5% error on each year; the posterior's 90% interval holds 0.2, is far
    narrower than the allowed range, and the discrepancy comes out near the error put in."""
    spec = FitSpec("enforcement.effort.share_on_arrests", 0.05, 0.6, "test")
    grid = np.linspace(-2.944, 0.405, 25)[:, None]  # logit 0.05 to logit 0.6
    share = 1 / (1 + np.exp(-grid[:, 0]))
    years = range(2012, 2017)
    outputs = [
        {("arrests", y): 500_000 * s * (1 + 0.02 * (y - 2012)) for y in years} for s in share
    ]
    noise = np.random.default_rng(9).normal(0, 0.05, len(years))
    record = {
        ("arrests", y): 500_000 * 0.2 * (1 + 0.02 * (y - 2012)) * np.exp(e)
        for y, e in zip(years, noise, strict=True)
    }

    class Found:
        def __init__(self, value: float) -> None:
            self.value = value

    monkeypatch.setattr(em, "observed_figures", lambda *_: {k: Found(v) for k, v in record.items()})
    monkeypatch.setattr(em, "STEPS", 12_000)
    monkeypatch.setattr(em, "BURN_IN", 4_000)
    result = em.posterior(tmp_path, TREE, _design(grid, outputs), (spec,))
    (summary,) = result.summary()
    low, high = summary["interval_90"]
    assert low < 0.2 < high
    assert high - low < 0.1 * (0.6 - 0.05)
    assert 0.01 < float(np.median(result.discrepancy["arrests"])) < 0.15
    # the samples become reforms of the value, evenly along the chain
    reforms = em.posterior_reforms(TREE, (spec,), result, 4)
    start = fitted_start(TREE, spec)
    drawn = [TREE.with_reform(r).get(spec.key, start) for r in reforms]
    assert len(set(drawn)) == 4 and all(low * 0.9 < d < high * 1.1 for d in drawn)


def test_design_runs_are_cached_by_model_point_seed_and_horizon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def fake_trial(*args: object, **kwargs: object) -> dict[tuple[str, int], float]:
        calls.append(1)
        return {("arrests", 2012): 1.0 + len(calls)}

    monkeypatch.setattr(em, "trial", fake_trial)
    spec = FitSpec("enforcement.effort.share_on_arrests", 0.05, 0.6, "test")
    first = em.run_design(TREE, (spec,), 3, 2012, 2, cache=tmp_path)
    again = em.run_design(TREE, (spec,), 3, 2012, 2, cache=tmp_path)
    assert len(calls) == 3 and first.outputs == again.outputs
    em.run_design(TREE, (spec,), 3, 2012, 3, cache=tmp_path)  # another horizon: new runs
    assert len(calls) == 6
    # the points lie in the allowed range on the fitting scale, one in each third (a hypercube)
    share = 1 / (1 + np.exp(-first.points[:, 0]))
    assert np.all((share > 0.05) & (share < 0.6))
    thirds = np.floor((first.points[:, 0] - first.lower[0]) / (first.upper[0] - first.lower[0]) * 3)
    assert sorted(thirds) == [0, 1, 2]
    assert first.names == (spec.key,) and fitted_start(TREE, spec) == dt.date(2011, 1, 1)


def test_a_split_normal_has_the_interval_s_ends_as_its_5th_and_95th_percentiles() -> None:
    """One law for the tree's intervals and the studies' bands: lopsided intervals keep each
    end (2 below a centre of 5, 11 above), and the median is the centre."""
    from immsim.parameters.scales import split_normal

    z = np.random.default_rng(4).standard_normal(400_000)
    drawn = split_normal(z, 5.0, 2.0, 11.0)
    np.testing.assert_allclose(np.percentile(drawn, [5, 50, 95]), [2.0, 5.0, 11.0], atol=0.05)


def _backtest(errors: dict[int, float], inside: bool) -> Any:
    """A back-test whose cells have the given errors; the record inside both bands or not."""
    from immsim.calibration.validate import Backtest, Row, period_of

    rows = []
    for year, error in errors.items():
        low, high = (90.0, 110.0) if inside else (120.0, 130.0)
        rows.append(
            Row(
                metric="arrests",
                label="ICE arrests",
                fiscal_year=year,
                observed=100.0,
                median=100.0 * (1 + error),
                low=low,
                high=high,
                error=error,
                sample="fitted" if year < 2017 else "out of sample",
                period=period_of(year),
                source="",
                note="",
                predictive_low=low - 5,
                predictive_high=high + 5,
            )
        )
    return Backtest(draws=2, seed=1, rows=tuple(rows), directions=())


def test_the_comparison_scores_both_methods_by_period_and_prints_in_80_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], terminal80: None
) -> None:
    from terminal import fits

    from immsim.cli import main

    errors = {2015: 0.05, 2018: -0.10, 2019: 0.20, 2021: 0.30}
    least, bayes = _backtest(errors, inside=False), _backtest(errors, inside=True)
    post = em.Posterior(
        names=("enforcement.effort.share_on_arrests",),
        samples=np.array([[0.1], [0.2], [0.3]]),
        discrepancy={"arrests": np.array([0.1, 0.2, 0.3])},
        acceptance=0.25,
        emulator_error={"arrests": 0.05},
        cells=(("arrests", 2015),),
        runs=3,
    )
    comparison = em.Comparison(post, least, bayes)
    table = {(r["method"], r["period"]): r for r in comparison.table()}
    # FY2017-FY2019's two cells: median of 10% and 20%; none inside for least squares, all for
    # the emulator; the out-of-sample line pools FY2017-FY2023's three cells
    assert table[("least squares", "FY2017-FY2019")]["median_abs_pct_error"] == pytest.approx(0.15)
    assert table[("least squares", "FY2017-FY2023")]["coverage_90"] == 0.0
    assert table[("emulator", "FY2017-FY2023")]["coverage_90"] == 1.0
    assert table[("emulator", "FY2017-FY2023")]["cells"] == 3
    monkeypatch.setattr(em, "compare", lambda *args, **kwargs: comparison)
    spec = "enforcement.effort.share_on_arrests"
    figures = Path(__file__)  # not read: compare is replaced
    code = main(["calibrate", "--method", "emulator", "--only", spec, "--figures", str(figures)])
    out = capsys.readouterr().out
    assert code == 0
    fits(out)
    assert "Back-test by method" in out and "No file changed" in out
    # the posterior's 90% interval of the three samples, beside the tree's least-squares value
    assert "0.11 to 0.29" in out and "0.1277" in out
