"""Fixtures: a tiny GF(17) task on disk and a tiny config for end-to-end engine tests."""

import pytest
from omegaconf import OmegaConf

from engine_helpers import LEXER, gf17_lines


@pytest.fixture
def task_dir(tmp_path):
    (tmp_path / "lexer.yaml").write_text(LEXER)
    (tmp_path / "train.txt").write_text(gf17_lines(40, 0))
    (tmp_path / "test.txt").write_text(gf17_lines(12, 1))
    return tmp_path


@pytest.fixture
def make_cfg(task_dir):
    def make(model_type="generic", **train):
        cfg = {
            "data": {"lexer_config": str(task_dir / "lexer.yaml"), "train_dataset_path": str(task_dir / "train.txt"),
                     "test_dataset_path": str(task_dir / "test.txt")},
            "model": {"model_type": model_type, "num_encoder_layers": 1, "num_encoder_heads": 2,
                      "num_decoder_layers": 1, "num_decoder_heads": 2, "d_model": 16, "encoder_ffn_dim": 32,
                      "decoder_ffn_dim": 32, "max_sequence_length": 32},
            "train": {"save_dir": str(task_dir / "run"), "num_train_epochs": 1, "learning_rate": 1e-3,
                      "batch_size": 4, "test_batch_size": 6, "eval_steps": 5, "save_steps": 5, "logging_steps": 1,
                      "save_total_limit": 2, "generation_max_length": 16, **train},
            "wandb": {"project": "calt-tests", "name": "tiny", "no_wandb": True},
        }
        return OmegaConf.create(cfg)
    return make
