"""Writer, statistics, seeds and sample formatting shared by every dataset backend."""

from .dataset_writer import DatasetWriter
from .statistics import BaseStatisticsCalculator, RunningStatistics, SplitStatistics
from .statistics_calculator import IncrementalStatistics, MemoryEfficientStatisticsCalculator

__all__ = ["DatasetWriter", "BaseStatisticsCalculator", "IncrementalStatistics", "MemoryEfficientStatisticsCalculator",
           "RunningStatistics", "SplitStatistics"]
