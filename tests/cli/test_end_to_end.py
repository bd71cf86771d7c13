"""Each ``calt`` subcommand end to end on a tiny copy of the default task (in-process, to stay fast)."""

import json

import pytest
import torch
from omegaconf import OmegaConf

from calt.cli import main
from calt.cli.config_files import load_train_file as load_config

TINY_MODEL = ["model.num_encoder_layers=1", "model.num_decoder_layers=1", "model.d_model=32",
              "model.encoder_ffn_dim=64", "model.decoder_ffn_dim=64", "model.num_encoder_heads=2",
              "model.num_decoder_heads=2"]
TINY_TRAIN = ["train.batch_size=16", "train.test_batch_size=16", "train.eval_steps=3", "train.save_steps=3",
              "train.logging_steps=1", "train.disable_tqdm=true", "train.generation_max_length=16"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, repo_root):
    """A generated 80/12-sample dataset and a train.yaml with a tiny model pointing at it."""
    root = tmp_path_factory.mktemp("tiny")
    assert main(["generate", str(repo_root / "configs" / "data.yaml"), f"dataset.save_dir={root / 'data'}",
                 "dataset.num_train_samples=80", "dataset.num_test_samples=12"]) == 0
    config = load_config(repo_root / "configs" / "train.yaml", [
        f"data.lexer_config={repo_root / 'configs' / 'lexer.yaml'}",
        f"data.train_dataset_path={root / 'data' / 'train_raw.txt'}",
        f"data.test_dataset_path={root / 'data' / 'test_raw.txt'}",
        f"train.save_dir={root / 'run'}", *TINY_MODEL, *TINY_TRAIN,
    ])
    OmegaConf.save(config, root / "train.yaml")
    return root


def _nonempty(path):
    return path.is_file() and path.stat().st_size > 0


@pytest.mark.slow
def test_train_writes_model_results_plots_and_report_then_evaluate_reloads(tiny_run, capsys):
    save_dir = tiny_run / "run"
    assert main(["train", str(tiny_run / "train.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Success rate:" in out and str(save_dir / "eval_report.html") in out
    assert str(save_dir / "learning_curve_loss.png") in out  # drawn by train(), listed by the report
    for name in ("train.yaml", "config.json", "tokenizer.json", "metrics.csv", "eval_results.json",
                 "eval_report.html", "learning_curve_loss.png", "learning_curve_success_rate.png"):
        assert _nonempty(save_dir / name), name
    results = json.loads((save_dir / "eval_results.json").read_text())
    assert len(results) == 12 and set(results[0]) == {"generated", "reference", "input"}

    (save_dir / "eval_results.json").unlink()
    assert main(["evaluate", str(save_dir)]) == 0
    assert "Success rate:" in capsys.readouterr().out
    assert len(json.loads((save_dir / "eval_results.json").read_text())) == 12


@pytest.mark.slow
def test_train_dryrun_runs_with_shrunk_settings(tiny_run, capsys):
    save_dir = tiny_run / "dryrun"
    args = ["train", str(tiny_run / "train.yaml"), f"train.save_dir={save_dir}", "train.batch_size=64", "--dryrun"]
    assert main(args) == 0
    saved = OmegaConf.load(save_dir / "train.yaml")
    assert saved.train.batch_size == 8 and saved.train.num_train_epochs == 1
    assert _nonempty(save_dir / "eval_results.json")


def test_fit_print_config_of_the_default_config(repo_root, capsys, monkeypatch):
    monkeypatch.chdir(repo_root)
    with pytest.raises(SystemExit) as exit_info:
        main(["fit", "--config", "configs/train.yaml", "--print_config"])
    assert exit_info.value.code in (0, None)
    printed = OmegaConf.create(capsys.readouterr().out)
    default = OmegaConf.load(repo_root / "configs" / "train.yaml")
    assert printed.model.d_model == default.model.d_model
    assert printed.data.lexer_config == default.data.lexer_config
    # the train block seeds Lightning's Trainer
    assert printed.trainer.max_epochs == default.train.num_train_epochs
    assert printed.trainer.val_check_interval == default.train.eval_steps
    assert printed.trainer.gradient_clip_val == default.train.max_grad_norm
    assert printed.seed_everything == default.train.seed


@pytest.mark.slow
def test_fit_max_steps_override_then_validate_and_test_from_the_checkpoint(tiny_run, capsys):
    config = OmegaConf.load(tiny_run / "train.yaml")
    config.train.save_dir = str(tiny_run / "fit")
    OmegaConf.save(config, tiny_run / "fit.yaml")
    assert main(["fit", "--config", str(tiny_run / "fit.yaml"), "--trainer.max_steps", "4"]) == 0
    last = tiny_run / "fit" / "checkpoints" / "last.ckpt"
    assert torch.load(last, map_location="cpu", weights_only=False)["global_step"] == 4  # 5 batches/epoch otherwise
    assert (tiny_run / "fit" / "eval_results" / "step_3.json").is_file()
    assert not (tiny_run / "run" / "checkpoints" / "step-4.ckpt").exists()  # train.save_dir decides where fit writes

    for subcommand in ("validate", "test"):
        assert main([subcommand, "--config", str(tiny_run / "fit.yaml"), "--ckpt_path", str(last)]) == 0
    assert "eval_token_accuracy" in capsys.readouterr().out
