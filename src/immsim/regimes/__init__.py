"""Policy regimes as data: who is a priority, who is exempt, what a detainer asks, which channels.

A regime is a cited YAML file (``immsim/parameters/regimes/``), not a code branch. This package
validates regime files and applies them to hypothetical or aggregate profiles.
"""

from immsim.regimes.catalog import load_regime, regime_at, regime_names
from immsim.regimes.model import Classification, Profile, Regime, classify

__all__ = [
    "Classification",
    "Profile",
    "Regime",
    "classify",
    "load_regime",
    "regime_at",
    "regime_names",
]
