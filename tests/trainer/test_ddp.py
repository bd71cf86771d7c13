"""Two gloo processes on the CPU behave like one: same batches in total, metrics, results, resume."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

SCRIPT = Path(__file__).with_name("ddp_script.py")
pytestmark = pytest.mark.slow


def run(cfg, tmp_path, name, *extra):
    path = tmp_path / f"{name}.yaml"
    OmegaConf.save(cfg, path)
    prefix = tmp_path / name
    done = subprocess.run([sys.executable, str(SCRIPT), str(path), str(prefix), *extra], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(p.read_text()) for p in sorted(tmp_path.glob(f"{name}.rank*.json"))]


def ddp(cfg):
    cfg.train.update({"accelerator": "cpu", "devices": 2, "strategy": "ddp"})
    return cfg


def single(cfg):
    cfg.train.update({"accelerator": "cpu", "devices": 1})
    return cfg


def test_two_processes_match_one(make_cfg, tmp_path):
    cfg = make_cfg(max_steps=6, eval_steps=3, save_steps=3)
    two = run(ddp(cfg.copy()), tmp_path, "ddp")
    assert len(two) == 2 and {r["world_size"] for r in two} == {2}
    assert two[0]["success_rate"] == two[1]["success_rate"]
    assert two[0]["global_step"] == 6  # the global batch is split, the step count is not
    out = Path(cfg.train.save_dir)
    rows = json.loads((out / "eval_results.json").read_text())
    references = [line.split("#")[1].strip().replace(",", ", ") for line in  # "1, 2": the original's text
                  Path(cfg.data.test_dataset_path).read_text().splitlines()]
    assert [r["reference"] for r in rows] == references  # every sample once, in order
    # the saved weights evaluated by one process give the same numbers
    evaluation = single(make_cfg(max_steps=6))
    evaluation.train.save_dir = str(tmp_path / "single-eval")
    from calt.trainer import TrainerPipeline

    reloaded = TrainerPipeline.resume_from_checkpoint(str(out))
    reloaded.config = evaluation.train
    reloaded.build()
    assert reloaded.evaluate_and_save_generation() == two[0]["success_rate"]
    one_metrics = reloaded.evaluate()
    for key, value in two[0]["metrics"].items():
        assert one_metrics[key] == pytest.approx(value, abs=1e-5), key


def test_resume_across_process_counts(make_cfg, tmp_path):
    cfg = make_cfg(max_steps=4, save_steps=2, eval_strategy="no")
    run(ddp(cfg.copy()), tmp_path, "two")
    cfg.train.max_steps = 8
    resumed = run(single(cfg.copy()), tmp_path, "one", "resume")
    assert resumed[0]["global_step"] == 8
    cfg.train.max_steps = 12
    again = run(ddp(cfg.copy()), tmp_path, "back", "resume")
    assert {r["global_step"] for r in again} == {12}
