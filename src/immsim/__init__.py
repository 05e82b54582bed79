"""immsim: an open, reproducible simulator of U.S. interior immigration enforcement.

Aggregate policy analysis only: the package never scores, ranks or identifies a person.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("immsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "run"]


def run(scenario: object, **options: object) -> object:
    """Run a scenario (a :class:`immsim.scenario.Scenario`, a file path or an embedded name).

    Returns an :class:`immsim.engine.results.Results`; see ``immsim.engine.run.run``.
    """
    from immsim.engine.run import run as _run
    from immsim.scenario import Scenario, resolve_scenario

    chosen = scenario if isinstance(scenario, Scenario) else resolve_scenario(str(scenario))
    return _run(chosen, **options)  # type: ignore[arg-type]
