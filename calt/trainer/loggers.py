"""Loggers from the config: CSV in ``save_dir`` always, Weights & Biases when a ``wandb`` block asks."""

from __future__ import annotations

import csv
import logging
import os
from pathlib import Path
from typing import Any

from lightning.pytorch.loggers import CSVLogger, Logger
from lightning.pytorch.loggers.csv_logs import ExperimentWriter
from lightning.pytorch.loggers.logger import rank_zero_experiment

from .arguments import WANDB_KEYS

log = logging.getLogger(__name__)


class _AppendingWriter(ExperimentWriter):
    """Lightning's CSV writer, minus deleting an existing metrics.csv: a resumed run appends to it."""

    def _check_log_dir_exists(self) -> None:
        if self._fs.isfile(self.metrics_file_path):
            with self._fs.open(self.metrics_file_path, "r", newline="") as handle:
                self.metrics_keys = sorted(csv.DictReader(handle).fieldnames or [])


class RunCSVLogger(CSVLogger):
    """``save_dir/metrics.csv`` for the whole run, resumes included."""

    def __init__(self, save_dir: str) -> None:
        super().__init__(save_dir=save_dir, name="", version="")

    @property
    @rank_zero_experiment
    def experiment(self) -> ExperimentWriter:
        if self._experiment is None:
            self._fs.makedirs(self.root_dir, exist_ok=True)
            self._experiment = _AppendingWriter(log_dir=self.log_dir)
        return self._experiment


def wandb_has_login() -> bool:
    """True when an API key is available without asking (env var or ~/.netrc)."""
    if os.environ.get("WANDB_API_KEY"):
        return True
    netrc = Path(os.environ.get("NETRC", Path.home() / ".netrc"))
    return netrc.is_file() and "api.wandb.ai" in netrc.read_text(errors="ignore")


def build_loggers(output_dir: str, wandb_config: Any = None) -> list[Logger]:
    """``CSVLogger`` writing ``save_dir/metrics.csv``; plus ``WandbLogger`` unless ``no_wandb`` — offline
    when ``WANDB_MODE=offline`` or there is no login, so a run never blocks on a prompt."""
    loggers: list[Logger] = [RunCSVLogger(output_dir)]
    cfg = dict(wandb_config or {})
    unknown = set(cfg) - set(WANDB_KEYS)
    if unknown:
        raise ValueError(f"wandb block: unknown key(s) {sorted(unknown)}; valid keys: {', '.join(WANDB_KEYS)}")
    if not cfg or cfg.get("no_wandb", False):
        return loggers
    try:
        from lightning.pytorch.loggers import WandbLogger
    except ImportError:  # pragma: no cover
        log.warning("wandb is not installed; logging to CSV only")
        return loggers
    offline = os.environ.get("WANDB_MODE") in ("offline", "dryrun") or cfg.get("mode") == "offline" or not wandb_has_login()
    if offline:
        os.environ["WANDB_MODE"] = "offline"
    os.environ.setdefault("WANDB_SILENT", "true")
    tags = cfg.get("tags")
    loggers.append(WandbLogger(
        project=cfg.get("project", "calt"), group=cfg.get("group"), name=cfg.get("name"),
        tags=list(tags) if tags else None, save_dir=output_dir, offline=offline,
        entity=cfg.get("entity"), notes=cfg.get("notes"),
    ))
    return loggers
