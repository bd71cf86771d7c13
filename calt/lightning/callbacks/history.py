"""``LogHistory``: every logged metric as HF-style ``log_history`` rows (``{"step", "epoch", …}``)."""

from __future__ import annotations

import lightning as L
import torch


class LogHistory(L.Callback):
    """Collects the metrics logged at each logging step and after each validation."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def _record(self, trainer: L.Trainer, prefix: tuple[str, ...]) -> None:
        metrics = {k: (v.item() if isinstance(v, torch.Tensor) else v)
                   for k, v in trainer.callback_metrics.items() if k.startswith(prefix)}
        if metrics:
            self.rows.append({**metrics, "step": trainer.global_step, "epoch": trainer.current_epoch})

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if trainer.global_step % max(trainer.log_every_n_steps, 1) == 0:
            self._record(trainer, ("train/",))

    def on_validation_end(self, trainer, pl_module) -> None:
        if not trainer.sanity_checking:
            self._record(trainer, ("eval_",))

    def state_dict(self) -> dict:
        return {"rows": self.rows}

    def load_state_dict(self, state: dict) -> None:
        self.rows = list(state.get("rows", []))
