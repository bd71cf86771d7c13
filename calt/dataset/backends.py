"""Backend names (``data.yaml`` → ``backend``) resolved to their ``DatasetGenerator`` class."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Callable

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


@dataclass(frozen=True)
class BackendSpec:
    """A backend as the original registers it: ``load()`` returns its (DatasetGenerator, DatasetWriter)."""

    load: Callable[[], tuple[type, type]]


def _loader(backend: str) -> Callable[[], tuple[type, type]]:
    def load() -> tuple[type, type]:
        from .utils.dataset_writer import DatasetWriter

        return get_generator_class(backend), DatasetWriter

    return load


BACKENDS: dict[str, BackendSpec] = {name: BackendSpec(load=_loader(name)) for name in BACKEND_MODULES}


def get_backend_classes(name: str) -> tuple[type, type]:
    """``(DatasetGenerator, DatasetWriter)`` of backend ``name`` (``"sympy"`` or ``"sagemath"``), loaded on use."""
    if name not in BACKENDS:
        raise ValueError(f"Invalid backend: {name}. Choose from {list(BACKENDS)}")
    return BACKENDS[name].load()
