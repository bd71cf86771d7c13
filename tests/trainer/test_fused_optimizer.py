"""The original's default optimizer, fused AdamW, on the CPU too, and gradient clipping with it under every precision
(Lightning's mixed-precision plugin refuses to clip a fused optimizer; calt clips it itself)."""

from __future__ import annotations

import lightning as L
import pytest
import torch

from calt.config.blocks import DEFAULT_OPTIMIZER, TrainConfig
from calt.io import IOPipeline
from calt.lightning import module as lightning_module
from calt.lightning.optim import build_optimizer, clip_gradient_norm
from calt.models import ModelPipeline
from calt.trainer import Trainer, TrainingArguments


def test_the_default_is_hfs_default_fused_adamw_and_it_is_fused_on_the_cpu():
    assert DEFAULT_OPTIMIZER == "adamw_torch_fused"  # HF TrainingArguments' optim with torch >= 2.8
    assert TrainConfig.__dataclass_fields__["optimizer"].default == DEFAULT_OPTIMIZER
    optimizer = build_optimizer("adamw_torch_fused", [torch.nn.Parameter(torch.ones(3))], lr=1e-3)
    assert optimizer.defaults["fused"] is True
    assert not build_optimizer("adamw_torch", [torch.nn.Parameter(torch.ones(3))], lr=1e-3).defaults["fused"]


def test_clip_gradient_norm_scales_the_total_norm_down():
    params = [torch.nn.Parameter(torch.zeros(4)), torch.nn.Parameter(torch.zeros(3))]
    params[0].grad, params[1].grad = torch.full((4,), 3.0), torch.full((3,), 4.0)
    optimizer = torch.optim.AdamW(params, fused=True)
    clip_gradient_norm(optimizer, 1.0)
    total = torch.linalg.vector_norm(torch.cat([p.grad for p in params]))
    assert total.item() == pytest.approx(1.0, rel=1e-5)
    assert torch.allclose(params[0].grad / params[1].grad[0], torch.full((4,), 0.75))  # direction kept


def test_under_a_grad_scaler_gradients_are_unscaled_before_clipping_and_the_step_still_runs():
    """16-mixed (GPU): the fused step unscales by itself, so clipping must unscale first and the scaler's step
    must then skip its own unscaling."""
    torch.manual_seed(0)
    layer = torch.nn.Linear(4, 1)
    optimizer = torch.optim.AdamW(layer.parameters(), lr=0.1, fused=True)
    scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
    scaler.scale(layer(torch.ones(2, 4)).sum() * 100).backward()
    clip_gradient_norm(optimizer, 1.0, scaler)
    total = torch.linalg.vector_norm(torch.cat([p.grad.flatten() for p in layer.parameters()]))
    assert total.item() == pytest.approx(1.0, rel=1e-5)  # unscaled (the scaled norm is 1024x larger), then clipped
    before = layer.weight.detach().clone()
    scaler.step(optimizer)
    scaler.update()
    assert not torch.equal(before, layer.weight.detach()) and torch.isfinite(layer.weight).all()


@pytest.mark.parametrize("precision", ["32-true", "bf16-mixed"])  # Lightning turns 16-mixed into bf16 on a CPU
def test_a_fused_run_clips_its_gradients_under_every_precision(make_cfg, tmp_path, monkeypatch, precision):
    cfg = make_cfg(precision=precision, accelerator="cpu", eval_strategy="no", save_strategy="no", max_steps=3,
                   optimizer="adamw_torch_fused", max_grad_norm=0.01)
    io_dict = IOPipeline.from_config(cfg.data).build()
    L.seed_everything(0)
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    norms: list[float] = []

    def spy(optimizer, max_norm, scaler=None):
        clip_gradient_norm(optimizer, max_norm, scaler)
        grads = [p.grad for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
        norms.append(torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])).item())

    monkeypatch.setattr(lightning_module, "clip_gradient_norm", spy)
    args = TrainingArguments.from_config({**cfg.train, "save_dir": str(tmp_path / "run")})
    trainer = Trainer(model, args, io_dict["data_collator"], io_dict["train_dataset"], io_dict["test_dataset"],
                      processing_class=io_dict["tokenizer"])
    trainer.train()
    assert len(norms) == 3 and all(norm <= 0.01 * (1 + 1e-4) for norm in norms)
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_clipping_by_value_is_left_to_lightning(monkeypatch):
    """Only norm clipping of a fused optimizer is calt's; ``gradient_clip_algorithm: value`` (LightningCLI) keeps
    Lightning's path, which clips by value or says why it cannot."""
    from lightning.pytorch.utilities import GradClipAlgorithmType

    from calt.lightning.module import CaltLightningModule
    from calt.models.generic import Transformer, TransformerConfig

    config = TransformerConfig(d_model=8, attention_heads=2, num_encoder_layers=1, num_decoder_layers=1,
                               dim_feedforward=16, decoder_ffn_dim=16, vocab_size=7, max_input_len=8)
    module = CaltLightningModule(Transformer(config))
    module.trainer = L.Trainer(accelerator="cpu", precision="bf16-mixed", logger=False, enable_checkpointing=False,
                               enable_progress_bar=False, enable_model_summary=False)
    optimizer = build_optimizer("adamw_torch_fused", module.parameters(), lr=1e-3)
    to_lightning: list = []
    monkeypatch.setattr(L.LightningModule, "configure_gradient_clipping",
                        lambda self, opt, val=None, algorithm=None: to_lightning.append((val, algorithm)))
    ours: list = []
    monkeypatch.setattr(lightning_module, "clip_gradient_norm", lambda *args: ours.append(args))
    module.configure_gradient_clipping(optimizer, 0.5, GradClipAlgorithmType.VALUE)
    module.configure_gradient_clipping(optimizer, 0.5, GradClipAlgorithmType.NORM)
    assert to_lightning == [(0.5, GradClipAlgorithmType.VALUE)] and len(ours) == 1
