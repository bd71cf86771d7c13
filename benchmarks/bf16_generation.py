"""Decode a trained model's test set in fp32 and under bf16 autocast: time, exact-answer rate, answers that differ.

    .venv/bin/python benchmarks/bf16_generation.py RUN/train.yaml [--save-dir DIR] [--max-length 40]

Trains the run that train.yaml describes (the documented script: IOPipeline → ModelPipeline → TrainerPipeline),
then decodes its test set twice with the same weights: once in fp32, once under ``torch.autocast("cpu",
bfloat16)``. Made for issue 18's count of the answers bf16 generation changes (README, Benchmarks); use the
train.yaml of a run of benchmarks/quality_seeds.py, e.g. ``.bench/quality/calt-bf16-seed5/save/train.yaml``.
"""

from __future__ import annotations

import argparse
import json
import time
from contextlib import nullcontext

import torch


def decode(model, io_dict: dict, max_length: int, batch_size: int, bf16: bool) -> tuple[float, object]:
    """(seconds, GenerationResult) of one greedy decode of the test set."""
    from calt.lightning.generation import generate_eval_set

    context = (lambda: torch.autocast("cpu", dtype=torch.bfloat16)) if bf16 else nullcontext
    start = time.perf_counter()
    result = generate_eval_set(model, io_dict["test_dataset"], io_dict["data_collator"], io_dict["tokenizer"],
                               max_length, 1, batch_size, torch.device("cpu"), forward_context=context)
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train_yaml")
    parser.add_argument("--save-dir", default=".bench/bf16_generation", help="where the training run writes")
    parser.add_argument("--max-length", type=int, default=40, help="new tokens at most per answer")
    args = parser.parse_args(argv)
    from calt.io import IOPipeline
    from calt.models import ModelPipeline
    from calt.trainer import TrainerPipeline
    from omegaconf import OmegaConf

    cfg = OmegaConf.load(args.train_yaml)
    cfg.train.save_dir = args.save_dir
    io_dict = IOPipeline.from_config(cfg.data).build()
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    TrainerPipeline.from_io_dict(cfg.train, model, io_dict).build().train()
    batch_size = cfg.train.get("test_batch_size") or cfg.train.batch_size
    (fp32_s, fp32), (bf16_s, bf16) = (decode(model, io_dict, args.max_length, batch_size, flag) for flag in (False, True))
    differ = sum(a != b for a, b in zip(fp32.generated, bf16.generated))
    print(json.dumps({"fp32": {"seconds": fp32_s, "success_rate": fp32.success_rate},
                      "bf16": {"seconds": bf16_s, "success_rate": bf16.success_rate},
                      "answers_differing": differ, "samples": len(fp32.generated)}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
