"""The documented facade: ``train`` config → ``TrainingArguments`` → ``Trainer`` on Lightning."""

from .arguments import TrainingArguments
from .loader import StandardTrainerLoader, TrainerLoader
from .pipeline import TrainerPipeline
from .trainer import Trainer
from .utils import apply_dryrun_settings, count_cuda_devices, load_from_checkpoint

__all__ = [
    "StandardTrainerLoader",
    "Trainer",
    "TrainerLoader",
    "TrainerPipeline",
    "TrainingArguments",
    "apply_dryrun_settings",
    "count_cuda_devices",
    "load_from_checkpoint",
]
