"""``ProgressBar``: Lightning's TQDM bar with short metric names, so loss and speed fit on one line."""

from __future__ import annotations

from lightning.pytorch.callbacks import TQDMProgressBar

SHORT_NAMES = {
    "train/loss": "loss",
    "train/samples_per_sec": "samples/s",
    "train/items_per_sec": "tokens/s",
    "eval_loss": "eval_loss",
    "eval_token_accuracy": "token_acc",
    "eval_success_rate": "success",
    "eval_generation_success_rate": "gen_success",
}


class ProgressBar(TQDMProgressBar):
    """Shows ``loss``, ``samples/s``, ``tokens/s`` and the last evaluation's rates (no version number)."""

    def get_metrics(self, trainer, pl_module) -> dict:
        metrics = super().get_metrics(trainer, pl_module)
        metrics.pop("v_num", None)
        return {SHORT_NAMES.get(name, name): value for name, value in metrics.items()}
