"""Shared helpers of the CLI tests: run ``calt`` in-process or as a console script from the repo root."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CALT_SCRIPT = Path(sys.executable).with_name("calt")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def run_calt():
    """Run ``calt ARGS`` as a subprocess in the repo root; return the CompletedProcess (text mode)."""

    def run(*args, cwd=REPO_ROOT, timeout=240):
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "WANDB_MODE": "disabled"}
        command = [str(CALT_SCRIPT)] if CALT_SCRIPT.exists() else [sys.executable, "-m", "calt"]
        return subprocess.run(
            [*command, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )

    return run
