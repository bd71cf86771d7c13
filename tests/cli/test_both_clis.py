"""Both command lines read every train.yaml under configs/ the same way: ``calt train --print_config`` and
``calt fit --print_config`` resolve the same values, and ``calt train --dryrun`` runs each file."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from calt.cli import main

REPO = Path(__file__).resolve().parents[2]
TRAIN_FILES = sorted(REPO.glob("configs/**/train.yaml"))


def printed(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "calt", *args, "--print_config"], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return yaml.safe_load(done.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("path", TRAIN_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_train_and_fit_resolve_the_same_values(path):
    ours, lightning = printed("train", str(path)), printed("fit", "--config", str(path))
    for block in ("data", "model", "train"):
        assert ours[block] == lightning[block], block
    assert ours.get("wandb") == lightning.get("wandb")


@pytest.mark.slow
@pytest.mark.parametrize("path", TRAIN_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_train_dryrun_runs_every_config(path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    data_yaml = path.parent / "data.yaml"
    assert main(["generate", str(data_yaml), f"dataset.save_dir={tmp_path / 'data'}", "dataset.num_train_samples=40",
                 "dataset.num_test_samples=8", "dataset.n_jobs=1", "dataset.verbose=false"]) == 0
    args = ["train", str(path), f"train.save_dir={tmp_path / 'run'}",
            f"data.train_dataset_path={tmp_path / 'data' / 'train_raw.txt'}",
            f"data.test_dataset_path={tmp_path / 'data' / 'test_raw.txt'}", "train.disable_tqdm=true",
            "train.generation_max_length=8", "--dryrun", "--no-report"]  # an untrained model decodes to the limit
    assert main(args) == 0, capsys.readouterr().err
    saved = yaml.safe_load((tmp_path / "run" / "train.yaml").read_text())
    assert saved["model"] == yaml.safe_load(path.read_text())["model"]
    assert saved["train"]["num_train_epochs"] == 1 and saved["data"]["num_train_samples"] == 1000
