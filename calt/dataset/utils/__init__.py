"""Writer, statistics, seeds and sample formatting shared by every dataset backend."""

from .dataset_writer import DatasetWriter
from .statistics import BaseStatisticsCalculator, RunningStatistics, SplitStatistics

__all__ = ["DatasetWriter", "BaseStatisticsCalculator", "RunningStatistics", "SplitStatistics"]
