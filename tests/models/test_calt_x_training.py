"""calt's training loop gives the original's numbers: 20 optimizer steps of calt-x 1.5.0 (HF Trainer), replayed.

The fixture tests/fixtures/calt_x_1_5_0/training_generic/ was recorded once by running the original package
(calt-x 1.5.0, torch 2.13.0, transformers 4.57.6) through benchmarks/compare_training_calt_x.py: its initial
weights, the 20 micro-batches its Trainer drew (dropout 0, batch 8), and per step the loss, learning rate and
gradient norm before clipping, plus the final weights. Here calt's Trainer (Lightning) starts from the same
weights, gets the same batches, and must land on the same numbers within 1e-4 (relative).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "calt_x_1_5_0" / "training_generic"
TOLERANCE = 1e-4


def comparison_module():
    """benchmarks/compare_training_calt_x.py, whose calt side this test replays (it is not a package)."""
    spec = importlib.util.spec_from_file_location("compare_training_calt_x",
                                                  REPO / "benchmarks" / "compare_training_calt_x.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """(original's records, calt's records, final-weight gaps) of one replay."""
    compare = comparison_module()
    original = json.loads((FIXTURE / "original.json").read_text())
    payload = torch.load(FIXTURE / "original.pt", weights_only=True)
    batches = [{key: value.long() for key, value in batch.items()} for batch in payload["batches"]]
    calt = compare.train_calt(FIXTURE / "initial", batches, original["train"], tmp_path_factory.mktemp("calt_run"))
    from calt.models.generic import TransformerConfig

    config = TransformerConfig.from_pretrained(FIXTURE / "initial")
    gaps = compare.weight_differences(calt["final"], payload["final"], config)
    return original, calt, gaps, compare


@pytest.mark.slow
def test_every_step_has_the_original_loss(runs):
    original, calt, _, compare = runs
    per_step = original["micro_batches_per_step"]
    theirs = compare.step_losses(original["micro_losses"], per_step)
    ours = compare.step_losses(calt["micro_losses"], per_step)
    assert len(ours) == len(theirs) == 20
    for step, (a, b) in enumerate(zip(theirs, ours), start=1):
        assert compare.relative(b, a) <= TOLERANCE, f"step {step}: calt {b} vs original {a}"


@pytest.mark.slow
def test_schedule_and_clipping_input_are_the_originals(runs):
    """Learning rate of every step (warmup, then linear decay) and the gradient norm before clipping."""
    original, calt, _, compare = runs
    assert len(calt["steps"]) == len(original["steps"]) == 20
    for step, (theirs, ours) in enumerate(zip(original["steps"], calt["steps"]), start=1):
        assert ours["lr"] == pytest.approx(theirs["lr"], rel=1e-9, abs=1e-12), f"step {step}"
        assert compare.relative(ours["grad_norm"], theirs["grad_norm"]) <= TOLERANCE, f"step {step}"


@pytest.mark.slow
def test_final_weights_are_the_originals(runs):
    _, _, (gaps, key_bias_gap), _ = runs
    worst = max(gaps, key=gaps.get)
    assert gaps[worst] <= TOLERANCE, f"{worst}: {gaps[worst]:.3g}"
    # attention key biases get no gradient (softmax ignores a per-row shift): both stay ~0, compared absolutely
    assert key_bias_gap <= TOLERANCE


@pytest.mark.slow
def test_the_same_parameters_get_weight_decay(runs):
    original, calt, _, compare = runs
    assert set(calt["decayed"]) == set(compare.calt_names(original["decayed"]))
    assert not any("norm" in name or name.endswith("bias") for name in calt["decayed"])
