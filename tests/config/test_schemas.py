"""The schemas are the one source of each key: parsing, errors, aliases, and the README tables."""

import pytest
from omegaconf import OmegaConf

from calt.cli.docs import rewrite
from calt.config import ConfigError, DataConfig, TrainConfig, parse_block, sibling_block
from calt.trainer import TrainingArguments


def test_readme_key_tables_match_the_schemas(repo_root):
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    assert "<!-- keys:train -->" in text and "<!-- keys:model.GenericModelBlock -->" in text
    assert rewrite(text) == text, "README key tables are stale: run python -m calt.cli.docs README.md"


def test_aliases_map_onto_the_field_and_types_are_checked():
    train = parse_block(TrainConfig, {"save_dir": "out", "optim": "adamw_torch", "learning_rate": "3e-4"}, "train",
                        require=False)
    assert (train.output_dir, train.optimizer, train.learning_rate) == ("out", "adamw_torch", 3e-4)
    with pytest.raises(ConfigError, match=r"train.batch_size must be an integer; got 'eight'"):
        parse_block(TrainConfig, {"batch_size": "eight"}, "train", require=False)
    with pytest.raises(ConfigError, match=r"train.lr_scheduler_type must be one of .*got 'cosinus'"):
        parse_block(TrainConfig, {"lr_scheduler_type": "cosinus"}, "train", require=False)
    with pytest.raises(ConfigError, match=r"data.lexer_config is required"):
        parse_block(DataConfig, {}, "data")


def test_one_unknown_key_policy_everywhere():
    for schema, where, typo, hint in ((TrainConfig, "train", "learnig_rate", "learning_rate"),
                                      (DataConfig, "data", "lexer_cfg", "lexer_config")):
        with pytest.raises(ConfigError, match=rf"{where}: unknown key '{typo}'; did you mean '{hint}'"):
            parse_block(schema, {typo: 1}, where, require=False)


@pytest.mark.parametrize("values, message", [
    ({"label_names": ["target"]}, "label_names must be \\[labels\\]"),
    ({"remove_unused_columns": True}, "remove_unused_columns must be false"),
    ({"report_to": "mlflow"}, "unknown logger 'mlflow'"),
    ({"logging_strategy": "sometimes"}, "logging_strategy must be one of"),
])
def test_hf_keys_calt_cannot_honour_are_rejected_with_the_reason(values, message):
    with pytest.raises(ConfigError, match=message):
        TrainingArguments.from_config({"num_train_epochs": 1, "learning_rate": 1e-3, "batch_size": 8, **values})


def test_sibling_block_finds_the_top_level_wandb_block():
    """The one use of OmegaConf's private parent accessor: fails here if OmegaConf changes it."""
    cfg = OmegaConf.create({"train": {"batch_size": 2}, "wandb": {"project": "p"}})
    assert sibling_block(cfg.train, "wandb").project == "p"
    assert sibling_block({"batch_size": 2}, "wandb") is None
