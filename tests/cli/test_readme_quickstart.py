"""The README's first command, as written there, with a smaller budget given through overrides."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def readme_commands(repo_root: Path) -> list[str]:
    """The commands of the fenced ``bash`` blocks of README.md, in order."""
    text = (repo_root / "README.md").read_text()
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_readme_opens_with_the_default_job_then_the_tests(repo_root):
    first, second = readme_commands(repo_root)[:2]
    assert first == "bash scripts/setup.sh && .venv/bin/calt quickstart"
    assert second == "bash scripts/setup.sh --sage && .venv/bin/python -m pytest -q"
    ci = (repo_root / ".ci" / "run").read_text()
    assert second in ci  # CI runs exactly the README's test command


def test_first_command_generates_trains_and_reports(repo_root, tmp_path):
    if Path(sys.prefix).resolve() != (repo_root / ".venv").resolve():
        pytest.skip("runs the README command, which uses the repository's .venv; these tests run elsewhere")
    first = readme_commands(repo_root)[0]
    overrides = [f"dataset.save_dir={tmp_path / 'data'}", "dataset.num_train_samples=3000",
                 "dataset.num_test_samples=60", f"train.save_dir={tmp_path / 'results'}", "train.eval_steps=20"]
    done = subprocess.run(f"{first} {' '.join(overrides)}", shell=True, cwd=repo_root, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "WANDB_MODE": "disabled"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(r"Success rate: \d+\.\d%", done.stdout)
    results = tmp_path / "results"
    rows = json.loads((results / "eval_results.json").read_text())
    assert len(rows) == 60 and all(set(row) == {"generated", "reference", "input"} for row in rows)
    for name in ("config.json", "train.yaml", "eval_report.html", "learning_curve_loss.png"):
        assert (results / name).stat().st_size > 0, name
        assert str(results / name) in done.stdout  # the paths of the results are printed
    assert sorted(p.name for p in (results / "eval_results").iterdir())[:1] == ["step_20.json"]
