"""Tiny GF(17) task data and the documented script, shared by the engine tests."""

import random

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
