"""``PreemptionSignal``: SIGUSR1 stops training like SIGTERM does (a checkpoint at the current step, then exit).

Schedulers warn a job before they stop it, with SIGTERM (most) or SIGUSR1 (SLURM's ``--signal``).
Lightning handles SIGTERM; under SLURM with auto-requeue it handles SIGUSR1 itself (an ``hpc_ckpt``
checkpoint and a requeue), and this callback then leaves SIGUSR1 alone.
"""

from __future__ import annotations

import signal
import threading

import lightning as L
from lightning.fabric.plugins.environments import SLURMEnvironment


class PreemptionSignal(L.Callback):
    """Routes SIGUSR1 to Lightning's SIGTERM handler for the duration of ``fit``."""

    def __init__(self) -> None:
        self._previous = None

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        environment = getattr(trainer.strategy, "cluster_environment", None)
        slurm_requeues = isinstance(environment, SLURMEnvironment) and environment.auto_requeue
        if slurm_requeues or threading.current_thread() is not threading.main_thread():
            return
        self._previous = signal.signal(signal.SIGUSR1, signal.getsignal(signal.SIGTERM))

    def teardown(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGUSR1, self._previous)
            self._previous = None
