"""``train.precision``: ``auto`` picks bf16-mixed on CPUs with bf16 matrix instructions, the choice is printed,
and generation runs under the same precision as training."""

from __future__ import annotations

import json
import logging
from contextlib import nullcontext

import lightning as L
import pytest
import torch
from torch.profiler import profile

import calt.lightning.generation as generation
from calt.io import IOPipeline
from calt.models import ModelPipeline
from calt.trainer import Trainer, TrainingArguments
from calt.trainer import lightning_settings
from calt.trainer.lightning_settings import cpu_bf16_flags, default_precision

CPUINFO = "processor\t: 0\nflags\t\t: fpu sse avx2 avx512f {extra}\nmodel name\t: test\n"


@pytest.mark.parametrize(("extra", "expected"), [("avx512_bf16", ["avx512_bf16"]), ("amx_bf16 amx_tile", ["amx_bf16"]),
                                                 ("", [])])
def test_cpu_bf16_flags_reads_cpuinfo(tmp_path, extra, expected):
    path = tmp_path / "cpuinfo"
    path.write_text(CPUINFO.format(extra=extra))
    assert cpu_bf16_flags(path) == expected
    assert cpu_bf16_flags(tmp_path / "missing") == []


def test_auto_follows_the_cpu_and_explicit_values_win(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(lightning_settings, "cpu_bf16_flags", lambda: ["avx512_bf16"])
    expected = ("bf16-mixed", "CPU has avx512_bf16; train.precision: 32-true for fp32")
    assert default_precision("cpu", "auto") == default_precision("cpu", None) == expected
    assert default_precision("cpu", "32-true")[0] == "32-true"
    monkeypatch.setattr(lightning_settings, "cpu_bf16_flags", lambda: [])
    assert default_precision("auto", "auto")[0] == default_precision("cpu", None)[0] == "32-true"


def test_bf16_run_prints_its_precision_and_generates_under_autocast(make_cfg, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(lightning_settings, "cpu_bf16_flags", lambda: ["avx512_bf16"])
    cfg = make_cfg(precision="auto", accelerator="cpu", eval_strategy="no", save_strategy="no", max_steps=2)
    io_dict = IOPipeline.from_config(cfg.data).build()
    L.seed_everything(0)
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    args = TrainingArguments.from_config({**cfg.train, "save_dir": str(tmp_path / "run")})
    with caplog.at_level(logging.INFO):
        trainer = Trainer(model, args, io_dict["data_collator"], io_dict["train_dataset"], io_dict["test_dataset"],
                          processing_class=io_dict["tokenizer"])
    assert "calt: precision bf16-mixed (CPU has avx512_bf16; train.precision: 32-true for fp32)" in caplog.text
    trainer.train()
    seen: list[tuple[bool, torch.dtype]] = []
    decode_step = model.decode_step

    def spy(state, tokens):
        logits = decode_step(state, tokens)
        seen.append((torch.is_autocast_enabled("cpu"), logits.dtype))
        return logits

    monkeypatch.setattr(model, "decode_step", spy)
    rate = trainer.evaluate_and_save_generation()
    assert 0.0 <= rate <= 1.0 and seen
    assert all(enabled and dtype == torch.bfloat16 for enabled, dtype in seen)


def test_a_bf16_generation_eval_casts_each_weight_once_and_packing_changes_no_answer(make_cfg, tmp_path,
                                                                                    monkeypatch):
    """One precision context spans the eval: each weight is cast (or packed for oneDNN) once, not once per batch,
    and the packed linear layers decode exactly what autocast's own do."""
    monkeypatch.setattr(lightning_settings, "cpu_bf16_flags", lambda: ["avx512_bf16"])
    cfg = make_cfg(precision="auto", accelerator="cpu", eval_strategy="no", save_strategy="no", max_steps=4,
                   test_batch_size=4)
    io_dict = IOPipeline.from_config(cfg.data).build()
    assert len(io_dict["test_dataset"]) >= 12  # three batches or more
    L.seed_everything(0)
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    args = TrainingArguments.from_config({**cfg.train, "save_dir": str(tmp_path / "run")})
    trainer = Trainer(model, args, io_dict["data_collator"], io_dict["train_dataset"], io_dict["test_dataset"],
                      processing_class=io_dict["tokenizer"])
    trainer.train()
    shape = list(model.encoder.layers[0].self_attn.qkv_proj.weight.shape)
    holders = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and list(m.weight.shape) == shape]
    with profile(record_shapes=True) as trace:
        trainer.evaluate_and_save_generation()
    casts = [e for e in trace.events() if e.name == "aten::_to_copy" and e.input_shapes and e.input_shapes[0] == shape]
    assert len(casts) == len(holders) == 2
    results = tmp_path / "run" / "eval_results.json"
    packed = json.loads(results.read_text())
    monkeypatch.setattr(generation, "packed_linears", lambda model: nullcontext())
    trainer.evaluate_and_save_generation()
    assert json.loads(results.read_text()) == packed


def test_bf16_on_the_cpu_caps_onednn_caches_where_the_environment_does_not(make_cfg, tmp_path, monkeypatch):
    """oneDNN keeps a primitive of some megabytes per matmul shape (1,024 by default): bf16 CPU runs keep 16."""
    import os

    from calt.trainer.lightning_settings import announced_precision

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(lightning_settings, "cpu_bf16_flags", lambda: ["avx512_bf16"])
    monkeypatch.delenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", raising=False)
    monkeypatch.setenv("LRU_CACHE_CAPACITY", "512")
    cfg = make_cfg(accelerator="cpu", precision="32-true")
    fp32 = TrainingArguments.from_config({**cfg.train, "save_dir": str(tmp_path / "run")})
    assert announced_precision(fp32) == "32-true" and "ONEDNN_PRIMITIVE_CACHE_CAPACITY" not in os.environ
    bf16 = TrainingArguments.from_config({**cfg.train, "precision": None, "save_dir": str(tmp_path / "run")})
    assert announced_precision(bf16) == "bf16-mixed"
    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == "16" and os.environ["LRU_CACHE_CAPACITY"] == "512"
