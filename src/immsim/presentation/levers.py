"""What a visitor of ``immsim serve`` may set, and what the page tells them about it: each lever's
parameter, today's value and unit (read from the parameter tree on the day the runs start), its
bounds (the request model's own), and the regimes in words with the dates they were in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from immsim.analysis.effects import FAMILY_COUNTS
from immsim.outcomes import HEADLINES, OUTCOMES
from immsim.yamlio import dump_yaml

START = dt.date(2026, 10, 1)
MAX_YEARS = 10
MAX_SCENARIOS = 3


@dataclass(frozen=True)
class Lever:
    name: str
    key: str
    label: str
    unit: str
    """The unit as the page shows it (a share is shown in per cent)."""
    step: float
    percent: bool = False


LEVERS = (
    Lever(
        "officers",
        "enforcement.ero_deportation_officers",
        "ERO deportation officers",
        "officers",
        100,
    ),
    Lever("beds", "detention.funded_beds", "Funded detention beds", "beds", 1000),
    Lever("judges", "courts.immigration_judges", "Immigration judges", "judges", 10),
    Lever(
        "goal",
        "enforcement.effort.removal_goal",
        "Removal goal",
        "removals a year (0: no goal)",
        10_000,
    ),
    Lever(
        "cooperation",
        "enforcement.channels.cooperation_full",
        "Jails honouring detainers",
        "% of bookings",
        0.01,  # today's share is fitted to a hundredth of a per cent (56.07%): a coarser step made it invalid
        percent=True,
    ),
    Lever(
        "jail_287g",
        "enforcement.channels.jail_287g_share",
        "Jails with a 287(g) agreement",
        "% of bookings",
        0.1,  # today's share is derived to a tenth of a per cent (18.4%); a whole-number step made it invalid
        percent=True,
    ),
    Lever(
        "refusal_document_rate",
        "removal.logistics.travel_document_rate.refusing_or_delaying",
        "Travel documents from countries that refuse or delay",
        "a year per person waiting",
        0.1,
    ),
)
LEVER_KEYS = {lever.name: lever.key for lever in LEVERS}


class Levers(BaseModel):
    """One scenario a visitor sets. Bounds keep every request to a short, safe run."""

    model_config = ConfigDict(extra="forbid")

    regime: str = Field(default="jan2025", description="A shipped regime's name.")
    horizon_years: int = Field(default=2, ge=1, le=MAX_YEARS)
    seed: int = Field(default=1, ge=0, le=2**31)
    officers: float | None = Field(default=None, ge=0, le=200_000)
    beds: float | None = Field(default=None, ge=0, le=2_000_000)
    judges: float | None = Field(default=None, ge=1, le=20_000)
    goal: float | None = Field(default=None, ge=0, le=5_000_000)
    cooperation: float | None = Field(default=None, ge=0, le=1)
    jail_287g: float | None = Field(default=None, ge=0, le=1)
    refusal_document_rate: float | None = Field(default=None, ge=0, le=52)

    def overrides(self) -> dict[str, float]:
        return {
            LEVER_KEYS[name]: float(value)
            for name in LEVER_KEYS
            if (value := getattr(self, name)) is not None
        }

    def baseline(self) -> Levers:
        """The same regime, years and seed with every lever at today's value."""
        return Levers(regime=self.regime, horizon_years=self.horizon_years, seed=self.seed)

    def scenario_yaml(self) -> str:
        doc: dict[str, Any] = {
            "name": "web-levers",
            "description": "Levers set in immsim serve",
            "regime": self.regime,
            "start": START,
            "horizon_years": self.horizon_years,
            "seed": self.seed,
        }
        if self.overrides():
            doc["reform"] = {
                "name": "web-levers",
                "overrides": {k: {"values": {START: v}} for k, v in self.overrides().items()},
            }
        return dump_yaml(doc)  # never anchors or aliases (a reader may not follow them)


class Scenarios(BaseModel):
    """Up to three scenarios to run side by side, each against its regime's baseline."""

    model_config = ConfigDict(extra="forbid")

    scenarios: list[Levers] = Field(min_length=1, max_length=MAX_SCENARIOS)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def regime_choices() -> list[dict[str, str]]:
    """Each shipped regime's name, title and the periods it was in force, in words."""
    from immsim.regimes.catalog import shipped_regimes

    choices = []
    for regime in shipped_regimes():
        periods = [
            f"{_day(p.start)} to {_day(p.end)}" if p.end else f"since {_day(p.start)}"
            for p in regime.in_force
        ]
        choices.append({"name": regime.name, "title": regime.title, "in_force": "; ".join(periods)})
    return choices


def default_regime() -> str:
    from immsim.regimes.catalog import regime_at

    return regime_at(START).name


def _bounds(name: str) -> tuple[float, float]:
    schema = Levers.model_json_schema()["properties"][name]["anyOf"][0]
    return float(schema["minimum"]), float(schema["maximum"])


def lever_choices() -> list[dict[str, Any]]:
    """Each lever with today's value (on :data:`START`, from the baseline tree), its unit as the
    page shows it and as the tree states it, its bounds and the parameter's own description."""
    from immsim.parameters import load_baseline

    tree = load_baseline()
    levers = []
    for lever in LEVERS:
        leaf = tree.leaf(lever.key)
        low, high = _bounds(lever.name)
        levers.append(
            {
                "name": lever.name,
                "key": lever.key,
                "label": lever.label,
                "unit": lever.unit,
                "tree_unit": leaf.unit,
                "today": float(leaf.entry(START).value),
                "min": low,
                "max": high,
                "step": lever.step,
                "percent": lever.percent,
                "description": leaf.description,
            }
        )
    return levers


def page_config() -> dict[str, Any]:
    """Everything the page needs to draw its form and charts, from the sources of each."""
    return {
        "start": START.isoformat(),
        "start_words": _day(START),
        "max_years": MAX_YEARS,
        "max_scenarios": MAX_SCENARIOS,
        "default_regime": default_regime(),
        "regimes": regime_choices(),
        "levers": lever_choices(),
        "outcomes": [
            {
                "name": name,
                "label": OUTCOMES[name].label,
                "unit": OUTCOMES[name].display_unit,
                "scale": OUTCOMES[name].scale,
                "definition": OUTCOMES[name].definition,
            }
            for name in HEADLINES
        ],
        "effects": effect_config(),
        "family_counts": list(FAMILY_COUNTS),
    }


def effect_config() -> list[dict[str, Any]]:
    """The costs and effects the page tables (``analysis.effects.EFFECT_METRICS``): name,
    label, unit as shown, scale, decimals, and whether the studies' range is beside it."""
    from immsim.analysis.effects import BANDED, EFFECT_METRICS, PERCENT, base_year
    from immsim.parameters import load_baseline

    dollars = f"{base_year(load_baseline(), START)} USD millions"
    shown = (
        "cost_constant",
        "cost_capital_constant",
        "workers",
        "output_lost",
        "federal_taxes_lost",
        "state_local_taxes_lost",
        "us_born_jobs_lost",
        "average_wage_change",
        "parents",
        "usc_children",
        "mixed_status_households",
    )
    return [
        {
            "name": name,
            "label": EFFECT_METRICS[name][0],
            "unit": dollars
            if EFFECT_METRICS[name][1] == "base-year USD"
            else EFFECT_METRICS[name][1],
            "scale": 1e-6 if EFFECT_METRICS[name][1] == "base-year USD" else 1.0,
            # a wage moves by hundredths of a percent in a year of removals
            "digits": 2 if EFFECT_METRICS[name][1] == PERCENT else 0,
            "banded": name in BANDED,
        }
        for name in shown
    ]
