"""The monomial model: against the generic model on the same data, and against calt-x 1.5.0's monomial model.

    # monomial vs generic (calt): sequence lengths, training samples/s, generation success
    .venv/bin/python benchmarks/bench_monomial.py compare --train data.txt --test test.txt --epochs 4
    # training steps of both on the same batches, alternated (robust to a changing machine load)
    .venv/bin/python benchmarks/bench_monomial.py steps --train data.txt --test test.txt --batch-size 64
    # speed vs the original: run once with each interpreter on the same files, compare the printed JSON
    .venv/bin/python benchmarks/bench_monomial.py speed --train data.txt --test test.txt
    /path/to/orig-venv/bin/python benchmarks/bench_monomial.py speed --train data.txt --test test.txt

Data: ``calt generate configs/polynomial_multiplication/data.yaml`` (``f | g # f * g`` over GF(7)[x, y]).
Models: the ``model`` blocks of configs/polynomial_multiplication{,_monomial}/train.yaml (``--max-len``
raises the monomial table for the 128-token generation). ``speed`` times, with one package (whichever
``calt`` the interpreter imports): greedy generation of 100 samples x 128 flat tokens (32 monomials; the EOS
class is disabled so every row runs the full length) and one training epoch through the documented script
(IOPipeline → ModelPipeline → TrainerPipeline.train, evaluation off). The original is imported from a
neutral working directory, so this checkout's ``calt`` does not shadow it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LEXER = REPO / "configs" / "polynomial_multiplication" / "lexer.yaml"
MODEL_BLOCKS = {name: REPO / "configs" / folder / "train.yaml" for name, folder in
                (("generic", "polynomial_multiplication"), ("monomial", "polynomial_multiplication_monomial"))}


def model_block(kind: str, max_len: int | None = None) -> dict:
    import yaml

    block = yaml.safe_load(MODEL_BLOCKS[kind].read_text())["model"]
    if max_len is not None:
        block["max_sequence_length"] = max_len
    return block


def run_config(kind: str, options, save_dir: str, eval_on: bool, max_len: int | None = None) -> dict:
    """A train.yaml as a dict: the example's model block, these files, ``options.epochs`` epochs."""
    train = {"save_dir": save_dir, "num_train_epochs": options.epochs, "learning_rate": options.lr,
             "weight_decay": 0.01, "warmup_ratio": 0.05, "batch_size": options.batch_size,
             "test_batch_size": options.batch_size, "lr_scheduler_type": "linear", "max_grad_norm": 1.0,
             "optimizer": "adamw_torch", "num_workers": 0, "eval_strategy": "epoch" if eval_on else "no",
             "save_strategy": "no", "logging_steps": 50, "seed": 42, "disable_tqdm": True,
             "wandb": {"no_wandb": True}}
    data = {"lexer_config": str(LEXER), "train_dataset_path": options.train, "test_dataset_path": options.test,
            "num_train_samples": options.num_train, "num_test_samples": options.num_test}
    return {"data": data, "model": model_block(kind, max_len), "train": train}


def build(config: dict):
    from omegaconf import OmegaConf

    from calt.io import IOPipeline
    from calt.models import ModelPipeline

    cfg = OmegaConf.create(config)
    io_dict = IOPipeline.from_config(cfg.data).build()
    return cfg, io_dict, ModelPipeline.from_io_dict(cfg.model, io_dict).build()


def timed_training(cfg, io_dict, model) -> tuple[object, float]:
    from calt.trainer import TrainerPipeline

    pipeline = TrainerPipeline.from_io_dict(cfg.train, model, io_dict).build()
    start = time.perf_counter()
    pipeline.train()
    return pipeline, time.perf_counter() - start


def mean_lengths(io_dict, width: int | None) -> dict:
    """Mean problem / answer length in decoder-visible positions: tokens (BOS and EOS included) for the
    generic model; monomials (one more for the BOS state) for the monomial model."""
    dataset = io_dict["train_dataset"]
    out = {}
    for side, store in (("problem", dataset.input_ids), ("answer", dataset.target_ids)):
        tokens = store.lengths().mean()
        out[side] = float(tokens if width is None else 1 + (tokens - 1) / width)
    return out


def compare(options) -> dict:
    """Train the generic and the monomial model on the same files; lengths, samples/s, success."""
    results = {}
    for kind in options.kinds.split(","):
        with tempfile.TemporaryDirectory() as save_dir:
            cfg, io_dict, model = build(run_config(kind, options, save_dir, eval_on=False))
            pipeline, seconds = timed_training(cfg, io_dict, model)
            success = pipeline.evaluate_and_save_generation()
        width = model.config.monomial_width if kind == "monomial" else None
        samples = len(io_dict["train_dataset"]) * options.epochs
        results[kind] = {"mean_positions": mean_lengths(io_dict, width), "train_seconds": round(seconds, 1),
                         "train_samples_per_s": round(samples / seconds, 1), "generation_success": success,
                         "parameters": sum(p.numel() for p in model.parameters())}
        print(kind, json.dumps(results[kind]), flush=True)
    return results


def interleaved_steps(options) -> dict:
    """Training steps of both models on the same batches, alternated step by step, so a changing machine
    load hits both alike: samples/s by wall clock and by this process's CPU time."""
    import torch

    with tempfile.TemporaryDirectory() as save_dir:
        built = {kind: build(run_config(kind, options, save_dir, eval_on=False)) for kind in ("generic", "monomial")}
    _, io_dict, _ = built["generic"]
    dataset, collator = io_dict["train_dataset"].encoded(), io_dict["data_collator"]
    batches = [collator(dataset.__getitems__(list(range(i, i + options.batch_size))))
               for i in range(0, options.steps * options.batch_size, options.batch_size)]
    optimizers = {kind: torch.optim.AdamW(model.parameters(), lr=options.lr) for kind, (_, _, model) in built.items()}
    clock = {kind: [0.0, 0.0] for kind in built}
    for batch in batches:
        for kind, (_, _, model) in built.items():
            model.train()
            wall, cpu = time.perf_counter(), time.process_time()
            loss = model(**batch).loss
            optimizers[kind].zero_grad()
            loss.backward()
            optimizers[kind].step()
            clock[kind][0] += time.perf_counter() - wall
            clock[kind][1] += time.process_time() - cpu
    samples = len(batches) * options.batch_size
    results = {kind: {"samples_per_s_wall": round(samples / wall, 1), "samples_per_s_cpu": round(samples / cpu, 1)}
               for kind, (wall, cpu) in clock.items()}
    print(json.dumps(results), flush=True)
    return results


def generation_speed(model, io_dict, samples: int, tokens: int) -> float:
    """Seconds to greedily decode ``samples`` test problems for ``tokens`` flat tokens each (no early EOS)."""
    import torch

    with torch.no_grad():
        model.head.follow_head.bias[-1] = -1e4  # the EOS class never wins: every row decodes the full length
    dataset, collator = io_dict["test_dataset"], io_dict["data_collator"]
    batch = collator([dataset[i % len(dataset)] for i in range(samples)])
    model.eval()
    start = time.perf_counter()
    output = model.generate(batch["input_ids"], attention_mask=batch["attention_mask"], max_length=tokens + 1)
    seconds = time.perf_counter() - start
    assert output.shape[1] == 1 + tokens, output.shape
    return seconds


def speed(options) -> dict:
    import torch

    import calt

    package = "calt-x 1.5.0" if "site-packages" in str(Path(calt.__file__)) else f"calt ({Path(calt.__file__).parent})"
    results = {"package": package, "torch_threads": torch.get_num_threads()}
    with tempfile.TemporaryDirectory() as save_dir:
        cfg, io_dict, model = build(run_config("monomial", options, save_dir, eval_on=False, max_len=options.max_len))
        for repeat in range(options.repeats):
            results.setdefault("generate_100x128_s", []).append(round(generation_speed(model, io_dict, 100, 128), 2))
        cfg, io_dict, model = build(run_config("monomial", options, save_dir, eval_on=False))
        _, seconds = timed_training(cfg, io_dict, model)
    results["train_samples_per_s"] = round(len(io_dict["train_dataset"]) * options.epochs / seconds, 1)
    print(json.dumps(results), flush=True)
    return results


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("compare", "speed", "steps"))
    parser.add_argument("--train", required=True, help="train_raw.txt of polynomial_multiplication")
    parser.add_argument("--test", required=True, help="test_raw.txt of polynomial_multiplication")
    parser.add_argument("--num-train", type=int, default=-1)
    parser.add_argument("--num-test", type=int, default=-1)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--max-len", type=int, default=40, help="monomial positions for the generation timing")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--steps", type=int, default=30, help="steps: training steps per model")
    parser.add_argument("--kinds", default="generic,monomial", help="compare: the model types to train, in order")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    options = parse_args(argv)
    options.train, options.test = str(Path(options.train).resolve()), str(Path(options.test).resolve())
    os.chdir(tempfile.gettempdir())  # a neutral directory: the interpreter's own calt is imported
    sys.path[:] = [p for p in sys.path if p not in ("", str(REPO), str(Path(__file__).parent))]
    {"compare": compare, "speed": speed, "steps": interleaved_steps}[options.what](options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
