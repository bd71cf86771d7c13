"""The identity of a load preprocessor, for cache keys: its class, its parameters and its source code.

Two preprocessors with the same identity turn the same file into the same texts, so a cache built by
one serves the other; editing the class (or a helper in its module), or changing a parameter, gives a
new identity and so a new cache. A parameter without a stable text form (an object whose ``repr`` is
a memory address, a function whose source cannot be read) gives no identity: no cache is used then.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import sys
from typing import Any

MAX_DEPTH = 12


class UnstableIdentity(ValueError):
    """Part of a preprocessor has no text form that is the same in every process."""


def preprocessor_fingerprint(preprocessor: Any) -> str:
    """SHA-256 of the preprocessor's description; raises ``UnstableIdentity`` when it has none."""
    text = json.dumps(describe(preprocessor), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def describe(value: Any, depth: int = 0, seen: frozenset[int] = frozenset()) -> Any:
    """A JSON-able description of ``value``: plain data as is, functions and Python-level objects by
    qualified name, source hash and attributes, other objects (Sage rings, ...) by their text form."""
    if depth > MAX_DEPTH or id(value) in seen:
        raise UnstableIdentity(f"{type(value).__name__} nests too deep (or refers to itself) to be described")
    seen = seen | {id(value)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [describe(item, depth + 1, seen) for item in value]
    if isinstance(value, dict):
        return {str(k): describe(v, depth + 1, seen) for k, v in value.items()}
    if isinstance(value, functools.partial):
        return {"partial": describe(value.func, depth + 1, seen), "args": describe(list(value.args), depth + 1, seen),
                "keywords": describe(dict(value.keywords), depth + 1, seen)}
    if inspect.ismethod(value):
        return {"method": describe(value.__func__, depth + 1, seen), "self": describe(value.__self__, depth + 1, seen)}
    if inspect.isfunction(value) or inspect.isclass(value):
        return {"callable": _qualified_name(value), "source": _module_source_hash(value)}
    if type(value).__repr__ is object.__repr__ and hasattr(value, "__dict__"):
        return _describe_python_object(value, depth, seen)
    return _describe_by_text(value)


def _describe_python_object(value: Any, depth: int, seen: frozenset[int]) -> dict:
    """Class name, the source of every module along its class hierarchy, and its attributes."""
    classes = [cls for cls in type(value).__mro__ if cls.__module__ != "builtins"]
    return {
        "class": _qualified_name(type(value)),
        "sources": [_module_source_hash(cls) for cls in classes],
        "params": {name: describe(item, depth + 1, seen) for name, item in sorted(vars(value).items())},
    }


def _describe_by_text(value: Any) -> dict:
    """``repr`` (and the term order of a polynomial ring, which Sage's ``repr`` leaves out)."""
    text = repr(value)
    if " at 0x" in text:
        raise UnstableIdentity(f"a {_qualified_name(type(value))} has no text form of its own ({text[:80]})")
    description = {"type": _qualified_name(type(value)), "repr": text}
    term_order = getattr(value, "term_order", None)
    if callable(term_order):
        try:
            description["term_order"] = str(term_order())
        except Exception:  # not a polynomial ring after all
            pass
    return description


def _qualified_name(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"


def _module_source_hash(obj: Any) -> str:
    """Hash of the source of the module that defines ``obj`` (so helper functions of a class count too);
    the object's own source when the module has no readable file (a notebook cell, ...)."""
    module = sys.modules.get(getattr(obj, "__module__", ""))
    for target in (module, obj):
        if target is None:
            continue
        try:
            return hashlib.sha256(inspect.getsource(target).encode()).hexdigest()
        except (OSError, TypeError):
            continue
    raise UnstableIdentity(f"the source of {_qualified_name(obj)} cannot be read, so a change to it would go unseen")
