"""Trains the tiny task of a train.yaml; writes each finished step to STEP_FILE (the test signals then)."""

import sys
import time
from pathlib import Path

import lightning as L
from omegaconf import OmegaConf

from calt.io import IOPipeline
from calt.models import ModelPipeline
from calt.trainer import TrainerPipeline


class Report(L.Callback):
    def __init__(self, path: Path, delay: float) -> None:
        self.path, self.delay = path, delay

    def on_train_batch_end(self, trainer, *args) -> None:
        self.path.write_text(str(trainer.global_step))
        time.sleep(self.delay)


config_path, step_file, delay, resume = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]), sys.argv[4] == "resume"
cfg = OmegaConf.load(config_path)
io_dict = IOPipeline.from_config(cfg.data).build()
L.seed_everything(0)
model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
pipeline = TrainerPipeline.from_io_dict(cfg.train, model, io_dict).build()
pipeline.trainer.lightning_trainer.callbacks.append(Report(step_file, delay))
pipeline.train(resume_from_checkpoint=True if resume else None)
print("finished at step", pipeline.state.global_step)
