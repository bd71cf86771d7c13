"""Loggers: CSV in ``save_dir`` by default, W&B when a ``wandb`` block asks, TensorBoard on request."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from lightning.pytorch.loggers import CSVLogger, Logger
from lightning.pytorch.loggers.logger import rank_zero_experiment

from calt.config import ConfigError, WandbConfig, parse_block

from .compat import AppendingExperimentWriter

log = logging.getLogger(__name__)


class RunCSVLogger(CSVLogger):
    """``save_dir/metrics.csv`` for the whole run, resumes included."""

    def __init__(self, save_dir: str) -> None:
        super().__init__(save_dir=save_dir, name="", version="")

    @property
    @rank_zero_experiment
    def experiment(self) -> AppendingExperimentWriter:
        if self._experiment is None:
            self._fs.makedirs(self.root_dir, exist_ok=True)
            self._experiment = AppendingExperimentWriter(log_dir=self.log_dir)
        return self._experiment


def wandb_has_login() -> bool:
    """True when an API key is available without asking (env var or ~/.netrc)."""
    if os.environ.get("WANDB_API_KEY"):
        return True
    netrc = Path(os.environ.get("NETRC", Path.home() / ".netrc"))
    return netrc.is_file() and "api.wandb.ai" in netrc.read_text(errors="ignore")


def wandb_offline(wandb: WandbConfig) -> bool:
    """Offline unless a login exists and neither the block nor ``WANDB_MODE`` asks for offline."""
    return wandb.mode == "offline" or os.environ.get("WANDB_MODE") in ("offline", "dryrun") or not wandb_has_login()


def chosen_loggers(report_to: tuple[str, ...] | None, wandb: WandbConfig | None) -> tuple[str, ...]:
    """Logger names: ``report_to`` when given, else CSV plus W&B when a ``wandb`` block without no_wandb exists."""
    if report_to is not None:
        return () if report_to == ("none",) else report_to
    wants_wandb = wandb is not None and not wandb.no_wandb and wandb.mode != "disabled"
    return ("csv", "wandb") if wants_wandb else ("csv",)


def build_loggers(output_dir: str, wandb_config: Any = None, report_to: tuple[str, ...] | None = None,
                  run_name: str | None = None) -> list[Logger]:
    """The loggers a run writes to; W&B runs offline without a login, so a run never blocks on a prompt."""
    wandb = parse_block(WandbConfig, wandb_config, "wandb") if wandb_config is not None else None
    loggers: list[Logger] = []
    for name in chosen_loggers(report_to, wandb):
        if name == "csv":
            loggers.append(RunCSVLogger(output_dir))
        elif name == "tensorboard":
            loggers.append(tensorboard_logger(output_dir, run_name))
        elif name == "wandb":
            loggers.append(wandb_logger(output_dir, wandb or WandbConfig(), run_name))
    return loggers


def tensorboard_logger(output_dir: str, run_name: str | None) -> Logger:
    """TensorBoard event files under ``save_dir/tensorboard/<run_name>``."""
    from lightning.pytorch.loggers import TensorBoardLogger

    try:
        return TensorBoardLogger(save_dir=output_dir, name="tensorboard", version=run_name)
    except ModuleNotFoundError as error:
        raise ConfigError("train.report_to: tensorboard needs the tensorboard package: pip install tensorboard") from error


def wandb_logger(output_dir: str, wandb: WandbConfig, run_name: str | None) -> Logger:
    """``WandbLogger`` with its mode passed to the run (the process environment is left alone)."""
    from lightning.pytorch.loggers import WandbLogger

    import wandb as wandb_module

    offline = wandb_offline(wandb)
    return WandbLogger(
        project=wandb.project, group=wandb.group, name=wandb.name or run_name, tags=wandb.tags,
        save_dir=output_dir, offline=offline, entity=wandb.entity, notes=wandb.notes,
        settings=wandb_module.Settings(silent=True),
    )


def finish_wandb_run() -> None:
    """End the process's W&B run, if one is open, and wait for W&B to write it out: Lightning leaves the run open
    until the process exits, so a second run in the same process would log into the first (its console log
    too), and its files would keep changing after the run returned."""
    wandb = sys.modules.get("wandb")
    if wandb is not None and getattr(wandb, "run", None) is not None:
        wandb.finish()
        wandb.teardown()  # waits for W&B's service to write the run's last records
