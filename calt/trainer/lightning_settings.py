"""The one mapping from ``TrainingArguments`` (the ``train`` block) to Lightning's ``Trainer`` and callbacks.

Both the documented facade (``calt.trainer.Trainer``) and the Lightning CLI (``calt fit``) build their
``lightning.Trainer`` from these functions, so each train.yaml key means the same thing in both.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any

import lightning as L
import torch
from lightning.fabric.utilities.exceptions import MisconfigurationException
from lightning.pytorch.callbacks import Callback, LearningRateMonitor
from lightning.pytorch.utilities import rank_zero_info

from ..config import ConfigError
from ..lightning.callbacks import PreemptionSignal, ProgressBar, RunCheckpoint, throughput_monitor
from ..lightning.loggers import build_loggers
from .arguments import TrainingArguments, report_targets

NEVER = 10**12  # a validation interval no run reaches (eval_strategy: no)


CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")
"""/proc/cpuinfo flags of CPUs with native bf16 matrix instructions (AVX512-BF16, AMX)."""


def cpu_bf16_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> list[str]:
    """The bf16 matrix-instruction flags this CPU reports (empty where there is no /proc/cpuinfo)."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return []
    flags = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.partition(":")[2].split())
    return [flag for flag in CPU_BF16_FLAGS if flag in flags]


def uses_cuda(accelerator: str) -> bool:
    """Whether ``train.accelerator`` puts the run on a CUDA GPU."""
    return accelerator in ("auto", "gpu", "cuda") and torch.cuda.is_available()


def default_precision(accelerator: str, precision: str | None = None) -> tuple[str, str]:
    """(Lightning precision, why) for ``train.precision``: an explicit value as given; unset or ``auto``, bf16
    mixed on a GPU that has it (fp16 mixed on older ones) and on a CPU with AVX512-BF16 or AMX, else fp32.
    On such CPUs bf16 trains about 1.5x faster at the fp32 quality (README, Benchmarks)."""
    if precision not in (None, "auto"):
        return precision, "train.precision"
    if uses_cuda(accelerator):
        if torch.cuda.is_bf16_supported():
            return "bf16-mixed", "GPU with bf16"
        return "16-mixed", "GPU without bf16"
    flags = cpu_bf16_flags()
    if flags:
        return "bf16-mixed", f"CPU has {', '.join(flags)}; train.precision: 32-true for fp32"
    return "32-true", "CPU has no avx512_bf16 or amx_bf16"


ONEDNN_CACHE_VARIABLES = ("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "LRU_CACHE_CAPACITY")
"""oneDNN's primitive cache and PyTorch's (ideep's) cache of oneDNN matmuls: 1,024 entries each by default."""
ONEDNN_CACHE_CAPACITY = 16


def cap_onednn_caches() -> None:
    """Cap both caches at ``ONEDNN_CACHE_CAPACITY`` entries where the environment does not set them. A bf16 matmul
    on the CPU runs through oneDNN, which builds and keeps a primitive of some megabytes per shape; with length-
    grouped batches a training run meets hundreds of shapes (about 200 MiB of its peak memory, measured) for 4% of
    its speed. Both libraries read the variables once, at the process's first bf16 matmul."""
    for name in ONEDNN_CACHE_VARIABLES:
        os.environ.setdefault(name, str(ONEDNN_CACHE_CAPACITY))


def announced_precision(args: TrainingArguments) -> str:
    """The precision ``train.precision`` resolves to, printed once (rank 0) with the reason; bf16 on the CPU
    caps oneDNN's caches (``cap_onednn_caches``)."""
    precision, reason = default_precision(args.accelerator, args.precision)
    rank_zero_info(f"calt: precision {precision} ({reason})")
    if "bf16" in str(precision) and not uses_cuda(args.accelerator):
        cap_onednn_caches()
    return precision


def default_strategy(args: TrainingArguments) -> str:
    """``train.strategy``, else DDP when several devices or nodes are asked for."""
    if args.strategy:
        return args.strategy
    devices = args.devices
    many = (isinstance(devices, int) and devices > 1) or (isinstance(devices, (list, tuple)) and len(devices) > 1)
    return "ddp" if many or args.num_nodes > 1 else "auto"


def validation_schedule(args: TrainingArguments) -> tuple[int | float, int | None]:
    """(``val_check_interval``, ``check_val_every_n_epoch``) for ``eval_strategy`` / ``eval_steps``.

    ``val_check_interval`` counts batches, so ``eval_steps`` optimizer steps are multiplied by the
    accumulation; ``no`` schedules no in-loop evaluation but keeps ``Trainer.validate`` usable.
    """
    if args.eval_strategy == "steps":
        return args.eval_steps * args.gradient_accumulation_steps, None
    if args.eval_strategy == "epoch":
        return 1.0, 1
    return NEVER, None


def step_budget(args: TrainingArguments, train_size: int | None) -> tuple[int, int]:
    """(``max_epochs``, ``max_steps``): whole epochs, or a step count for ``max_steps`` and fractional epochs."""
    if args.max_steps and args.max_steps > 0:
        return -1, args.max_steps
    if float(args.num_train_epochs).is_integer():
        return max(1, int(args.num_train_epochs)), -1
    if train_size is None:
        raise ValueError(
            f"train.num_train_epochs = {args.num_train_epochs} is fractional, which needs the size of the training "
            "set; give whole epochs or a step budget (train.max_steps)"
        )
    per_rank = math.ceil(train_size / max(args.world_size, 1))
    batches = math.ceil(per_rank / args.per_device_train_batch_size)
    steps_per_epoch = math.ceil(batches / args.gradient_accumulation_steps)
    return -1, max(1, int(args.num_train_epochs * steps_per_epoch))


def show_progress_bar(args: TrainingArguments) -> bool:
    """Progress bars unless ``disable_tqdm`` or the output is not a terminal (logs stay clean)."""
    return not args.disable_tqdm and sys.stdout.isatty()


def checkpoint_callback(args: TrainingArguments) -> RunCheckpoint:
    """``save_strategy`` / ``save_steps`` / ``save_total_limit`` → checkpoints in ``save_dir/checkpoints``."""
    saving = args.save_strategy != "no"
    keep = -1 if args.save_total_limit is None else args.save_total_limit
    common = dict(dirpath=f"{args.output_dir}/checkpoints", save_last=saving, monitor="step", mode="max",
                  save_top_k=keep if saving else 0, enable_version_counter=False, auto_insert_metric_name=False)
    if args.save_strategy == "epoch":
        return RunCheckpoint(filename="epoch-{epoch}-step-{step}", every_n_epochs=1, **common)
    return RunCheckpoint(filename="step-{step}", every_n_train_steps=args.save_steps, **common)


def standard_callbacks(args: TrainingArguments) -> list[Callback]:
    """Checkpoints, learning-rate monitor and throughput (as ``logging_strategy`` asks) and, on a terminal, a progress bar."""
    callbacks: list[Callback] = [checkpoint_callback(args), PreemptionSignal()]
    if args.logging_strategy == "steps":  # step-level training metrics
        callbacks += [LearningRateMonitor(logging_interval="step"), throughput_monitor()]
    elif args.logging_strategy == "epoch":
        callbacks.append(LearningRateMonitor(logging_interval="epoch"))
    if show_progress_bar(args):
        callbacks.append(ProgressBar(refresh_rate=max(1, args.logging_steps // 5)))
    return callbacks


def lightning_trainer_settings(args: TrainingArguments, train_size: int | None = None) -> dict[str, Any]:
    """Keyword arguments of ``lightning.Trainer`` that the ``train`` block stands for (loggers not included)."""
    max_epochs, max_steps = step_budget(args, train_size)
    val_check_interval, check_val_every_n_epoch = validation_schedule(args)
    return {
        "accelerator": args.accelerator,
        "devices": args.devices,
        "num_nodes": args.num_nodes,
        "strategy": default_strategy(args),
        "precision": announced_precision(args),
        "max_epochs": max_epochs,
        "max_steps": max_steps,
        "gradient_clip_val": args.max_grad_norm or None,
        "accumulate_grad_batches": args.gradient_accumulation_steps,
        "log_every_n_steps": args.logging_steps,
        "val_check_interval": val_check_interval,
        "check_val_every_n_epoch": check_val_every_n_epoch,
        "num_sanity_val_steps": 0,
        "default_root_dir": args.output_dir,
        "enable_progress_bar": show_progress_bar(args),
        "enable_model_summary": False,
        "use_distributed_sampler": False,  # calt's DataModule shards per rank itself (and resumes mid-epoch)
        "callbacks": standard_callbacks(args),
    }


DEVICE_KEYS = {"accelerator": "accelerator", "devices": "devices", "num_nodes": "num_nodes", "strategy": "strateg",
               "precision": "precision"}
"""train-block keys Lightning checks when it builds its Trainer, and the word its messages use for each."""


def build_lightning_trainer(settings: dict[str, Any], loggers: list) -> L.Trainer:
    """``lightning.Trainer(**settings)``; a device setting Lightning rejects becomes a ConfigError naming the
    ``train`` keys its message is about (all device keys when it names none of them)."""
    try:
        return L.Trainer(logger=loggers, **settings)
    except (MisconfigurationException, ValueError, TypeError, OverflowError) as exc:
        message = " ".join(str(exc).split())
        named = [name for name, word in DEVICE_KEYS.items() if word in message.lower()] or list(DEVICE_KEYS)
        values = ", ".join(f"train.{name}={settings[name]!r}" for name in named)
        raise ConfigError(f"{values}: Lightning cannot run with this setting ({message}); change that key"
                          ) from exc


def check_beam_width(num_beams: int, tokenizer: Any) -> None:
    """ConfigError naming ``train.num_beams`` when it is wider than the vocabulary: the first decoding step has
    only one candidate per token to fill the beams with."""
    if tokenizer is not None and num_beams > len(tokenizer):
        raise ConfigError(f"train.num_beams={num_beams} is more than the {len(tokenizer)} tokens of the vocabulary, "
                          "so beam search cannot fill its beams; lower it")


def run_loggers(args: TrainingArguments, wandb_config: Any = None) -> list:
    """The loggers ``report_to`` names (default: CSV, plus W&B when a ``wandb`` block asks); ``wandb_config``
    is the top-level ``wandb`` block, used when the ``train`` block has none."""
    wandb = args.wandb if args.wandb is not None else wandb_config
    return build_loggers(args.output_dir, wandb, report_targets(args.report_to), args.run_name)
