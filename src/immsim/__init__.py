"""immsim: an open, reproducible simulator of U.S. interior immigration enforcement.

Aggregate policy analysis only: the package never scores, ranks or identifies a person.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("immsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
