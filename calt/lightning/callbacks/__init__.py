"""Callbacks calt adds to Lightning's own (checkpointing, LR monitor and progress bars come from Lightning)."""

from .generation_eval import GenerationEvaluation, write_json_atomic
from .history import LogHistory
from .throughput import Throughput

__all__ = ["GenerationEvaluation", "LogHistory", "Throughput", "write_json_atomic"]
