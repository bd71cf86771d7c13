"""The engine: Lightning pieces that train and evaluate any HF seq2seq model on calt data."""

from .datamodule import CaltDataModule
from .generation import GenerationResult, default_max_length, generate_eval_set
from .module import CaltLightningModule

__all__ = ["CaltDataModule", "CaltLightningModule", "GenerationResult", "default_max_length", "generate_eval_set"]
