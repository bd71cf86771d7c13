"""decoder_only speed, calt against calt-x 1.5.0 on the same config: generation and training samples/s.

    # both packages, one after the other, printed side by side
    .venv/bin/python benchmarks/bench_decoder_only.py --orig-python /path/to/orig-venv/bin/python
    # one package only (whichever ``calt`` the interpreter imports); prints JSON
    .venv/bin/python benchmarks/bench_decoder_only.py --single

Workload: the ``model`` block of configs/integer_addition_reversed/train.yaml (decoder_only, d_model 64, 3
layers) with ``max_sequence_length`` raised so a problem plus 128 answer tokens fit. Generation: greedy
decoding of 100 problems x 128 tokens in one batch (``eos_token_id=-1``, so no row stops early); calt keeps
a key/value cache, the original re-runs the whole sequence every step. Training: one epoch of the documented
script (IOPipeline → ModelPipeline → TrainerPipeline.train, evaluation and checkpoints off) over
``--num-train`` samples. Data: ``calt generate configs/integer_addition_reversed/data.yaml`` (the script
generates it into a temporary folder when ``--train`` / ``--test`` are not given).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "configs" / "integer_addition_reversed"
GENERATED_TOKENS = 128
GENERATED_SAMPLES = 100


def run_config(options, save_dir: str) -> dict:
    import yaml

    model = yaml.safe_load((CONFIG / "train.yaml").read_text())["model"]
    model["max_sequence_length"] = 160  # problem + BOS + 128 tokens inside the 2 x 160 position table
    train = {"save_dir": save_dir, "num_train_epochs": 1, "learning_rate": 1e-3, "weight_decay": 0.01,
             "warmup_ratio": 0.05, "batch_size": options.batch_size, "test_batch_size": GENERATED_SAMPLES,
             "lr_scheduler_type": "linear", "max_grad_norm": 1.0, "optimizer": "adamw_torch", "num_workers": 0,
             "eval_strategy": "no", "save_strategy": "no", "logging_steps": 50, "seed": 42, "disable_tqdm": True,
             "wandb": {"no_wandb": True}}
    data = {"lexer_config": str(CONFIG / "lexer.yaml"), "train_dataset_path": options.train,
            "test_dataset_path": options.test, "num_train_samples": options.num_train,
            "num_test_samples": GENERATED_SAMPLES}
    return {"data": data, "model": model, "train": train}


def measure(options) -> dict:
    """Generation and training timings of whichever ``calt`` this interpreter imports."""
    import torch
    from omegaconf import OmegaConf

    import calt
    from calt.io import IOPipeline
    from calt.models import ModelPipeline
    from calt.trainer import TrainerPipeline

    with tempfile.TemporaryDirectory() as folder:
        cfg = OmegaConf.create(run_config(options, folder))
        io_dict = IOPipeline.from_config(cfg.data).build()
        model = ModelPipeline.from_io_dict(cfg.model, io_dict).build().eval()
        dataset, collator = io_dict["test_dataset"], io_dict["data_collator"]
        items = dataset.encoded() if hasattr(dataset, "encoded") else dataset
        batch = collator([items[i] for i in range(GENERATED_SAMPLES)])
        with torch.no_grad():
            start = time.perf_counter()
            output = model.generate(batch["input_ids"], attention_mask=batch["attention_mask"],
                                    max_length=GENERATED_TOKENS, eos_token_id=-1)
            generation_s = time.perf_counter() - start
        assert output.shape == (GENERATED_SAMPLES, GENERATED_TOKENS + 1), output.shape
        model.train()
        pipeline = TrainerPipeline.from_io_dict(cfg.train, model, io_dict).build()
        start = time.perf_counter()
        pipeline.train()
        training_s = time.perf_counter() - start
    return {"package": f"calt {getattr(calt, '__version__', '?')} ({Path(calt.__file__).parent})",
            "torch_threads": torch.get_num_threads(), "generation_s": round(generation_s, 3),
            "generated_tokens_per_s": round(GENERATED_SAMPLES * GENERATED_TOKENS / generation_s, 1),
            "training_samples": len(io_dict["train_dataset"]), "training_s": round(training_s, 2),
            "training_samples_per_s": round(len(io_dict["train_dataset"]) / training_s, 1)}


def ensure_data(options) -> None:
    if options.train and options.test:
        return
    folder = Path(tempfile.mkdtemp(prefix="bench_decoder_only_"))
    subprocess.run([sys.executable, "-m", "calt", "generate", str(CONFIG / "data.yaml"), f"dataset.save_dir={folder}",
                    "dataset.n_jobs=1", "dataset.verbose=false", "dataset.num_train_samples=4000",
                    "dataset.num_test_samples=200"], check=True, cwd=REPO)
    options.train, options.test = str(folder / "train_raw.txt"), str(folder / "test_raw.txt")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--single", action="store_true", help="measure this interpreter's calt only; print JSON")
    parser.add_argument("--orig-python", help="interpreter of a venv with calt-x==1.5.0")
    parser.add_argument("--train")
    parser.add_argument("--test")
    parser.add_argument("--num-train", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=64)
    options = parser.parse_args()
    if options.single:
        print(json.dumps(measure(options)))
        return 0
    ensure_data(options)
    args = ["--single", "--train", options.train, "--test", options.test, "--num-train", str(options.num_train),
            "--batch-size", str(options.batch_size)]
    results = {}
    for name, python in (("calt", sys.executable), ("calt-x 1.5.0", options.orig_python)):
        if python is None:
            continue
        # from a neutral folder, so the original is not shadowed by this checkout's calt
        done = subprocess.run([python, str(Path(__file__).resolve()), *args], capture_output=True, text=True,
                              cwd=tempfile.gettempdir(), env={**os.environ, "PYTHONPATH": ""})
        if done.returncode:
            print(done.stderr[-3000:], file=sys.stderr)
            return done.returncode
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("generation_s", "generated_tokens_per_s", "training_samples", "training_s", "training_samples_per_s"):
        print(f"{key:24}" + "".join(f"{name:>16}: {values[key]:<10}" for name, values in results.items()))
    for name, values in results.items():
        print(f"{name}: {values['package']}, {values['torch_threads']} torch threads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
