"""The documented script, end to end, on a tiny task: files, metrics, delegation, resume, W&B offline."""

import json
from pathlib import Path

import pytest
import yaml

from engine_helpers import run_documented_script
from calt.trainer import TrainerPipeline


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    from engine_helpers import LEXER, gf17_lines
    from omegaconf import OmegaConf

    root = tmp_path_factory.mktemp("run")
    (root / "lexer.yaml").write_text(LEXER)
    (root / "train.txt").write_text(gf17_lines(40, 0))
    (root / "test.txt").write_text(gf17_lines(12, 1))
    cfg = OmegaConf.create({
        "data": {"lexer_config": str(root / "lexer.yaml"), "train_dataset_path": str(root / "train.txt"),
                 "test_dataset_path": str(root / "test.txt")},
        "model": {"model_type": "generic", "num_encoder_layers": 1, "num_encoder_heads": 2, "num_decoder_layers": 1,
                  "num_decoder_heads": 2, "d_model": 16, "encoder_ffn_dim": 32, "decoder_ffn_dim": 32,
                  "max_sequence_length": 32},
        "train": {"save_dir": str(root / "out"), "num_train_epochs": 1, "learning_rate": 1e-3, "batch_size": 4,
                  "test_batch_size": 6, "eval_steps": 5, "save_steps": 5, "logging_steps": 1, "save_total_limit": 1},
        "wandb": {"no_wandb": True},
    })
    pipeline = run_documented_script(cfg)
    pipeline.save_model()
    rate = pipeline.evaluate_and_save_generation()
    return pipeline, rate, Path(cfg.train.save_dir)


def test_generation_results_hold_every_test_sample_in_order(finished_run):
    pipeline, rate, out = finished_run
    rows = json.loads((out / "eval_results.json").read_text())
    assert len(rows) == 12 and set(rows[0]) == {"generated", "reference", "input"}
    references = [pipeline.tokenizer.decode(pipeline.tokenizer(t)["input_ids"], skip_special_tokens=True,
                                            clean_up_tokenization_spaces=True)  # as the original writes them
                  for t in (pipeline.eval_dataset[i]["target"] for i in range(12))]
    assert [r["reference"] for r in rows] == references
    assert rate == sum(r["generated"] == r["reference"] for r in rows) / 12


def test_in_training_evaluations_write_step_files_and_log_the_rate(finished_run):
    pipeline, _, out = finished_run
    assert sorted(p.name for p in (out / "eval_results").iterdir()) == ["step_10.json", "step_5.json"]
    rates = [row["eval_generation_success_rate"] for row in pipeline.log_history if "eval_generation_success_rate" in row]
    assert len(rates) == 2
    header = (out / "metrics.csv").read_text().splitlines()[0]
    assert "train/loss" in header and "eval_generation_success_rate" in header


def test_run_leaves_checkpoints_config_and_hf_export(finished_run):
    pipeline, _, out = finished_run
    assert (out / "checkpoints" / "last.ckpt").is_file()
    assert [p.name for p in (out / "checkpoints").glob("step-*.ckpt")] == ["step-10.ckpt"]  # save_total_limit 1
    saved = yaml.safe_load((out / "train.yaml").read_text())
    assert set(saved) >= {"data", "model", "train"}
    assert (out / "config.json").is_file() and (out / "tokenizer.json").is_file()
    for curve in ("loss", "token_accuracy", "success_rate"):  # the documented script draws them too
        assert (out / f"learning_curve_{curve}.png").stat().st_size > 0, curve
    assert pipeline.state.global_step == 10


def test_evaluate_returns_the_documented_keys(finished_run):
    pipeline, _, _ = finished_run
    logged = [row for row in pipeline.log_history if "eval_token_accuracy" in row][-1]  # step 10, the last step
    metrics = pipeline.evaluate()
    assert set(metrics) == {"eval_loss", "eval_token_accuracy", "eval_success_rate", "eval_generation_success_rate"}
    for name in ("eval_loss", "eval_token_accuracy", "eval_success_rate"):  # same weights as the last evaluation
        assert metrics[name] == pytest.approx(logged[name], rel=1e-5), name
    assert metrics["eval_generation_success_rate"] == pytest.approx(pipeline.evaluate_and_save_generation())


def test_attributes_are_delegated_to_the_trainer_after_build(finished_run, make_cfg):
    pipeline, _, out = finished_run
    assert pipeline.args.output_dir == str(out)
    unbuilt = TrainerPipeline(make_cfg().train)
    with pytest.raises(AttributeError, match="call build"):
        unbuilt.args


def test_resume_from_save_dir_reloads_saved_weights(finished_run):
    pipeline, _, out = finished_run
    resumed = TrainerPipeline.resume_from_checkpoint(str(out), resume_from_checkpoint=True)
    for (name, a), (_, b) in zip(pipeline.model.state_dict().items(), resumed.model.state_dict().items()):
        assert a.cpu().equal(b), name
    assert resumed.build().trainer.model is resumed.model
    assert resumed.trainer.args.output_dir == str(out)


def test_resume_from_save_dir_errors(tmp_path):
    with pytest.raises(ValueError, match="Save directory does not exist"):
        TrainerPipeline.resume_from_checkpoint(str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="train.yaml not found in"):
        TrainerPipeline.resume_from_checkpoint(str(tmp_path))


@pytest.mark.slow
def test_bart_runs_the_same_script(make_cfg):
    cfg = make_cfg("bart", eval_strategy="no", max_steps=4)
    pipeline = run_documented_script(cfg)
    rate = pipeline.evaluate_and_save_generation()
    rows = json.loads((Path(cfg.train.save_dir) / "eval_results.json").read_text())
    assert len(rows) == 12
    assert rate == pytest.approx(sum(row["generated"] == row["reference"] for row in rows) / 12)


def test_wandb_offline_writes_a_run_without_login(make_cfg, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    cfg = make_cfg(eval_strategy="no", max_steps=2)
    cfg.wandb = {"project": "calt-tests", "name": "offline-run", "group": "g", "tags": ["t"], "no_wandb": False}
    run_documented_script(cfg)
    runs = list((Path(cfg.train.save_dir) / "wandb").glob("offline-run-*"))
    assert len(runs) == 1 and any(runs[0].rglob("*.wandb"))
