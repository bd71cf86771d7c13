"""Damaged files: resume skips (and names) a damaged checkpoint; a damaged export is an error naming the file."""

import logging

import pytest
from omegaconf import OmegaConf

from calt.cli import main
from test_resume import _trainer


@pytest.fixture
def stopped_run(make_cfg, tmp_path):
    """A run stopped at step 8 of 20, with checkpoints at steps 6 (step-6.ckpt) and 8 (last.ckpt)."""
    cfg = make_cfg(num_train_epochs=2, max_steps=8, save_steps=6, save_total_limit=1, eval_strategy="no")
    _trainer(cfg, tmp_path / "run").train()
    return tmp_path / "run", make_cfg(num_train_epochs=2, save_steps=6, eval_strategy="no")


@pytest.mark.parametrize("damage", [lambda b: b[: len(b) // 2], lambda b: b"not a checkpoint at all" * 10],
                         ids=["truncated", "garbage"])
def test_resume_skips_a_damaged_last_checkpoint_and_says_so(stopped_run, caplog, damage):
    out, cfg = stopped_run
    last = out / "checkpoints" / "last.ckpt"
    last.write_bytes(damage(last.read_bytes()))
    trainer = _trainer(cfg, out)
    with caplog.at_level(logging.WARNING):
        trainer.train(resume_from_checkpoint=True)
    assert f"checkpoint {last} is damaged" in caplog.text
    assert trainer.state.global_step == 20  # resumed from step 6 and trained to the end


def test_an_explicit_damaged_checkpoint_is_named_with_the_newest_good_one(stopped_run):
    out, cfg = stopped_run
    last = out / "checkpoints" / "last.ckpt"
    last.write_bytes(last.read_bytes()[:1000])
    with pytest.raises(ValueError, match=rf"checkpoint {last} is damaged .*newest good checkpoint is .*step-6.ckpt"):
        _trainer(cfg, out).train(resume_from_checkpoint=str(last))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["config.json", "model.safetensors"])
def test_evaluate_names_a_damaged_file_of_the_exported_model(make_cfg, tmp_path, capsys, name):
    from engine_helpers import run_documented_script

    cfg = make_cfg(eval_strategy="no", max_steps=2, save_safetensors=True)
    cfg.train.save_dir = str(tmp_path / "run")
    pipeline = run_documented_script(cfg)
    pipeline.save_model()
    OmegaConf.save(cfg, tmp_path / "run" / "train.yaml")
    damaged = tmp_path / "run" / name
    damaged.write_bytes(damaged.read_bytes()[:40])
    assert main(["evaluate", str(tmp_path / "run")]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and f"{damaged} is damaged" in error
