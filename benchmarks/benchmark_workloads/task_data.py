"""The benchmark task: GF(17) cumulative sums written as text files, plus the YAML configs both packages read.

Standard library only, because the same module is imported by the parent process and by the child process of
each package (each in its own virtual environment).
"""

from __future__ import annotations

import json
import random
from itertools import accumulate
from pathlib import Path

MODULUS = 17
MIN_TERMS = 2
MAX_TERMS = 10

LEXER_YAML = """\
vocab:
  range:
    numbers: ["", 0, 16]
  misc: [","]
  special_tokens: {}
  flags: {include_base_vocab: true, include_base_special_tokens: true}
number_policy:
  attach_sign: false
  digit_group: 0
  allow_float: false
strict: true
include_base_vocab: true
"""


def cumulative_sum_line(rng: random.Random) -> str:
    """One sample ``13,1,8,16 # 13,14,5,4``: residues mod 17 and their prefix sums mod 17."""
    values = [rng.randrange(MODULUS) for _ in range(rng.randint(MIN_TERMS, MAX_TERMS))]
    sums = accumulate(values, lambda total, value: (total + value) % MODULUS)
    return f"{','.join(map(str, values))} # {','.join(map(str, sums))}"


def write_lines(path: Path, num_lines: int, seed: int) -> Path:
    """Write ``num_lines`` samples drawn from ``seed``; rewrite only when the file differs (same seed, same file)."""
    rng = random.Random(seed)
    text = "\n".join(cumulative_sum_line(rng) for _ in range(num_lines)) + "\n"
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return path


def write_task_files(data_dir: Path, num_train: int, num_test: int, num_data: int, seed: int) -> dict[str, str]:
    """Create the train, test and data-workload files and lexer.yaml; return their paths by role."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lexer = data_dir / "lexer.yaml"
    lexer.write_text(LEXER_YAML)
    return {
        "lexer": str(lexer),
        "train": str(write_lines(data_dir / f"train_{num_train}.txt", num_train, seed)),
        "test": str(write_lines(data_dir / f"test_{num_test}.txt", num_test, seed + 1)),
        "data": str(write_lines(data_dir / f"data_{num_data}.txt", num_data, seed + 2)),
    }


def model_block(d_model: int, layers: int, heads: int, ffn: int, max_len: int) -> dict:
    """The ``model`` block of train.yaml for the generic Transformer."""
    return {
        "model_type": "generic",
        "num_encoder_layers": layers,
        "num_encoder_heads": heads,
        "num_decoder_layers": layers,
        "num_decoder_heads": heads,
        "d_model": d_model,
        "encoder_ffn_dim": ffn,
        "decoder_ffn_dim": ffn,
        "max_sequence_length": max_len,
    }


def train_block(save_dir: str, epochs: int, batch_size: int, test_batch_size: int, extra: dict | None = None) -> dict:
    """The ``train`` block of train.yaml: documented keys only (plus ``extra``), no in-loop evaluation or saving."""
    block = {
        "save_dir": save_dir,
        "num_train_epochs": epochs,
        "learning_rate": 5.0e-4,
        "weight_decay": 0.01,
        "warmup_ratio": 0.05,
        "batch_size": batch_size,
        "test_batch_size": test_batch_size,
        "lr_scheduler_type": "linear",
        "max_grad_norm": 1.0,
        "optimizer": "adamw_torch",
        "num_workers": 0,
        "eval_strategy": "no",
        "save_strategy": "no",
        "logging_steps": 50,
        "seed": 42,
        "disable_tqdm": True,
    }
    block.update(extra or {})
    return block


def write_train_yaml(path: Path, data: dict, model: dict, train: dict) -> Path:
    """Write a train.yaml (JSON is valid YAML); W&B off through ``train.wandb``, where both packages read it."""
    config = {"data": data, "model": model, "train": {**train, "wandb": {"no_wandb": True}}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2))
    return path
