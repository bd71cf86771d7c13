"""``GenerationEvaluation``: at every validation, decode the eval set and log the exact-match rate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning as L

from calt.atomic import write_json_atomic

from ..generation import generate_eval_set


class GenerationEvaluation(L.Callback):
    """Writes ``eval_results/step_{N}.json`` (rank 0) and logs ``eval_generation_success_rate``.

    ``batch_size`` is the total over all ranks, like ``test_batch_size``; each rank decodes its share.
    """

    def __init__(self, dataset, collate_fn, tokenizer, output_dir: str, max_length: int,
                 num_beams: int = 1, batch_size: int = 64) -> None:
        if max_length < 1:
            raise ValueError(f"generation max_length must be >= 1, got {max_length}")
        self.dataset, self.collate_fn, self.tokenizer = dataset, collate_fn, tokenizer
        self.output_dir = Path(output_dir)
        self.max_length, self.num_beams, self.batch_size = max_length, num_beams, batch_size

    def on_validation_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if trainer.sanity_checking or self.dataset is None or len(self.dataset) == 0:
            return
        result = generate_eval_set(
            pl_module.model, self.dataset, self.collate_fn, self.tokenizer, self.max_length,
            self.num_beams, max(self.batch_size // trainer.world_size, 1), pl_module.device,
            progress=trainer.progress_bar_callback is not None,
            forward_context=trainer.precision_plugin.forward_context,
        )
        if trainer.is_global_zero:
            write_json_atomic(self.output_dir / "eval_results" / f"step_{trainer.global_step}.json", result.rows())
        # every rank holds the same gathered rate; the (identical) mean across ranks keeps Lightning's logging in step
        pl_module.log("eval_generation_success_rate", result.success_rate, prog_bar=True, sync_dist=True)
