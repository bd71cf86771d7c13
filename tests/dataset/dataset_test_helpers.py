"""Paths and config loading shared by the calt.dataset tests."""

from pathlib import Path

from omegaconf import OmegaConf

REPO_ROOT = Path(__file__).resolve().parents[2]


def task_config(task: str, name: str):
    """Load ``configs/<task>/<name>.yaml``."""
    return OmegaConf.load(REPO_ROOT / "configs" / task / f"{name}.yaml")
