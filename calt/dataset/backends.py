"""Backend names (``data.yaml`` → ``backend``) resolved to their ``DatasetGenerator`` class."""

from __future__ import annotations

from importlib import import_module

from calt.optional import SAGE_INSTALL_HINT, SageNotInstalledError, require_sage  # noqa: F401  (importable here)

BACKEND_MODULES = {
    "sympy": "calt.dataset.sympy.dataset_generator",
    "sagemath": "calt.dataset.sagemath.dataset_generator",
}

def get_generator_class(backend: str) -> type:
    """Return the ``DatasetGenerator`` class of ``backend`` (``"sympy"`` or ``"sagemath"``)."""
    if backend not in BACKEND_MODULES:
        raise ValueError(f"unknown dataset backend {backend!r}; choose one of {sorted(BACKEND_MODULES)}")
    if backend == "sagemath":
        require_sage("backend 'sagemath'", "or set `backend: sympy` in data.yaml")
    return import_module(BACKEND_MODULES[backend]).DatasetGenerator
