"""Tiny configs, data and a training run for the decoder_only and encoder_classifier tests."""

from __future__ import annotations

import random
from pathlib import Path

import torch
from omegaconf import OmegaConf

LEXER = """vocab:
  range: {numbers: ["", 0, 9]}
  misc: [","]
  special_tokens: {}
  flags: {include_base_vocab: true, include_base_special_tokens: true}
number_policy: {attach_sign: false, digit_group: 0, allow_float: false}
strict: true
include_base_vocab: true
"""


def copy_lines(count: int, seed: int) -> str:
    """``3,1,4 # 3,1,4``: repeat the problem (a decoder-only model must look back across the prompt)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        values = ",".join(str(rng.randrange(10)) for _ in range(rng.randint(2, 4)))
        rows.append(f"{values} # {values}")
    return "\n".join(rows) + "\n"


def majority_lines(count: int, seed: int) -> str:
    """``0,1,1,0,1 # 1``: the more frequent of 0 and 1 among five (one answer token)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        bits = [rng.randrange(2) for _ in range(5)]
        rows.append(f"{','.join(map(str, bits))} # {int(sum(bits) > 2)}")
    return "\n".join(rows) + "\n"


DECODER_BLOCK = {"model_type": "decoder_only", "num_layers": 2, "num_heads": 2, "d_model": 32, "ffn_dim": 64,
                 "max_sequence_length": 16, "dropout": 0.0}
CLASSIFIER_BLOCK = {"model_type": "encoder_classifier", "num_encoder_layers": 1, "num_encoder_heads": 2,
                    "d_model": 32, "encoder_ffn_dim": 64, "max_sequence_length": 16, "dropout": 0.0}


def task_config(folder: Path, lines, model: dict, train_count: int, epochs: int, **train) -> OmegaConf:
    """A train.yaml (as DictConfig) over freshly written data in ``folder``."""
    (folder / "lexer.yaml").write_text(LEXER)
    (folder / "train.txt").write_text(lines(train_count, 0))
    (folder / "test.txt").write_text(lines(40, 1))
    return OmegaConf.create({
        "data": {"lexer_config": str(folder / "lexer.yaml"), "train_dataset_path": str(folder / "train.txt"),
                 "test_dataset_path": str(folder / "test.txt")},
        "model": model,
        "train": {"save_dir": str(folder / "run"), "num_train_epochs": epochs, "learning_rate": 3e-3,
                  "warmup_ratio": 0.05, "batch_size": 32, "test_batch_size": 40, "eval_strategy": "no",
                  "save_strategy": "no", "logging_steps": 10, "seed": 0, "disable_tqdm": True,
                  "generation_max_length": 8, **train},
        "wandb": {"no_wandb": True},
    })


def train_and_save(cfg):
    """The documented script: IO → model → trainer → train → save_model; returns (pipeline, io_dict)."""
    from calt.io import IOPipeline
    from calt.models import ModelPipeline
    from calt.trainer import TrainerPipeline

    io_dict = IOPipeline.from_config(cfg.data).build()
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    pipeline = TrainerPipeline.from_io_dict(cfg.train, model, io_dict).build()
    pipeline.train()
    pipeline.save_model()
    return pipeline, io_dict


def batch_of(io_dict, count: int = 8) -> dict[str, torch.Tensor]:
    """The collated first ``count`` test samples."""
    dataset = io_dict["test_dataset"].encoded()
    return io_dict["data_collator"]([dataset[i] for i in range(count)])
