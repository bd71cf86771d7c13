"""Callbacks calt adds to Lightning's own (LR monitor and progress bars come from Lightning as they are)."""

from .checkpoint import RunCheckpoint
from .generation_eval import GenerationEvaluation, write_json_atomic, write_text_atomic
from .history import LogHistory
from .progress import ProgressBar
from .throughput import throughput_monitor

__all__ = ["GenerationEvaluation", "LogHistory", "ProgressBar", "RunCheckpoint", "write_json_atomic", "throughput_monitor", "write_text_atomic"]
