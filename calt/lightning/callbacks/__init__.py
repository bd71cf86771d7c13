"""Callbacks calt adds to Lightning's own (LR monitor and progress bars come from Lightning as they are)."""

from .checkpoint import RunCheckpoint
from .eval_metrics import ComputeMetrics
from .generation_eval import GenerationEvaluation
from .history import LogHistory
from .preemption import PreemptionSignal
from .progress import ProgressBar
from .throughput import throughput_monitor

__all__ = ["ComputeMetrics", "GenerationEvaluation", "LogHistory", "PreemptionSignal", "ProgressBar", "RunCheckpoint", "throughput_monitor"]
