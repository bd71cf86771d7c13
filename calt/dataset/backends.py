"""Backend names (``data.yaml`` → ``backend``) resolved to their ``DatasetGenerator`` class."""

from __future__ import annotations

from importlib import import_module

BACKEND_MODULES = {
    "sympy": "calt.dataset.sympy.dataset_generator",
    "sagemath": "calt.dataset.sagemath.dataset_generator",
}


def get_generator_class(backend: str) -> type:
    """Return the ``DatasetGenerator`` class of ``backend`` (``"sympy"`` or ``"sagemath"``)."""
    if backend not in BACKEND_MODULES:
        raise ValueError(f"unknown dataset backend {backend!r}; choose one of {sorted(BACKEND_MODULES)}")
    if backend == "sagemath":
        _require_sage()
    return import_module(BACKEND_MODULES[backend]).DatasetGenerator


def _require_sage() -> None:
    try:
        import sage.all  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"backend 'sagemath' needs SageMath, which cannot be imported here ({exc}). SageMath is not "
            f"installable from PyPI; set `backend: sympy` in data.yaml (or backend='sympy') to use the "
            f"SymPy backend, which runs any Python instance_generator."
        ) from exc
