"""``calt.dataset``: run instance generators in parallel and write train/test files.

``DatasetPipeline.from_config(cfg.dataset, instance_generator).run()`` is the entry point;
``calt.dataset.sympy`` holds the SymPy backend and helpers (``PolynomialSampler``), and
``calt.dataset.tasks`` the example tasks.
"""

from .backends import get_backend_classes, get_generator_class
from .generation import SampleGenerationError
from .pipeline import DatasetPipeline
from .utils.dataset_writer import DatasetWriter

__all__ = ["DatasetPipeline", "DatasetWriter", "SampleGenerationError", "get_backend_classes", "get_generator_class"]
