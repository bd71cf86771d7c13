"""Reading YAML config files, applying ``key=value`` overrides, and the dry-run shrink."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from .fields import ConfigError, accepted_keys, fields_of

OPEN_MAPPINGS = ("vocab.special_tokens", "vocab.range", "vocab.flags")
"""Blocks whose keys are free-form: any key below them is accepted."""
DRYRUN_PREFIX = "dryrun-"


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (for ``calt: error: ...``)."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


def load_config(path: str | Path, overrides: Sequence[str] = (), schemas: Mapping[str, Iterable[type]] | None = None
                ) -> DictConfig:
    """``OmegaConf.load(path)`` with dotlist ``overrides`` applied; an override key that neither the file nor
    the block ``schemas`` know is a ConfigError naming the closest valid key."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path} (give the path of a YAML file, e.g. configs/train.yaml)")
    try:
        config = OmegaConf.load(path)
    except Exception as exc:  # YAML syntax errors carry line and column
        raise ConfigError(f"cannot read {path}: {one_line(exc)}") from exc
    if not isinstance(config, DictConfig):
        raise ConfigError(f"{path}: the top level must be a mapping of blocks (data, model, train, ...)")
    return apply_overrides(config, overrides, str(path), schemas or {})


def apply_overrides(config: DictConfig, overrides: Sequence[str], source: str = "config",
                    schemas: Mapping[str, Iterable[type]] | None = None) -> DictConfig:
    """Merge ``key=value`` dotlist items into ``config`` after checking each key is one it accepts."""
    if not overrides:
        return config
    valid = known_keys(config, schemas or {})
    for item in overrides:
        name, sep, _ = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"override {item!r} is not of the form key=value (e.g. train.learning_rate=1e-3)")
        check_override_key(name.strip(), valid, config, source)
    try:
        return OmegaConf.merge(config, OmegaConf.from_dotlist(list(overrides)))
    except Exception as exc:
        raise ConfigError(f"cannot apply overrides {list(overrides)}: {one_line(exc)}") from exc


def check_override_key(name: str, valid: set[str], config: DictConfig, source: str) -> None:
    """ConfigError naming the closest valid key when ``name`` is not one the config accepts."""
    if name in valid or any(name.startswith(prefix + ".") for prefix in OPEN_MAPPINGS):
        return
    close = difflib.get_close_matches(name, sorted(valid), n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}?" if close else f"valid top-level keys: {sorted(config.keys())}"
    raise ConfigError(f"unknown key {name!r} in overrides of {source}; {hint}")


def known_keys(config: DictConfig, schemas: Mapping[str, Iterable[type]]) -> set[str]:
    """Dotted paths of every key in ``config`` plus every key the schemas of its blocks accept."""
    keys = set(_dotted_paths(config))
    for block, block_schemas in schemas.items():
        if block.split(".")[0] not in config:
            continue
        for schema in block_schemas:
            keys.update(f"{block}.{name}" for name in accepted_keys(schema))
            keys.update(_nested_keys(schema, block))
    return keys


def _nested_keys(schema: type, prefix: str) -> set[str]:
    import dataclasses
    import typing

    hints = typing.get_type_hints(schema)
    out = set()
    for f in fields_of(schema):
        for option in (hints[f.name], *typing.get_args(hints[f.name])):
            if dataclasses.is_dataclass(option):
                out.update(f"{prefix}.{f.name}.{name}" for name in accepted_keys(option))
    return out


def _dotted_paths(node, prefix: str = "") -> Iterable[str]:
    if isinstance(node, DictConfig):
        for name in node.keys():
            path = f"{prefix}{name}"
            yield path
            child = OmegaConf.select(node, str(name), throw_on_missing=False)
            yield from _dotted_paths(child, path + ".")


def apply_dryrun_settings(cfg) -> object:
    """Shrink a full train.yaml to a smoke test: 1 epoch, batch ≤ 8, no workers, eval/save every 10 steps,
    1000 train and 100 test samples, W&B name and group prefixed ``dryrun-``. Modifies and returns ``cfg``."""
    train = cfg.train
    train.num_train_epochs = 1
    train.max_steps = -1
    train.batch_size = min(_int(train.get("batch_size"), 8), 8)
    train.test_batch_size = min(_int(train.get("test_batch_size"), 8), 8)
    train.num_workers = 0
    train.eval_steps = train.save_steps = 10
    cfg.data.num_train_samples = 1000
    cfg.data.num_test_samples = 100
    for block in (cfg.get("wandb"), train.get("wandb")):
        if not isinstance(block, Mapping):
            continue
        for name in ("name", "group"):
            value = block.get(name)
            if value and not str(value).startswith(DRYRUN_PREFIX):
                block[name] = DRYRUN_PREFIX + str(value)
    return cfg


def _int(value, default: int) -> int:
    """An integer config value, or ``default`` when unset; ConfigError for anything else."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"train.batch_size / train.test_batch_size must be a positive integer; got {value!r}")
    return value


def sibling_block(config, name: str):
    """The block ``name`` beside an OmegaConf block (``cfg.train`` → ``cfg.wandb``), or None for plain dicts.

    OmegaConf has no public accessor for a node's parent; this is the one place that uses the private one
    (tested in tests/test_config.py)."""
    if not isinstance(config, DictConfig):
        return None
    parent = config._get_parent()
    return parent.get(name) if isinstance(parent, DictConfig) else None
