"""Lazy package attributes (PEP 562): a package names what it exports; the module loads on first use."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, exports: dict[str, str], submodules: tuple[str, ...] = ()
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: ``exports`` maps a public name to the module defining it;
    ``submodules`` are subpackages reachable as attributes (``calt.io``) without an explicit import."""
    namespace = import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        if name in submodules:
            value = import_module(f"{package}.{name}")
        elif name in exports:
            value = getattr(import_module(exports[name]), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports) | set(submodules))

    return __getattr__, __dir__
