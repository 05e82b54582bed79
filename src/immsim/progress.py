"""The one way long work reports how far it has got.

Runs, sweeps, comparisons, the back-test and the fit all take a ``progress`` callback of this
type, so a caller (the CLI's progress bars, a test that interrupts a sweep, the web server) drives
any of them the same way. It lives outside the engine so that the analysis, calibration and
presentation layers can share it without importing the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

Progress: TypeAlias = Callable[[int, int], None]
"""Called as ``progress(done, total)``: units of work finished so far (weeks, runs, model
evaluations) out of the ``total`` expected. A search may stop short of its total, and a fit may
take evaluations beyond it, so a display should treat ``total`` as a guide, not a bound."""
