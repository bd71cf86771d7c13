"""``RunCheckpoint``: Lightning's ``ModelCheckpoint`` whose ``last.ckpt`` is always where training stopped."""

from __future__ import annotations

import lightning as L
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.utilities.exceptions import SIGTERMException

from ..compat import save_last_checkpoint


class RunCheckpoint(ModelCheckpoint):
    """Keeps the newest ``save_top_k`` step (or epoch) checkpoints plus ``last.ckpt``.

    Lightning refreshes ``last.ckpt`` only when a periodic checkpoint is written, so the steps
    after the last multiple of ``every_n_train_steps`` would be lost to a resume; this callback
    also writes ``last.ckpt`` when training ends anywhere else, and when a SIGTERM (or SIGUSR1, see
    ``PreemptionSignal``) stops it: Lightning then ends the step under way and leaves the loop. Files are
    written through a temporary name and a rename (Lightning's atomic save), so a crash never leaves half a
    checkpoint.
    """

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if self.save_last:
            save_last_checkpoint(self, trainer)
        super().on_train_end(trainer, pl_module)

    def on_exception(self, trainer: L.Trainer, pl_module: L.LightningModule, exception: BaseException) -> None:
        if isinstance(exception, SIGTERMException) and self.save_last:
            save_last_checkpoint(self, trainer)  # at the step that just finished: resuming continues from it
