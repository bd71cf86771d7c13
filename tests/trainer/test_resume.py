"""A resumed run continues exactly where it stopped: same losses, same final weights."""

import lightning as L
import torch

from calt.io import IOPipeline
from calt.models import ModelPipeline
from calt.trainer import Trainer, TrainingArguments


class StopAt(L.Callback):
    """Simulates an interruption after ``step`` optimizer steps."""

    def __init__(self, step):
        self.step = step

    def on_train_batch_end(self, trainer, *args):
        if trainer.global_step >= self.step:
            trainer.should_stop = True


def _trainer(cfg, out, callbacks=()):
    io_dict = IOPipeline.from_config(cfg.data).build()
    L.seed_everything(0)
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    args = TrainingArguments.from_config({**cfg.train, "save_dir": str(out)})
    return Trainer(model, args, io_dict["data_collator"], io_dict["train_dataset"], io_dict["test_dataset"],
                   processing_class=io_dict["tokenizer"], callbacks=list(callbacks))


def _losses(trainer):
    return [round(row["train/loss"], 6) for row in trainer.log_history if "train/loss" in row]


def test_stop_resume_equals_one_straight_run(make_cfg, tmp_path):
    # 40 samples, batch 4: 10 steps an epoch; stop at 6 (mid-epoch), resume to 14 (into epoch 2)
    cfg = make_cfg(num_train_epochs=2, max_steps=14, save_steps=3, eval_strategy="no")
    straight = _trainer(cfg, tmp_path / "straight")
    straight.train()
    last = torch.load(tmp_path / "straight" / "checkpoints" / "last.ckpt", weights_only=False)
    assert last["global_step"] == 14  # the end of training, not the last multiple of save_steps (12)
    first = _trainer(cfg, tmp_path / "resumed", callbacks=[StopAt(6)])
    first.train()
    assert first.state.global_step == 6
    second = _trainer(cfg, tmp_path / "resumed")
    second.train(resume_from_checkpoint=True)
    assert second.state.global_step == straight.state.global_step == 14
    assert _losses(second) == _losses(straight)
    for (name, a), (_, b) in zip(straight.model.state_dict().items(), second.model.state_dict().items()):
        assert torch.allclose(a, b, atol=1e-6), name
