"""``calt train`` launched on two CPU processes (gloo): one set of results, written by rank 0."""

import json

import pytest

pytestmark = pytest.mark.slow

TINY = ["model.num_encoder_layers=1", "model.num_decoder_layers=1", "model.d_model=32", "model.encoder_ffn_dim=64",
        "model.decoder_ffn_dim=64", "train.batch_size=16", "train.test_batch_size=16", "train.eval_steps=3",
        "train.save_steps=3", "train.logging_steps=1", "train.disable_tqdm=true"]


def test_train_on_two_processes_reports_once(run_calt, repo_root, tmp_path):
    data = tmp_path / "data"
    done = run_calt("generate", repo_root / "configs" / "data.yaml", f"dataset.save_dir={data}",
                    "dataset.num_train_samples=96", "dataset.num_test_samples=10")
    assert done.returncode == 0, done.stderr
    save_dir = tmp_path / "run"
    done = run_calt("train", repo_root / "configs" / "train.yaml", f"data.train_dataset_path={data / 'train_raw.txt'}",
                    f"data.test_dataset_path={data / 'test_raw.txt'}", f"train.save_dir={save_dir}",
                    "train.accelerator=cpu", "train.devices=2", *TINY)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("Success rate:") == 2  # the documented print and the report, from rank 0 only
    rows = json.loads((save_dir / "eval_results.json").read_text())
    references = [line.split("#")[1].strip() for line in (data / "test_raw.txt").read_text().splitlines()]
    assert [row["reference"] for row in rows] == references  # every test sample once, in order
    # 96 samples, global batch 16: 6 optimizer steps, as on one process; evaluations at 3 and 6
    assert sorted(p.name for p in (save_dir / "eval_results").iterdir()) == ["step_3.json", "step_6.json"]
    assert (save_dir / "eval_report.html").stat().st_size > 0
