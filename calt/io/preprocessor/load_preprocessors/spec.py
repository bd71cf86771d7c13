"""Load preprocessors named in YAML: the ``data.dataset_load_preprocessor`` key of train.yaml.

A train.yaml cannot hold a Python object, so it names one:

- an import path: ``calt.dataset.tasks.polynomial_reduction.PolynomialReductionLoadPreprocessor``
  (a bare name such as ``ExpandedFormLoadPreprocessor`` is one of ``calt.io``'s load preprocessors);
- a mapping ``{class: <import path or bare name>, kwargs: {...}}``, called with ``kwargs``;
- a list of those: a ``ChainLoadPreprocessor`` that runs them in order.

An object with ``process_sample`` (the Python API) is used as it is.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from importlib import import_module
from typing import Any

SPEC_KEYS = ("class", "kwargs")
PACKAGE = "calt.io.preprocessor.load_preprocessors"
KEY = "data.dataset_load_preprocessor"


class LoadPreprocessorSpecError(ValueError):
    """``data.dataset_load_preprocessor`` names nothing usable."""


def is_spec(value: Any) -> bool:
    """True for what YAML can hold (an import path, a mapping, a list), False for a preprocessor object."""
    return isinstance(value, (str, Mapping)) or (isinstance(value, Sequence) and not hasattr(value, "process_sample"))


def build_load_preprocessor(spec: Any, where: str = KEY) -> Any:
    """The load preprocessor ``spec`` describes (None stays None; an object with ``process_sample`` is returned)."""
    spec = _plain(spec)
    if spec is None or hasattr(spec, "process_sample"):
        return spec
    if isinstance(spec, str):
        return _instantiate(spec, {}, where)
    if isinstance(spec, Mapping):
        return _from_mapping(spec, where)
    if isinstance(spec, Sequence):
        if not spec:
            raise LoadPreprocessorSpecError(f"{where}: an empty list names no load preprocessor; use null for none")
        from .chain import ChainLoadPreprocessor

        return ChainLoadPreprocessor(*(build_load_preprocessor(item, f"{where}[{i}]") for i, item in enumerate(spec)))
    raise LoadPreprocessorSpecError(
        f"{where}: expected an import path, {{class: ..., kwargs: {{...}}}}, a list of those, or an object with "
        f"process_sample; got {type(spec).__name__}"
    )


def _plain(spec: Any) -> Any:
    """OmegaConf containers as plain dicts and lists (kwargs reach the class as ordinary Python values)."""
    try:
        from omegaconf import DictConfig, ListConfig, OmegaConf
    except ImportError:  # pragma: no cover - omegaconf is a dependency of calt
        return spec
    if isinstance(spec, (DictConfig, ListConfig)):
        return OmegaConf.to_container(spec, resolve=True)
    return spec


def _from_mapping(spec: Mapping, where: str) -> Any:
    unknown = sorted(set(spec) - set(SPEC_KEYS))
    if unknown:
        raise LoadPreprocessorSpecError(f"{where}: unknown key(s) {unknown}; a mapping holds class and kwargs")
    if not isinstance(spec.get("class"), str) or not spec["class"]:
        raise LoadPreprocessorSpecError(f"{where}.class is required: the import path of a load preprocessor class")
    kwargs = spec.get("kwargs") or {}
    if not isinstance(kwargs, Mapping):
        raise LoadPreprocessorSpecError(f"{where}.kwargs must be a mapping of keyword arguments, got "
                                        f"{type(kwargs).__name__}")
    return _instantiate(spec["class"], dict(kwargs), where)


def resolve_class(path: str, where: str = KEY) -> Any:
    """The object an import path names; a bare name is looked up among calt's load preprocessors."""
    module_path, _, name = path.rpartition(".")
    module_path = module_path or PACKAGE
    try:
        module = import_module(module_path)
    except ModuleNotFoundError as exc:
        raise LoadPreprocessorSpecError(f"{where}: cannot import {module_path!r} (from {path!r}): {exc}") from exc
    target = getattr(module, name, None)
    if target is None:
        raise LoadPreprocessorSpecError(f"{where}: module {module_path!r} has no {name!r}")
    if not callable(target):
        raise LoadPreprocessorSpecError(f"{where}: {path!r} is not a class or factory")
    return target


def _instantiate(path: str, kwargs: dict, where: str) -> Any:
    target = resolve_class(path, where)
    try:
        inspect.signature(target).bind(**kwargs)
    except TypeError as exc:
        raise LoadPreprocessorSpecError(f"{where}: {path} does not take kwargs {sorted(kwargs)}: {exc}") from None
    except ValueError:  # no signature to check (some builtins): the call below reports
        pass
    try:
        preprocessor = target(**kwargs)
    except (TypeError, ValueError) as exc:
        raise LoadPreprocessorSpecError(f"{where}: {path}(**{kwargs}) failed: {exc}") from exc
    if not callable(getattr(preprocessor, "process_sample", None)):
        raise LoadPreprocessorSpecError(f"{where}: {path} made a {type(preprocessor).__name__}, which has no "
                                        "process_sample(source) method")
    return preprocessor
