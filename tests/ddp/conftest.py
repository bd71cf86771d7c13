"""A tiny GF(17) task on disk and a tiny config for end-to-end engine tests."""

import random

import pytest
from omegaconf import OmegaConf

LEXER = """vocab:
  range: {numbers: ["", 0, 16]}
  misc: [","]
  special_tokens: {}
  flags: {include_base_vocab: true, include_base_special_tokens: true}
number_policy: {attach_sign: false, digit_group: 0, allow_float: false}
strict: true
include_base_vocab: true
"""


def gf17_lines(count: int, seed: int) -> str:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        values = [rng.randrange(17) for _ in range(rng.randint(2, 5))]
        sums, total = [], 0
        for v in values:
            total = (total + v) % 17
            sums.append(total)
        rows.append(",".join(map(str, values)) + " # " + ",".join(map(str, sums)))
    return "\n".join(rows) + "\n"


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


def run_documented_script(cfg, train_kwargs=None, callbacks=None):
    """The documented script, returning the pipeline after train + save + generation evaluation."""
    from calt.io import IOPipeline
    from calt.models import ModelPipeline
    from calt.trainer import TrainerPipeline

    io_dict = IOPipeline.from_config(cfg.data).build()
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    pipeline = TrainerPipeline.from_io_dict(cfg.train, model, io_dict).build()
    pipeline.train(**(train_kwargs or {}))
    return pipeline
