"""Optimizers by their HF names and schedules from ``transformers.get_scheduler``."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

import torch
from torch import nn

from calt.config.blocks import DEFAULT_OPTIMIZER, OPTIMIZERS
NO_DECAY = ("bias", "norm", "layernorm", "layer_norm")


@dataclass(frozen=True)
class OptimizerSettings:
    """Optimizer and schedule of a run; the same names as the ``train`` block (``calt.config.TrainConfig``)."""

    learning_rate: float = 5e-5
    weight_decay: float = 0.0
    optimizer: str = DEFAULT_OPTIMIZER
    lr_scheduler_type: str = "linear"
    warmup_ratio: float = 0.0
    warmup_steps: int = 0
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_epsilon: float = 1e-8

    @classmethod
    def from_config(cls, train: Any) -> "OptimizerSettings":
        """The optimizer keys of a parsed ``train`` block (any object with these attributes)."""
        return cls(**{f.name: getattr(train, f.name) for f in fields(cls)})


def parameter_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """Weight decay on matrices only, not on biases and norms (the HF convention)."""
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        (no_decay if param.ndim < 2 or any(k in name.lower() for k in NO_DECAY) else decay).append(param)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def build_optimizer(name: str, groups: Iterable[dict], lr: float, betas=(0.9, 0.999), eps: float = 1e-8):
    """The optimizer an HF ``optim`` name stands for."""
    key = name.lower()
    if key in ("adamw_torch", "adamw"):
        return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps)
    if key == "adamw_torch_fused":
        return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps, fused=True)  # as HF: on CPU too
    if key == "adam":
        return torch.optim.Adam(groups, lr=lr, betas=betas, eps=eps)
    if key == "sgd":
        return torch.optim.SGD(groups, lr=lr)
    if key == "adafactor":
        from transformers.optimization import Adafactor

        return Adafactor(groups, lr=lr, scale_parameter=False, relative_step=False, warmup_init=False)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def clip_gradient_norm(optimizer, max_norm: float, scaler=None) -> None:
    """Scale the gradients of ``optimizer``'s parameters down to a total 2-norm of ``max_norm`` (HF's clipping).
    Under a GradScaler they are unscaled first; the scaler's ``step`` then knows they are."""
    if scaler is not None:
        scaler.unscale_(optimizer)
    parameters = [param for group in optimizer.param_groups for param in group["params"] if param.grad is not None]
    torch.nn.utils.clip_grad_norm_(parameters, max_norm)


def warmup_steps_for(total_steps: int, warmup_ratio: float, warmup_steps: int) -> int:
    """``warmup_steps`` when set, else ``ceil(warmup_ratio * total_steps)`` (the HF rule)."""
    return warmup_steps if warmup_steps > 0 else math.ceil(warmup_ratio * total_steps)


def build_scheduler(optimizer, name: str, total_steps: int, warmup_ratio: float = 0.0, warmup_steps: int = 0):
    """A per-optimizer-step schedule from ``transformers.get_scheduler``."""
    from transformers import get_scheduler

    return get_scheduler(
        name, optimizer, num_warmup_steps=warmup_steps_for(total_steps, warmup_ratio, warmup_steps),
        num_training_steps=total_steps,
    )
