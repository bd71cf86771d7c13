"""Bad configurations fail early with messages that name the key; bad runs stop cleanly."""

import lightning as L
import pytest
import torch

from calt.io import IOPipeline
from calt.models import ModelPipeline
from calt.trainer import Trainer, TrainingArguments


@pytest.mark.parametrize("key", ["learning_rate", "num_train_epochs", "batch_size"])
def test_missing_required_key_is_named(make_cfg, key):
    train = dict(make_cfg().train)
    del train[key]
    with pytest.raises(ValueError, match=f"train.{key} is required"):
        TrainingArguments.from_config(train)


def test_unknown_key_suggests_the_closest(make_cfg):
    with pytest.raises(ValueError, match="did you mean 'learning_rate'"):
        TrainingArguments.from_config({**make_cfg().train, "learnig_rate": 1})


def test_batch_size_not_divisible_by_devices_states_per_device_size(make_cfg):
    cfg = make_cfg(batch_size=5, accelerator="cpu", devices=2, strategy="ddp")
    io_dict = IOPipeline.from_config(cfg.data).build()
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    with pytest.raises(ValueError, match="not divisible by the 2 devices: each device would get 2.5"):
        Trainer(model, TrainingArguments.from_config(cfg.train), io_dict["data_collator"], io_dict["train_dataset"],
                io_dict["test_dataset"], processing_class=io_dict["tokenizer"])


def test_empty_eval_set_warns_and_scores_zero(make_cfg):
    cfg = make_cfg()
    io_dict = IOPipeline.from_config(cfg.data).build()
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    from calt.io import StandardDataset

    trainer = Trainer(model, TrainingArguments.from_config(cfg.train), io_dict["data_collator"],
                      io_dict["train_dataset"], StandardDataset([], []), processing_class=io_dict["tokenizer"])
    with pytest.warns(UserWarning, match="eval set is empty"):
        assert trainer.evaluate_and_save_generation() == 0.0


class PoisonWeights(L.Callback):
    """Corrupts the weights after 4 steps (the checkpoint of step 3 is already written)."""

    def on_train_batch_start(self, trainer, pl_module, *args):
        if trainer.global_step == 4:
            with torch.no_grad():
                next(pl_module.model.parameters()).fill_(float("nan"))


def test_nan_loss_stops_naming_the_step_and_keeps_the_last_good_checkpoint(make_cfg):
    cfg = make_cfg(save_steps=3, eval_strategy="no")
    io_dict = IOPipeline.from_config(cfg.data).build()
    model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
    trainer = Trainer(model, TrainingArguments.from_config(cfg.train), io_dict["data_collator"],
                      io_dict["train_dataset"], io_dict["test_dataset"], processing_class=io_dict["tokenizer"],
                      callbacks=[PoisonWeights()])
    with pytest.raises(FloatingPointError, match="at step 4"):
        trainer.train()
    checkpoint = torch.load(f"{cfg.train.save_dir}/checkpoints/step-3.ckpt", weights_only=False)
    assert checkpoint["global_step"] == 3
    assert all(torch.isfinite(t).all() for t in checkpoint["state_dict"].values() if t.is_floating_point())
