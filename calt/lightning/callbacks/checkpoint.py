"""``RunCheckpoint``: Lightning's ``ModelCheckpoint`` whose ``last.ckpt`` is always the end of training."""

from __future__ import annotations

import lightning as L
from lightning.pytorch.callbacks import ModelCheckpoint

from ..compat import save_last_checkpoint


class RunCheckpoint(ModelCheckpoint):
    """Keeps the newest ``save_top_k`` step (or epoch) checkpoints plus ``last.ckpt``.

    Lightning refreshes ``last.ckpt`` only when a periodic checkpoint is written, so the steps
    after the last multiple of ``every_n_train_steps`` would be lost to a resume; this callback
    also writes ``last.ckpt`` when training ends anywhere else. Files are written through a
    temporary name and a rename (Lightning's atomic save), so a crash never leaves half a checkpoint.
    """

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self.save_last:
            save_last_checkpoint(self, trainer)
        super().on_train_end(trainer, pl_module)
