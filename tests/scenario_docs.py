"""Scenarios written in a test as a dict, read as a user's scenario file is read.

A test could build a ``Scenario`` directly, but that would skip what a user's file goes through:
the YAML reader (its bounds, its line of every key) and ``parse_scenario``'s checks (unknown
keys, dates, regimes, a reform that must fit the tree). The dict is therefore written out as
YAML text and read back, so that a test's scenario is checked exactly as a user's would be and
a misspelt key in a test fails loudly instead of running the baseline."""

from __future__ import annotations

from typing import Any

import yaml

from immsim.scenario import Scenario, parse_scenario
from immsim.yamlio import load_yaml_text


def scenario_from(doc: dict[str, Any], source: str | None = None) -> Scenario:
    """The scenario ``doc`` as if read from a file named ``source``, by default one named after
    the scenario (``<name>.yaml``), the name its errors and its ``source`` then carry."""
    if source is None:
        source = f"{doc.get('name', 'scenario')}.yaml"
    return parse_scenario(load_yaml_text(yaml.safe_dump(doc), source))
