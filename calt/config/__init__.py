"""calt.config: the one schema of each YAML block, the one unknown-key check, and config-file loading.

A leaf package (only omegaconf and the standard library): every layer above reads its keys from here.
"""

from .blocks import (
    DataConfig,
    DatasetConfig,
    LexerConfig,
    NumberPolicyConfig,
    TrainConfig,
    VocabBlock,
    WandbConfig,
)
from .fields import ConfigError, accepted_keys, check_keys, describe, fields_of, key, parse_block, plain_mapping
from .files import apply_dryrun_settings, apply_overrides, load_config, one_line, sibling_block

__all__ = [
    "ConfigError",
    "DataConfig",
    "DatasetConfig",
    "LexerConfig",
    "NumberPolicyConfig",
    "TrainConfig",
    "VocabBlock",
    "WandbConfig",
    "accepted_keys",
    "apply_dryrun_settings",
    "apply_overrides",
    "check_keys",
    "describe",
    "fields_of",
    "key",
    "load_config",
    "one_line",
    "parse_block",
    "plain_mapping",
    "sibling_block",
]
