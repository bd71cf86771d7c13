"""The SageMath backend of ``calt.dataset``: its ``DatasetGenerator`` and the Sage samplers.

Needs SageMath (``pip install 'calt[sage]'``); without it, importing this package fails with
one line saying how to install it.
"""

from ..backends import require_sage

require_sage("calt.dataset.sagemath")

from ..utils.dataset_writer import DatasetWriter  # noqa: E402
from ..utils.statistics import BaseStatisticsCalculator  # noqa: E402
from .dataset_generator import DatasetGenerator  # noqa: E402
from .utils.polynomial_sampler import PolynomialSampler  # noqa: E402

__all__ = ["BaseStatisticsCalculator", "DatasetGenerator", "DatasetWriter", "PolynomialSampler"]
