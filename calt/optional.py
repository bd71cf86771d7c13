"""Optional dependencies: ``require_sage``, the one check every SageMath feature of calt goes through.

A leaf module (standard library only), so every layer (io, dataset) can ask for Sage the same way.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

SAGE_INSTALL_HINT = "pip install 'calt[sage]' (or bash scripts/setup.sh --sage)"

# The passagemath distribution that calt[sage] installs, then a full SageMath (conda, source build).
SAGE_NAMESPACES = ("sage.all__sagemath_singular", "sage.all")


class SageNotInstalledError(ImportError):
    """A SageMath feature was used where SageMath cannot be imported."""


def require_sage(feature: str, alternative: str = "") -> ModuleType:
    """Import SageMath and return its namespace module, or fail with one line saying how to install it.

    ``feature`` names what needs Sage (``"backend 'sagemath'"``, ``"FormatChecker"``, ...);
    ``alternative``, if given, ends the line (``"or set `backend: sympy` in data.yaml"``).
    """
    failure = None
    for name in SAGE_NAMESPACES:
        try:
            return import_module(name)
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("sage"):  # Sage is there but one of its dependencies is not
                failure = failure or exc
        except ImportError as exc:  # a broken install: a shared library that does not load, ...
            failure = failure or exc
    reason = f" (importing it failed: {type(failure).__name__}: {failure})" if failure else ""
    tail = f", {alternative}" if alternative else ""
    raise SageNotInstalledError(f"{feature} needs SageMath{reason}: {SAGE_INSTALL_HINT}{tail}") from None
