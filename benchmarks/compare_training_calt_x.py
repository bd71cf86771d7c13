"""Train the original package (calt-x 1.5.0, HF Trainer) and calt side by side from the same weights and batches.

    .venv/bin/python benchmarks/compare_training_calt_x.py --original-python /path/to/orig-venv/bin/python
    ... --steps 20 --batch-size 16 --accumulation 2          # gradient accumulation
    ... --record-fixture tests/fixtures/calt_x_1_5_0/training_generic   # what the CI test replays

1. Writes a GF(17) task (cumulative sums mod 17, 2-10 terms, so batches carry padding), lexer.yaml and a
   train.yaml (generic model, dropout 0) into a work folder.
2. Runs the ORIGINAL in a child process with its own interpreter (this same file, ``--side original``): its
   documented script (IOPipeline -> ModelPipeline -> TrainerPipeline -> train) for ``--steps`` optimizer steps.
   The child saves the initial model (save_pretrained), records every collated micro-batch and the sample
   indices in it, the loss of every micro-batch, the learning rate and pre-clipping gradient norm of every
   optimizer step, which parameters the optimizer decays, and the final weights.
3. Runs CALT's training loop (``calt.trainer.Trainer`` on Lightning) on the original's initial weights
   (loaded with ``Transformer.from_pretrained`` from the original's save_pretrained folder) and the same
   micro-batches in the same order, recording the same things.
4. Prints both side by side: per-step loss, learning rate, gradient norm, the largest relative difference of
   every weight after the run, and whether calt's own IOPipeline and collator build the same batches from the
   same samples (tokens compared as strings, since the two tokenizers may number them differently).

Needs both environments: this repository's (running this file) and one with torch, calt-x==1.5.0 and
transformers<5 (``--original-python``). Tiny sizes: about a minute on two CPU cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from functools import partial
from itertools import accumulate
from pathlib import Path

MODULUS = 17
MODEL_FIELDS = ("input_ids", "attention_mask", "decoder_input_ids", "decoder_attention_mask", "labels")
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


# --- the task and configs (standard library only: both interpreters import this file) --------------


def sample_line(rng: random.Random) -> str:
    """``13,1,8 # 13,14,5``: residues mod 17 and their prefix sums."""
    values = [rng.randrange(MODULUS) for _ in range(rng.randint(2, 10))]
    sums = accumulate(values, lambda total, value: (total + value) % MODULUS)
    return f"{','.join(map(str, values))} # {','.join(map(str, sums))}"


def write_task(workdir: Path, options: argparse.Namespace) -> None:
    """Data, lexer.yaml and train.yaml of one comparison in ``workdir`` (paths relative to it)."""
    rng = random.Random(options.data_seed)
    train_lines = options.steps * options.batch_size * options.accumulation
    (workdir / "data").mkdir(parents=True, exist_ok=True)
    (workdir / "data" / "train.txt").write_text("\n".join(sample_line(rng) for _ in range(train_lines)) + "\n")
    (workdir / "data" / "test.txt").write_text("\n".join(sample_line(rng) for _ in range(32)) + "\n")
    (workdir / "lexer.yaml").write_text(LEXER_YAML)
    config = {
        "data": {"lexer_config": "lexer.yaml", "train_dataset_path": "data/train.txt",
                 "test_dataset_path": "data/test.txt", "num_train_samples": -1, "num_test_samples": -1},
        "model": {"model_type": "generic", "num_encoder_layers": options.layers, "num_encoder_heads": options.heads,
                  "num_decoder_layers": options.layers, "num_decoder_heads": options.heads,
                  "d_model": options.d_model, "encoder_ffn_dim": 2 * options.d_model,
                  "decoder_ffn_dim": 2 * options.d_model, "max_sequence_length": 32, "dropout": 0.0},
        "train": {"save_dir": "original_run", "num_train_epochs": 1, "learning_rate": options.learning_rate,
                  "weight_decay": 0.01, "warmup_ratio": 0.1, "batch_size": options.batch_size,
                  "test_batch_size": options.batch_size, "gradient_accumulation_steps": options.accumulation,
                  "lr_scheduler_type": "linear", "max_grad_norm": options.max_grad_norm,
                  "optimizer": "adamw_torch", "num_workers": 0, "eval_strategy": "no", "save_strategy": "no",
                  "logging_steps": 1, "seed": 42, "disable_tqdm": True, "wandb": {"no_wandb": True}},
    }
    (workdir / "train.yaml").write_text(json.dumps(config, indent=2) + "\n")


# --- the original's side (run by the original's interpreter) -------------------------------------------


def run_original(workdir: Path) -> None:
    """The documented script of calt-x with recorders attached; writes initial/, original.pt, original.json."""
    import torch
    from omegaconf import OmegaConf
    from transformers import TrainerCallback

    from calt.io import IOPipeline
    from calt.models import ModelPipeline
    from calt.trainer import TrainerPipeline

    os.chdir(workdir)
    torch.set_num_threads(1)
    # the original initialises from torch's global generator, which starts from a random seed in every process
    # (its config.seed is applied only after init): seed it, so that a recorded fixture can be made again
    torch.manual_seed(0)
    cfg = OmegaConf.load("train.yaml")
    io_dict = IOPipeline.from_config(cfg.data).build()
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    model.save_pretrained("initial", safe_serialization=False)
    io_dict["tokenizer"].save_pretrained("initial")

    indices: list[int] = []
    io_dict["train_dataset"] = RecordingDataset(io_dict["train_dataset"], indices)
    batches: list[dict] = []
    collate = io_dict["data_collator"]
    io_dict["data_collator"] = lambda items: _remember(batches, collate(items))
    micro_losses: list[float] = []
    model.register_forward_hook(partial(_record_loss, micro_losses))
    steps: list[dict] = []

    class StepRecorder(TrainerCallback):
        def on_train_begin(self, args, state, control, optimizer=None, **kwargs):
            inner = getattr(optimizer, "optimizer", optimizer)
            inner.register_step_pre_hook(lambda opt, a, k: steps.append({"lr": opt.param_groups[0]["lr"]}))
            names = {id(p): n for n, p in model.named_parameters()}
            self.decayed = sorted(names[id(p)] for g in inner.param_groups if g["weight_decay"] > 0
                                  for p in g["params"])

    recorder = StepRecorder()
    pipeline = TrainerPipeline.from_io_dict(cfg.train, model, io_dict).build()
    pipeline.trainer.add_callback(recorder)
    pipeline.train()
    history = pipeline.trainer.state.log_history
    norms = [row["grad_norm"] for row in history if "grad_norm" in row]
    for step, norm in zip(steps, norms):
        step["grad_norm"] = float(norm)
    per_step = len(batches) // max(len(steps), 1)
    torch.save({"batches": batches, "final": model.state_dict()}, "original.pt")
    Path("original.json").write_text(json.dumps({
        "micro_losses": micro_losses, "steps": steps, "micro_batches_per_step": per_step,
        "sample_indices": [indices[i * cfg.train.batch_size:(i + 1) * cfg.train.batch_size]
                           for i in range(len(batches))],
        "decayed": recorder.decayed, "versions": _versions(),
        "logged_losses": [row["loss"] for row in history if "loss" in row and "train_loss" not in row],
    }, indent=1))


class RecordingDataset:
    """A dataset that notes every index the loader asks for (the original's sampler order)."""

    def __init__(self, inner, seen: list[int]) -> None:
        self.inner, self.seen = inner, seen

    def __len__(self) -> int:
        return len(self.inner)

    def __getitem__(self, index: int):
        self.seen.append(int(index))
        return self.inner[index]


def _record_loss(losses: list[float], module, args, output) -> None:
    """Forward hook: the loss of every training forward (grad enabled), whatever the module's train/eval mode."""
    import torch

    if torch.is_grad_enabled() and getattr(output, "loss", None) is not None:
        losses.append(float(output.loss.detach()))


def _remember(batches: list[dict], batch: dict) -> dict:
    batches.append({key: batch[key].clone() for key in MODEL_FIELDS})
    return batch


def _versions() -> dict:
    import torch
    import transformers

    try:
        from importlib.metadata import version

        calt_version = version("calt-x")
    except Exception:  # noqa: BLE001 - only a label in the output
        calt_version = "calt (this repository)"
    return {"package": calt_version, "torch": str(torch.__version__), "transformers": transformers.__version__}


# --- calt's side ------------------------------------------------------------------------------------


class ReplayedBatches:
    """The original's micro-batches, handed out in the order the loader asks (whatever its sampler), one per item."""

    def __init__(self, batches: list[dict]) -> None:
        self.batches, self.next = batches, 0

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, index: int) -> dict:
        batch = self.batches[self.next % len(self.batches)]
        self.next += 1
        return batch


def train_calt(initial_dir: Path, batches: list[dict], train_block: dict, output_dir: Path) -> dict:
    """calt's Trainer on the original's initial weights and micro-batches; per-step records and final weights."""
    import lightning as L
    import torch

    from calt.models.generic import Transformer
    from calt.trainer import Trainer, TrainingArguments

    torch.set_num_threads(1)
    model = Transformer.from_pretrained(initial_dir)
    micro_losses: list[float] = []
    model.register_forward_hook(partial(_record_loss, micro_losses))
    steps: list[dict] = []

    class StepRecorder(L.Callback):
        def on_before_optimizer_step(self, trainer, pl_module, optimizer):
            grads = [p.grad.detach().flatten() for p in pl_module.parameters() if p.grad is not None]
            steps.append({"lr": optimizer.param_groups[0]["lr"], "grad_norm": float(torch.cat(grads).norm())})
            if len(steps) == 1:
                names = {id(p): n for n, p in pl_module.model.named_parameters()}
                self.decayed = sorted(names[id(p)] for g in optimizer.param_groups if g["weight_decay"] > 0
                                      for p in g["params"])

    recorder = StepRecorder()
    keys = ("num_train_epochs", "learning_rate", "weight_decay", "warmup_ratio", "lr_scheduler_type",
            "max_grad_norm", "optimizer", "gradient_accumulation_steps", "seed", "logging_steps")
    args = TrainingArguments.from_config({
        **{key: train_block[key] for key in keys}, "output_dir": str(output_dir), "batch_size": 1,
        "eval_strategy": "no", "save_strategy": "no", "group_by_length": False, "accelerator": "cpu",
        "devices": 1, "precision": "32-true", "disable_tqdm": True,
    })
    trainer = Trainer(model=model, args=args, data_collator=lambda items: items[0],
                      train_dataset=ReplayedBatches(batches), callbacks=[recorder])
    trainer.train()
    return {"micro_losses": micro_losses, "steps": steps, "decayed": recorder.decayed,
            "final": {k: v.detach().clone() for k, v in model.state_dict().items()}}


def compare_data(workdir: Path, original: dict, batches: list[dict]) -> list[str]:
    """calt's IOPipeline + collator on the original's sample indices: differences from the original's batches,
    with tokens compared as strings (calt's tokenizer may number the same tokens differently)."""
    from omegaconf import OmegaConf
    from transformers import AutoTokenizer

    from calt.io import IOPipeline

    cwd = Path.cwd()
    os.chdir(workdir)
    try:
        io_dict = IOPipeline.from_config(OmegaConf.load("train.yaml").data).build()
    finally:
        os.chdir(cwd)
    ours, theirs = io_dict["tokenizer"], AutoTokenizer.from_pretrained(workdir / "initial")
    dataset, collate = io_dict["train_dataset"], io_dict["data_collator"]
    problems = []
    for number, (sample_indices, batch) in enumerate(zip(original["sample_indices"], batches)):
        mine = collate([dataset[i] for i in sample_indices])
        for key in MODEL_FIELDS:
            a, b = mine[key], batch[key]
            if key in ("input_ids", "decoder_input_ids", "labels"):
                a = [[ours.convert_ids_to_tokens(int(t)) if t >= 0 else int(t) for t in row] for row in a]
                b = [[theirs.convert_ids_to_tokens(int(t)) if t >= 0 else int(t) for t in row] for row in b]
            else:
                a, b = a.tolist(), b.tolist()
            if a != b:
                problems.append(f"micro-batch {number}: {key} differs (calt {a[0]} vs original {b[0]} in row 0)")
    return problems


def weight_differences(calt_final: dict, original_final: dict, config) -> tuple[dict[str, float], float]:
    """(largest |calt - original| / max|original| of every calt weight, the original renamed onto calt's names;
    the largest |calt - original| of the attention key biases, which the first number leaves out).

    A key bias has zero gradient in exact arithmetic: it adds the same q·b to every score of a query row, and
    softmax ignores that. Its float gradient is rounding noise, which Adam turns into steps of about ±lr, so in
    both runs it stays near zero but not at the same near-zero value; comparing it relatively would be
    comparing noise.
    """
    import torch

    from calt.models.generic.calt_x_compat import convert_state_dict

    expected = {key: value.shape for key, value in calt_final.items()}
    reference = convert_state_dict(original_final, config, expected, "the original's final weights")
    relative_gaps, key_bias_gap = {}, 0.0
    for key, value in reference.items():
        ours, keep = calt_final[key], torch.ones_like(value, dtype=torch.bool)
        key_rows = key_bias_rows(key, config.d_model)
        if key_rows is not None:
            keep[key_rows] = False
            key_bias_gap = max(key_bias_gap, float((ours - value)[key_rows].abs().max()))
        scale = value[keep].abs().max().clamp(min=1e-12)
        relative_gaps[key] = float((ours - value)[keep].abs().max() / scale)
    return relative_gaps, key_bias_gap


def key_bias_rows(calt_key: str, d_model: int) -> slice | None:
    """The key part of a fused attention bias: rows d..2d of self_attn.qkv_proj.bias, 0..d of cross_attn.kv_proj.bias."""
    if calt_key.endswith("self_attn.qkv_proj.bias"):
        return slice(d_model, 2 * d_model)
    if calt_key.endswith("cross_attn.kv_proj.bias"):
        return slice(0, d_model)
    return None


def step_losses(micro: list[float], per_step: int) -> list[float]:
    """Mean micro-batch loss of each optimizer step (what both trainers report as the step's loss)."""
    return [sum(micro[i:i + per_step]) / per_step for i in range(0, len(micro), per_step)]


def relative(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-12)


def report(original: dict, calt: dict, weights: dict[str, float], key_bias_gap: float, data_problems: list[str],
           tolerance: float) -> bool:
    """Print the side-by-side; True when losses and weights agree within ``tolerance`` (relative)."""
    per_step = original["micro_batches_per_step"]
    theirs, ours = step_losses(original["micro_losses"], per_step), step_losses(calt["micro_losses"], per_step)
    print(f"{'step':>4} {'loss original':>14} {'loss calt':>12} {'rel.diff':>9} {'lr original':>12} "
          f"{'lr calt':>10} {'|g| original':>13} {'|g| calt':>10}")
    for i, (a, b) in enumerate(zip(theirs, ours)):
        so, sc = original["steps"][i], calt["steps"][i]
        print(f"{i + 1:>4} {a:>14.7f} {b:>12.7f} {relative(b, a):>9.2e} {so['lr']:>12.3e} {sc['lr']:>10.3e} "
              f"{so.get('grad_norm', float('nan')):>13.6f} {sc['grad_norm']:>10.6f}")
    worst = max(weights, key=weights.get)
    loss_gap = max((relative(b, a) for a, b in zip(theirs, ours)), default=float("inf"))
    norm_gap = max((relative(sc["grad_norm"], so["grad_norm"]) for so, sc in zip(original["steps"], calt["steps"])
                    if "grad_norm" in so), default=float("inf"))
    print(f"steps: original {len(original['steps'])}, calt {len(calt['steps'])}")
    print(f"largest gradient-norm difference before clipping (relative): {norm_gap:.3e}")
    print(f"largest per-step loss difference (relative): {loss_gap:.3e}")
    print(f"largest weight difference after the run (relative to the weight's largest entry): "
          f"{weights[worst]:.3e} ({worst})")
    print(f"attention key biases (zero gradient, rounding noise; see weight_differences): largest absolute "
          f"difference {key_bias_gap:.2e}")
    logged = original.get("logged_losses", [])
    if logged:
        print(f"the original's logged loss of step 1: {logged[0]} (the mean loss of its micro-batches: "
              f"{theirs[0]:.4f}; HF logs the sum over gradient-accumulation micro-batches)")
    decay_same = set(calt["decayed"]) == set(calt_names(original["decayed"]))
    print(f"weight-decay groups: {'same' if decay_same else 'DIFFERENT'} "
          f"({len(calt['decayed'])} decayed tensors in calt, {len(original['decayed'])} in the original)")
    print("data: calt's IOPipeline + collator build " + ("the same batches" if not data_problems else
          f"DIFFERENT batches:\n  " + "\n  ".join(data_problems[:5])))
    return (loss_gap <= tolerance and norm_gap <= tolerance and weights[worst] <= tolerance
            and key_bias_gap <= tolerance
            and len(theirs) == len(ours)
            and len(original["steps"]) == len(calt["steps"]) and decay_same and not data_problems)


def calt_names(original_names: list[str]) -> list[str]:
    """The calt names of the original's parameters (the cross-attention in_proj becomes q_proj and kv_proj)."""
    from calt.models.generic.calt_x_compat import calt_keys_of

    return [calt_name for name in original_names for calt_name in (calt_keys_of(name) or [name])]


def record_fixture(target: Path, workdir: Path, original: dict, payload: dict) -> None:
    """What tests/models/test_calt_x_training.py replays: initial weights, micro-batches (int8), per-step
    records and final weights of the original."""
    import shutil

    import torch

    target.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target / "initial", ignore_errors=True)
    shutil.copytree(workdir / "initial", target / "initial")
    for name in ("special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"):
        (target / "initial" / name).unlink(missing_ok=True)
    batches = [{key: value.to(torch.int8) for key, value in batch.items()} for batch in payload["batches"]]
    write_atomically(target / "original.pt", lambda path: torch.save({"batches": batches, "final": payload["final"]},
                                                                     path))
    keep = ("micro_losses", "steps", "micro_batches_per_step", "decayed", "versions")
    train = json.loads((workdir / "train.yaml").read_text())["train"]
    text = json.dumps({**{k: original[k] for k in keep}, "train": train}, indent=1) + "\n"
    write_atomically(target / "original.json", lambda path: path.write_text(text))


def write_atomically(path: Path, write) -> None:
    """``write(temporary_path)``, then move it onto ``path`` (a reader never sees half a file)."""
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    os.replace(temporary, path)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--original-python", help="interpreter of a venv with calt-x==1.5.0 and transformers<5")
    parser.add_argument("--side", choices=("both", "original"), default="both", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--steps", type=int, default=20, help="optimizer steps (default 20)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--accumulation", type=int, default=1, help="gradient_accumulation_steps")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--max-grad-norm", type=float, default=1.0)
    parser.add_argument("--d-model", type=int, default=32)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--data-seed", type=int, default=3)
    parser.add_argument("--tolerance", type=float, default=1e-4, help="relative tolerance for losses and weights")
    parser.add_argument("--record-fixture", type=Path, help="also write the CI fixture into this folder")
    options = parser.parse_args(argv)
    if options.side == "both" and not options.original_python:
        parser.error("--original-python is required (the interpreter of the calt-x 1.5.0 venv)")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if options.side == "original":
        run_original(options.workdir.resolve())
        return 0
    import torch

    workdir = (options.workdir or Path(tempfile.mkdtemp(prefix="compare_calt_x_"))).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    write_task(workdir, options)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "WANDB_DISABLED": "true"}
    child = subprocess.run([options.original_python, str(Path(__file__).resolve()), "--side", "original",
                            "--workdir", str(workdir)], cwd=workdir, env=env, capture_output=True, text=True)
    if child.returncode != 0:
        print(child.stdout[-3000:], child.stderr[-3000:], sep="\n", file=sys.stderr)
        return child.returncode
    original = json.loads((workdir / "original.json").read_text())
    payload = torch.load(workdir / "original.pt", weights_only=True)
    train_block = json.loads((workdir / "train.yaml").read_text())["train"]
    calt = train_calt(workdir / "initial", payload["batches"], train_block, workdir / "calt_run")
    from calt.models.generic import TransformerConfig

    config = TransformerConfig.from_pretrained(workdir / "initial")
    weights, key_bias_gap = weight_differences(calt["final"], payload["final"], config)
    data_problems = compare_data(workdir, original, payload["batches"])
    print(f"work folder: {workdir}; original: {original['versions']}")
    same = report(original, calt, weights, key_bias_gap, data_problems, options.tolerance)
    if options.record_fixture:
        record_fixture(options.record_fixture.resolve(), workdir, original, payload)
        print(f"fixture written to {options.record_fixture}")
    print("RESULT:", "same numbers" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
