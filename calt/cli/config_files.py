"""train.yaml and data.yaml as both command lines read them: loaded, overridden, checked against the schemas."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

from omegaconf import DictConfig

from calt.config import (
    ConfigError,
    DataConfig,
    DatasetConfig,
    TrainConfig,
    WandbConfig,
    load_config,
    parse_block,
)

TRAIN_FILE_BLOCKS = ("data", "model", "train", "wandb")
LIGHTNING_ONLY_BLOCKS = ("trainer", "seed_everything", "ckpt_path", "optimizer", "lr_scheduler")


def model_schemas() -> dict[str, type]:
    """``{model_type: model-block schema}`` of every registered model type."""
    from calt.models.base import default_registry

    return default_registry().block_schemas()


def model_schema(model_block, where: str = "model") -> type:
    """The schema of the ``model`` block's ``model_type``; ConfigError naming the types there are."""
    schemas = model_schemas()
    model_type = (model_block or {}).get("model_type")
    if model_type is None:
        raise ConfigError(f"{where}.model_type is required; choose one of {', '.join(schemas)}")
    schema = schemas.get(str(model_type).strip().lower())
    if schema is None:
        raise ConfigError(f"{where}.model_type: unknown model type {model_type!r}; choose one of {', '.join(schemas)}")
    return schema


def override_schemas() -> dict[str, tuple[type, ...]]:
    """The schemas whose keys ``key=value`` overrides may name, per block."""
    return {"data": (DataConfig,), "model": tuple(dict.fromkeys(model_schemas().values())), "train": (TrainConfig,),
            "train.wandb": (WandbConfig,), "wandb": (WandbConfig,), "dataset": (DatasetConfig,)}


def load_train_file(path: str | Path, overrides: Sequence[str] = ()) -> DictConfig:
    """train.yaml with overrides; it must hold the data, model and train blocks and nothing calt does not read."""
    config = load_config(path, overrides, override_schemas())
    missing = [block for block in ("data", "model", "train") if block not in config]
    if missing:
        raise ConfigError(f"{path}: missing block(s) {missing}; train.yaml needs data, model and train")
    for block in config:
        if block in LIGHTNING_ONLY_BLOCKS:
            raise ConfigError(f"{path}: the {block!r} block is read by `calt fit` only; remove it for `calt train`")
        if block not in TRAIN_FILE_BLOCKS:
            raise ConfigError(f"{path}: unknown top-level block {block!r}; train.yaml holds {', '.join(TRAIN_FILE_BLOCKS)}")
        if not isinstance(config.get(block), DictConfig) and not (block == "wandb" and config.get(block) is None):
            raise ConfigError(f"{path}: the {block!r} block must be a mapping of keys to values; got "
                              f"{config.get(block)!r}")
    return config


def load_data_file(path: str | Path, overrides: Sequence[str] = ()) -> DictConfig:
    """data.yaml with overrides; its ``dataset`` block is checked against ``DatasetConfig``."""
    config = load_config(path, overrides, {"dataset": (DatasetConfig,)})  # no model schemas: no torch import
    if "dataset" not in config:
        raise ConfigError(f"{path}: no `dataset` block (is this a data.yaml?)")
    parse_block(DatasetConfig, config.dataset, "dataset")
    if not config.dataset.get("generator"):
        raise ConfigError(f"{path}: set dataset.generator to a module path, e.g. calt.dataset.tasks.polynomial_derivative")
    return config


def resolved_train_config(config) -> dict:
    """Every key of every block with its value after defaults and aliases: what a run actually uses.
    ``calt train --print_config`` and ``calt fit --print_config`` print these same values."""
    resolved = {
        "data": asdict(parse_block(DataConfig, config.get("data"), "data")),
        "model": asdict(parse_block(model_schema(config.get("model")), config.get("model"), "model")),
        "train": asdict(parse_block(TrainConfig, config.get("train"), "train")),
    }
    if config.get("wandb") is not None:
        resolved["wandb"] = asdict(parse_block(WandbConfig, config.get("wandb"), "wandb"))
    return resolved


@contextlib.contextmanager
def errors_name_file(config_path: str | Path) -> Iterator[None]:
    """A ConfigError that names no YAML file is re-raised with ``config_path`` in front, so the one-line error
    says which file holds the key."""
    try:
        yield
    except ConfigError as exc:
        if ".yaml" in str(exc) or ".yml" in str(exc):
            raise
        raise ConfigError(f"{config_path}: {exc}") from exc
