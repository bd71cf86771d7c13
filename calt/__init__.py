"""calt: train Transformers on symbolic computation.

Names and subpackages load on first use (``calt.IOPipeline``, ``calt.io``), so ``import calt`` and the
``calt`` command start fast; ``import calt.models`` registers calt's models with transformers' Auto classes.
"""

from .lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "IOPipeline": "calt.io.pipeline",
    "StandardDataset": "calt.io.dataset",
    "StandardDataCollator": "calt.io.collator",
    "UnifiedLexer": "calt.io.preprocessor",
    "NumberPolicy": "calt.io.preprocessor",
    "get_tokenizer": "calt.io.tokenizer",
    "ModelPipeline": "calt.models.pipeline",
    "TrainerPipeline": "calt.trainer.pipeline",
    "Trainer": "calt.trainer.trainer",
    "count_cuda_devices": "calt.trainer.utils",
    "DatasetPipeline": "calt.dataset.pipeline",
    "DatasetWriter": "calt.dataset.utils.dataset_writer",
    "DatasetGenerator": "calt.dataset.sympy.dataset_generator",
    "PolynomialSampler": "calt.dataset.sympy.utils.polynomial_sampler",
    "BaseStatisticsCalculator": "calt.dataset.utils.statistics",
    "AbstractPreProcessor": "calt.io.preprocessor.base",
    "PreProcessorChain": "calt.io.preprocessor.base",
}
_SUBPACKAGES = ("config", "dataset", "io", "lightning", "models", "trainer", "cli")

__all__ = ["__version__", *_EXPORTS, *_SUBPACKAGES]
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, _SUBPACKAGES)
