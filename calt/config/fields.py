"""Typed config blocks: one dataclass per YAML block, read with one key checker and one type checker.

A block schema is a dataclass whose fields are made with :func:`key` (default, one-line help,
choices, required, aliases). :func:`parse_block` turns a mapping from a YAML file into an instance
of it; every unknown key, wrong type or bad choice is a :class:`ConfigError` naming the key.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

REQUIRED = dataclasses.MISSING


class ConfigError(ValueError):
    """A config value or key that calt cannot use; the message names the key and says how to fix it."""


def key(default: Any = None, help: str = "", *, choices: Iterable[Any] | None = None, required: bool = False,
        aliases: Iterable[str] = (), factory: Any = None, bounds: str | None = None, path: bool = False) -> Any:
    """A schema field: its default, its one-line meaning, allowed values, and old names it also accepts.
    ``bounds`` is an interval such as ``"[0, 1)"`` or ``"[1, inf)"`` (inf is never inside); ``path`` marks a
    file or folder name, which must be a non-blank string."""
    metadata = {"help": help, "choices": tuple(choices) if choices is not None else None,
                "required": required, "aliases": tuple(aliases), "bounds": parse_bounds(bounds) if bounds else None,
                "bounds_text": bounds, "path": path}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def parse_bounds(text: str) -> tuple[str, float, float, str]:
    """``"[0, 1)"`` → ``("[", 0.0, 1.0, ")")``: the brackets say whether each end is inside."""
    low, sep, high = text.strip()[1:-1].partition(",")
    if text.strip()[0] not in "[(" or text.strip()[-1] not in "])" or not sep:
        raise ValueError(f"bounds must look like '[0, 1)' or '(0, inf)', got {text!r}")
    return text.strip()[0], float(low), float(high), text.strip()[-1]


def check_bounds(value: Any, bounds: tuple[str, float, float, str], path: str) -> None:
    """ConfigError naming ``path`` when the number ``value`` lies outside ``bounds`` (NaN and inf never inside)."""
    opening, low, high, closing = bounds
    finite = math.isfinite(value) if isinstance(value, float) else True  # a Python int is finite, however large
    inside = (finite and (value >= low if opening == "[" else value > low)
              and (value <= high if closing == "]" else value < high))
    if not inside:
        raise ConfigError(f"{path} must be in {opening}{_end(low)}, {_end(high)}{closing}; got {value!r}")


def _end(bound: float) -> str:
    """An interval end as written: ``0``, ``0.5``, ``inf``."""
    return str(int(bound)) if math.isfinite(bound) and bound.is_integer() else f"{bound:g}"


def check_path(value: Any, path: str) -> None:
    """ConfigError naming ``path`` when a file or folder name is blank or holds a NUL byte."""
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        raise ConfigError(f"{path} must not be empty: give a file, folder or import path; got {value!r}")


def fields_of(schema: type) -> tuple[dataclasses.Field, ...]:
    """The public fields of a block schema (names starting with ``_`` are internal)."""
    return tuple(f for f in dataclasses.fields(schema) if not f.name.startswith("_"))


def aliases_of(schema: type) -> dict[str, str]:
    """``{alias: field name}`` of a schema."""
    return {alias: f.name for f in fields_of(schema) for alias in f.metadata.get("aliases", ())}


def accepted_keys(schema: type) -> tuple[str, ...]:
    """Every key a block accepts: field names and their aliases."""
    return (*(f.name for f in fields_of(schema)), *aliases_of(schema))


def check_keys(values: Mapping, allowed: Iterable[str], where: str) -> None:
    """The one unknown-key policy: a ConfigError naming the key, where it is, and the closest valid key."""
    allowed = tuple(allowed)
    for name in values:
        if name in allowed:
            continue
        close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(allowed)}"
        raise ConfigError(f"{where + ': ' if where else ''}unknown key {name!r}; {hint}")


def plain_mapping(config: Any, where: str) -> dict:
    """A ``dict`` of a block given as a dict, a DictConfig or a dataclass; ConfigError otherwise."""
    if config is None:
        return {}
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        return {f.name: getattr(config, f.name) for f in fields_of(type(config))}
    from omegaconf import DictConfig, OmegaConf

    if isinstance(config, DictConfig):
        return dict(OmegaConf.to_container(config, resolve=True))
    if isinstance(config, Mapping):
        return dict(config)
    raise ConfigError(f"{where} must be a mapping of keys to values, got {type(config).__name__} {config!r}")


def parse_block(schema: type, config: Any, where: str, require: bool = True) -> Any:
    """An instance of ``schema`` from ``config``: aliases resolved, unknown keys, missing required keys
    (unless ``require`` is false: defaults stand in), wrong types and values outside ``choices`` reported
    as ConfigError naming ``where.key``."""
    values = plain_mapping(config, where)
    aliases = aliases_of(schema)
    check_keys(values, accepted_keys(schema), where)
    for alias, name in aliases.items():
        if alias in values:
            value = values.pop(alias)
            if values.get(name) is not None and value is not None and values[name] != value:
                raise ConfigError(f"{dotted(where, alias)} and {dotted(where, name)} are the same key and both are set "
                                  f"({value!r} and {values[name]!r}); keep one of them")
            if values.get(name) is None:
                values[name] = value
    hints = typing.get_type_hints(schema)
    out = {}
    for f in fields_of(schema):
        path = dotted(where, f.name)
        if f.name not in values or values[f.name] is None:
            if require and f.metadata.get("required"):
                raise ConfigError(f"{path} is required: {f.metadata.get('help', '')}")
            continue
        value = coerce(values[f.name], hints[f.name], path)
        choices = f.metadata.get("choices")
        if choices is not None and isinstance(value, str) and value not in choices and value.lower() in choices:
            value = value.lower()  # choices are lower case; "Sinusoidal" means "sinusoidal"
        if choices is not None and value not in choices:
            raise ConfigError(f"{path} must be one of {', '.join(map(repr, choices))}; got {value!r}")
        if f.metadata.get("bounds") and isinstance(value, (int, float)) and not isinstance(value, bool):
            check_bounds(value, f.metadata["bounds"], path)
        if f.metadata.get("path"):
            check_path(value, path)
        out[f.name] = value
    return schema(**out)


def dotted(where: str, name: str) -> str:
    """``where.name``, or ``name`` for a whole file's keys (``where`` empty)."""
    return f"{where}.{name}" if where else name


def coerce(value: Any, annotation: Any, path: str) -> Any:
    """``value`` checked against a field's type (int, float, bool, str, lists, unions, nested blocks)."""
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return None
        real = [option for option in options if option is not type(None)]
        if len(real) == 1:  # X | None: X's own message (a nested block names the bad key inside it)
            return coerce(value, real[0], path)
        for option in real:
            try:
                return coerce(value, option, path)
            except ConfigError:
                continue
        raise ConfigError(f"{path} must be {describe(annotation)}; got {value!r}")
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{path} must be a list ({describe(annotation)}); got {value!r}")
        (item,) = typing.get_args(annotation)[:1] or (Any,)
        return [coerce(v, item, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin is dict or annotation is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{path} must be a mapping; got {value!r}")
        return dict(value)
    if dataclasses.is_dataclass(annotation):
        return parse_block(annotation, value, path)
    return _scalar(value, annotation, path)


def _scalar(value: Any, annotation: type, path: str) -> Any:
    if annotation is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{path} must be true or false; got {value!r}")
    if annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:  # beyond, a float is no exact int
            return int(value)
        raise ConfigError(f"{path} must be an integer; got {value!r}")
    if annotation is float:
        if isinstance(value, float) and math.isnan(value):
            raise ConfigError(f"{path} must be a number; got NaN")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                number = float(value)  # YAML 1.1 reads 1e-4 (no dot) as a string
            except ValueError:
                number = math.nan
            if not math.isnan(number):
                return number
        raise ConfigError(f"{path} must be a number; got {value!r}")
    if annotation is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise ConfigError(f"{path} must be a string; got {value!r}")
    return value


def describe(annotation: Any) -> str:
    """Readable form of a field type, for messages and the README tables."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a) for a in typing.get_args(annotation) if a is not type(None))
    if origin in (list, tuple):
        args = typing.get_args(annotation)
        return f"a list of {describe(args[0])}" if args else "a list"
    if dataclasses.is_dataclass(annotation):
        return "a mapping"
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string", dict: "a mapping",
            Any: "any value"}.get(annotation, getattr(annotation, "__name__", str(annotation)))


def to_dict(block: Any) -> dict:
    """The values of a parsed block as a plain dict (nested blocks too)."""
    return dataclasses.asdict(block)
