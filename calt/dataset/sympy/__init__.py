"""The SymPy backend of ``calt.dataset``: the generator and helpers for writing instance generators."""

from ..utils.dataset_writer import DatasetWriter
from ..utils.statistics import BaseStatisticsCalculator
from .dataset_generator import DatasetGenerator
from .utils.polynomial_sampler import PolynomialSampler

__all__ = ["DatasetGenerator", "DatasetWriter", "PolynomialSampler", "BaseStatisticsCalculator"]
