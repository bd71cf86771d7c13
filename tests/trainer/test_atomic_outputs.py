"""A disk that fills up in the middle of a write leaves the previous version of every output intact."""

import errno
import pathlib

import pytest
from matplotlib.figure import Figure

from calt.cli.commands import write_reports
from engine_helpers import run_documented_script


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def half_then_full(write):
    """A writer that writes half of its data, then fails as a full disk does."""
    def failing(self, data, *args, **kwargs):
        write(self, data[: len(data) // 2], *args, **kwargs)
        disk_full()
    return failing


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    from omegaconf import OmegaConf

    from engine_helpers import LEXER, gf17_lines

    root = tmp_path_factory.mktemp("atomic")
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
                  "eval_steps": 5, "save_steps": 5, "logging_steps": 1, "generation_max_length": 16},
    })
    pipeline = run_documented_script(cfg)
    pipeline.save_model()
    pipeline.evaluate_and_save_generation()
    write_reports(root / "out")
    return pipeline, root / "out"


def snapshot(folder: pathlib.Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
            and "checkpoints" not in p.parts}


def test_text_outputs_survive_a_full_disk(finished, monkeypatch):
    pipeline, out = finished
    before = snapshot(out)
    monkeypatch.setattr(pathlib.Path, "write_text", half_then_full(pathlib.Path.write_text))
    for write in (pipeline.evaluate_and_save_generation,             # eval_results.json
                  pipeline.trainer._write_config,                    # train.yaml
                  lambda: write_reports(out, draw_curves=False)):   # eval_report.html
        with pytest.raises(OSError, match="No space left"):
            write()
    assert snapshot(out) == before


def test_learning_curves_survive_a_full_disk(finished, monkeypatch):
    _, out = finished
    before = snapshot(out)
    real = Figure.savefig

    def failing(self, path, *args, **kwargs):
        real(self, path, *args, **kwargs)
        pathlib.Path(path).write_bytes(pathlib.Path(path).read_bytes()[:100])
        disk_full()

    monkeypatch.setattr(Figure, "savefig", failing)
    with pytest.raises(OSError, match="No space left"):
        write_reports(out)
    assert snapshot(out) == before


def test_the_exported_model_survives_a_full_disk(finished, monkeypatch):
    pipeline, out = finished
    before = snapshot(out)
    tokenizer = pipeline.trainer.tokenizer
    monkeypatch.setattr(type(tokenizer), "save_pretrained", lambda *args, **kwargs: disk_full())  # weights written
    with pytest.raises(OSError, match="No space left"):
        pipeline.save_model()
    assert snapshot(out) == before  # no file replaced, no staging folder left behind


def test_an_atomic_write_gives_the_mode_a_plain_write_gives(tmp_path):
    from calt.atomic import write_text_atomic

    (tmp_path / "plain.txt").write_text("x")
    write_text_atomic(tmp_path / "atomic.txt", "x")
    assert (tmp_path / "atomic.txt").stat().st_mode == (tmp_path / "plain.txt").stat().st_mode
