"""benchmarks/quality_seeds.py: what each variant runs with, and how the table judges the seeds (nothing is trained)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def quality():
    """The script imported as a module."""
    paths = [str(SCRIPTS), str(SCRIPTS / "benchmark_workloads")]
    sys.path[:0] = paths
    try:
        yield importlib.import_module("quality_seeds")
    finally:
        for path in paths:
            sys.path.remove(path)


def test_each_variant_runs_with_its_keys_and_its_seed(quality, tmp_path):
    args = quality.parse_args(["--work-dir", str(tmp_path), "--epochs", "4"])
    files = {"lexer": "l", "train": "t", "test": "s", "data": "d"}
    original = quality.run_spec("original", 3, args, files, tmp_path / "o")
    ungrouped = quality.run_spec("calt-ungrouped", 3, args, files, tmp_path / "u")
    bf16 = quality.run_spec("calt-bf16", 5, args, files, tmp_path / "b")
    assert original["side"] == "original" and original["train_extra"] == {"seed": 3} and "model_extra" not in original
    assert ungrouped["train_extra"] == {"group_by_length": False, "precision": "32-true", "seed": 3}
    assert ungrouped["model_extra"] == {"seed": 3}
    assert bf16["train_extra"] == {"group_by_length": True, "precision": "bf16-mixed", "seed": 5}
    assert original["epochs"] == 4 and original["train_lines"] == 20_000 and original["gen_samples"] == 1_000


def test_unknown_variant_is_rejected_with_the_valid_names(quality):
    with pytest.raises(SystemExit):
        quality.parse_args(["--variants", "calt-fast"])
    with pytest.raises(SystemExit):
        quality.parse_args(["--jobs", "0"])


def write_result(folder: Path, percent: float) -> None:
    folder.mkdir(parents=True)
    result = {"trained_generation": {"success_rate": percent / 100}, "final_train_loss": 0.5, "train_seconds": 9.0,
              "environment": {"torch_threads": 1}}
    (folder / "result.json").write_text(json.dumps(result))


def test_table_gives_mean_and_standard_error_and_judges_within_one_error(quality, tmp_path):
    for seed, percent in zip((1, 2, 3), (30.0, 40.0, 20.0)):
        write_result(tmp_path / f"original-seed{seed}", percent)
    for seed, percent in zip((1, 2, 3), (25.0, 30.0, 20.0)):  # mean 25: 5 below, the original's s.e. is 5.77
        write_result(tmp_path / f"calt-ungrouped-seed{seed}", percent)
    for seed, percent in zip((1, 2), (10.0, 12.0)):  # mean 11: far below
        write_result(tmp_path / f"calt-grouped-seed{seed}", percent)
    args = quality.parse_args(["--work-dir", str(tmp_path), "--seeds", "1,2,3"])
    lines, result = quality.summary(quality.collect(args), args.seeds)
    stats = result["variants"]
    assert stats["original"]["mean"] == pytest.approx(30.0)
    assert stats["original"]["standard_error"] == pytest.approx(10.0 / 3**0.5)
    assert stats["calt-grouped"]["n"] == 2
    assert "| calt-grouped | 10.0 | 12.0 | - | 11.0 ± 1.0 | 0.500 |" in lines
    verdicts = {line.split(":")[0]: line.rsplit(" ", 1)[-1] for line in result["checks"]}
    assert verdicts["calt ungrouped reaches the original's mean within one s.e."] == "pass"
    assert verdicts["calt grouped no worse than the original (within one s.e.)"] == "FAIL"
