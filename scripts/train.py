"""Train and evaluate a model: the documented calt training script.

    python scripts/train.py [configs/train.yaml]

Reads the `data`, `model` and `train` blocks of train.yaml, trains, exports the model
and tokenizer to `train.save_dir`, and evaluates by generation on the test set.
"""

import sys

from omegaconf import OmegaConf

from calt.io import IOPipeline
from calt.models import ModelPipeline
from calt.trainer import TrainerPipeline

config_path = sys.argv[1] if len(sys.argv) > 1 else "configs/train.yaml"
cfg = OmegaConf.load(config_path)

io_dict = IOPipeline.from_config(cfg.data).build()
model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
trainer_pipeline = TrainerPipeline.from_io_dict(cfg.train, model, io_dict, wandb_config=cfg.get("wandb")).build()

trainer_pipeline.train()
trainer_pipeline.save_model()
success_rate = trainer_pipeline.evaluate_and_save_generation()
print(f"Success rate: {100 * success_rate:.1f}%")
