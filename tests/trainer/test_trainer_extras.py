"""The HF ``Trainer`` extras a calt-x script uses: ``compute_metrics``, ``TrainerCallback``s, ``predict``, and
``calt predict`` for answers to new problems.

One tiny run (``tests/fixtures/calt_x_1_5_0/callback_counts/train.yaml``: 10 steps, logging every 2,
evaluating and saving every 4) serves every test here; ``counts.json`` beside that config holds the callback
events calt-x 1.5.0 fired for it (recorded with ``record_counts.py`` there, under the original's interpreter).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf
from transformers import EvalPrediction, TrainerCallback
from transformers.trainer_utils import PredictionOutput

from calt.cli import main as calt_main

FIXTURE = Path(__file__).parents[1] / "fixtures" / "calt_x_1_5_0" / "callback_counts"
RECORDED = json.loads((FIXTURE / "counts.json").read_text())
EVENTS = tuple(RECORDED["counts"])


class CountingCallback(TrainerCallback):
    """Counts every HF event and notes the global step of on_log, on_evaluate and on_save."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.steps: dict[str, list[int]] = {"on_log": [], "on_evaluate": [], "on_save": []}
        self.evaluated: list[dict] = []

    def __getattribute__(self, name: str):
        if name in EVENTS:
            def hook(args, state, control, **kwargs):
                self.counts[name] += 1
                if name in self.steps:
                    self.steps[name].append(state.global_step)
                if name == "on_evaluate":
                    self.evaluated.append(dict(kwargs["metrics"]))
            return hook
        return super().__getattribute__(name)


class MetricsRecorder:
    """A ``compute_metrics``: the label-token count and the exact-match rate, plus what it was given."""

    def __init__(self) -> None:
        self.calls: list[EvalPrediction] = []

    def __call__(self, prediction: EvalPrediction) -> dict:
        self.calls.append(prediction)
        labels, predictions = prediction.label_ids, prediction.predictions
        right = (predictions == labels) | (labels == -100)
        return {"label_tokens": int((labels != -100).sum()), "rows_right": float(right.all(axis=1).mean())}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The documented script on the fixture config, with a counting callback and compute_metrics added after
    build() (as a calt-x script does through ``trainer.add_callback``), W&B offline."""
    from calt.io import IOPipeline
    from calt.models import ModelPipeline
    from calt.trainer import TrainerPipeline

    work = tmp_path_factory.mktemp("extras")
    for name in ("train.yaml", "lexer.yaml", "data"):
        source = FIXTURE / name
        shutil.copytree(source, work / name) if source.is_dir() else shutil.copy(source, work / name)
    cfg = OmegaConf.load(work / "train.yaml")
    cfg.data.lexer_config = str(work / "lexer.yaml")
    cfg.data.train_dataset_path, cfg.data.test_dataset_path = str(work / "data/train.txt"), str(work / "data/test.txt")
    cfg.train.save_dir = str(work / "run")
    cfg.train.wandb = {"project": "calt-tests", "name": "extras", "no_wandb": False, "mode": "offline"}
    saved = {key: os.environ.get(key) for key in ("WANDB_MODE", "WANDB_API_KEY")}
    os.environ["WANDB_MODE"] = "offline"
    os.environ.pop("WANDB_API_KEY", None)
    try:
        io_dict = IOPipeline.from_config(cfg.data).build()
        torch.manual_seed(0)
        model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
        pipeline = TrainerPipeline.from_io_dict(cfg.train, model, io_dict).build()
        counter, metrics = CountingCallback(), MetricsRecorder()
        pipeline.trainer.add_callback(counter)
        pipeline.trainer.compute_metrics = metrics
        pipeline.train()
        import wandb
        from lightning.pytorch.loggers import WandbLogger

        run = next(lg for lg in pipeline.trainer.lightning_trainer.loggers if isinstance(lg, WandbLogger)).experiment
        wandb_summary = {key: run.summary[key] for key in run.summary.keys()}  # what W&B received, last values
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    yield {"pipeline": pipeline, "io_dict": io_dict, "counter": counter, "metrics": metrics, "cfg": cfg,
            "save_dir": Path(cfg.train.save_dir), "work": work, "wandb_summary": wandb_summary}
    wandb.finish()


pytestmark = pytest.mark.slow


def test_trainer_callbacks_fire_as_often_as_under_calt_x(run):
    counter = run["counter"]
    assert {event: counter.counts[event] for event in EVENTS} == RECORDED["counts"]
    for event in ("on_log", "on_evaluate", "on_save"):
        assert counter.steps[event] == RECORDED["global_steps"][event], event
    assert all("eval_loss" in metrics and "eval_label_tokens" in metrics for metrics in counter.evaluated)


def test_compute_metrics_runs_at_every_evaluation_on_the_whole_eval_set(run):
    calls = run["metrics"].calls
    assert len(calls) == RECORDED["counts"]["on_evaluate"]
    test_set = run["io_dict"]["test_dataset"]
    for prediction in calls:
        assert prediction.predictions.shape == prediction.label_ids.shape
        assert len(prediction.label_ids) == len(test_set)
        # labels in dataset order: each row holds its sample's answer tokens and EOS, then -100 padding
        lengths = (prediction.label_ids != -100).sum(axis=1)
        assert lengths.tolist() == (test_set.encoded().target_ids.lengths() - 1).tolist()


def test_compute_metrics_values_reach_log_history_metrics_csv_and_wandb(run):
    pipeline, save_dir = run["pipeline"], run["save_dir"]
    rows = [row for row in pipeline.trainer.state.log_history if "eval_label_tokens" in row]
    labels = int((run["metrics"].calls[0].label_ids != -100).sum())
    assert [row["step"] for row in rows] == RECORDED["global_steps"]["on_evaluate"]
    assert all(row["eval_label_tokens"] == labels for row in rows)
    with open(save_dir / "metrics.csv", newline="") as handle:
        logged = [row for row in csv.DictReader(handle) if row.get("eval_rows_right")]
    assert len(logged) == len(RECORDED["global_steps"]["on_evaluate"])  # one row per evaluation
    assert all(float(row["eval_label_tokens"]) == labels for row in logged)
    summary = run["wandb_summary"]
    assert summary["eval_label_tokens"] == labels
    assert summary["eval_rows_right"] == pytest.approx(float(logged[-1]["eval_rows_right"]))


def test_predict_returns_hf_prediction_output_with_teacher_forced_ids(run):
    trainer, test_set = run["pipeline"].trainer, run["io_dict"]["test_dataset"]
    trainer.compute_metrics = None  # the default metrics, as calt-x's
    try:
        output = trainer.predict(test_set)
        evaluated = trainer.evaluate()
    finally:
        trainer.compute_metrics = run["metrics"]
    assert isinstance(output, PredictionOutput)
    assert output.predictions.shape == output.label_ids.shape == (len(test_set), output.label_ids.shape[1])
    assert output.metrics["test_loss"] == pytest.approx(evaluated["eval_loss"], rel=1e-5)
    assert output.metrics["test_token_accuracy"] == pytest.approx(evaluated["eval_token_accuracy"], rel=1e-5)
    assert output.metrics["test_success_rate"] == pytest.approx(evaluated["eval_success_rate"])
    assert {"test_runtime", "test_samples_per_second", "test_steps_per_second"} <= set(output.metrics)
    collate, model = run["io_dict"]["data_collator"], run["pipeline"].trainer.model
    batch = collate([test_set.encoded()[i] for i in range(2)])
    with torch.no_grad():
        model.eval()
        expected = model(**batch).logits.argmax(-1).numpy()
    width = expected.shape[1]
    mask = batch["labels"].numpy() != -100
    assert np.array_equal(output.predictions[:2, :width][mask], expected[mask])
    assert np.array_equal(output.label_ids[:2, :width], batch["labels"].numpy())


def test_calt_predict_answers_as_evaluate_and_save_generation(run, capsys):
    pipeline, save_dir, work = run["pipeline"], run["save_dir"], run["work"]
    pipeline.save_model()
    rate = pipeline.evaluate_and_save_generation()
    evaluated = json.loads((save_dir / "eval_results.json").read_text())
    assert calt_main(["predict", str(save_dir), str(work / "data/test.txt")]) == 0
    assert "Predicted 8 problems" in capsys.readouterr().out
    rows = [json.loads(line) for line in (save_dir / "predictions.jsonl").read_text().splitlines()]
    assert [row["prediction"] for row in rows] == [row["generated"] for row in evaluated]
    assert [row["reference"] for row in rows] == [row["reference"] for row in evaluated]
    assert sum(row["correct"] for row in rows) / len(rows) == pytest.approx(rate)
    # plain problems (no answers): the same answers at the same length limit, nothing scored
    plain = work / "problems.txt"
    plain.write_text("".join(line.split("#")[0].strip() + "\n" for line in (work / "data/test.txt").read_text().splitlines()))
    length = pipeline.trainer.generation_max_length()
    out = work / "plain.jsonl"
    assert calt_main(["predict", str(save_dir), str(plain), "--max-length", str(length), "--output", str(out)]) == 0
    plain_rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["prediction"] for row in plain_rows] == [row["generated"] for row in evaluated]
    assert "correct" not in plain_rows[0] and plain_rows[0]["line"] == 1


def test_calt_predict_from_a_checkpoint_through_lightning_cli(run, capsys):
    """``calt predict --config train.yaml --ckpt_path last.ckpt``: the run's last weights give the export's answers."""
    save_dir, work = run["save_dir"], run["work"]
    config = OmegaConf.load(save_dir / "train.yaml")
    config.train.save_dir = str(work / "from_checkpoint")
    config.train.wandb = {"no_wandb": True}
    OmegaConf.save(config, work / "predict.yaml")
    argv = ["predict", "--config", str(work / "predict.yaml"), "--ckpt_path", str(save_dir / "checkpoints/last.ckpt"),
            "--problems", str(work / "data/test.txt")]
    assert calt_main(argv) == 0
    assert "Predicted 8 problems" in capsys.readouterr().out
    rows = [json.loads(line) for line in (work / "from_checkpoint/predictions.jsonl").read_text().splitlines()]
    run["pipeline"].evaluate_and_save_generation()
    evaluated = json.loads((save_dir / "eval_results.json").read_text())
    assert [row["prediction"] for row in rows] == [row["generated"] for row in evaluated]


def test_calt_predict_names_a_mixed_file_and_a_missing_run(run, tmp_path, capsys):
    mixed = tmp_path / "mixed.txt"
    mixed.write_text("1,2 # 1,3\n4,5\n")
    assert calt_main(["predict", str(run["save_dir"]), str(mixed)]) == 2
    assert "mixed.txt:2: mixes lines" in capsys.readouterr().err
    assert calt_main(["predict", str(tmp_path / "nowhere"), str(mixed)]) == 2
    assert "save directory not found" in capsys.readouterr().err
