"""The documented script, run as a file so Lightning's DDP launcher can start one process per rank.

usage: python ddp_script.py CONFIG.yaml RESULT_PREFIX [resume]
"""

import json
import os
import sys

from omegaconf import OmegaConf

from calt.io import IOPipeline
from calt.models import ModelPipeline
from calt.trainer import TrainerPipeline

cfg = OmegaConf.load(sys.argv[1])
io_dict = IOPipeline.from_config(cfg.data).build()
model = ModelPipeline.from_io_dict(cfg.model, io_dict).build()
trainer_pipeline = TrainerPipeline.from_io_dict(cfg.train, model, io_dict).build()
trainer_pipeline.train(resume_from_checkpoint=True if "resume" in sys.argv[3:] else None)
trainer_pipeline.save_model()
success_rate = trainer_pipeline.evaluate_and_save_generation()
metrics = trainer_pipeline.evaluate()
rank = int(os.environ.get("LOCAL_RANK", 0))
with open(f"{sys.argv[2]}.rank{rank}.json", "w") as handle:
    json.dump({"success_rate": success_rate, "metrics": metrics, "global_step": trainer_pipeline.state.global_step,
               "world_size": trainer_pipeline.trainer.lightning_trainer.world_size}, handle)
