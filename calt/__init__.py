"""calt: train Transformers on symbolic computation.

The names a script needs are re-exported here lazily (PEP 562), so ``import calt``
stays fast and does not import torch, Lightning or transformers until a name is used.
"""

from importlib import import_module

__version__ = "0.1.0"

# public name -> module that defines it
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
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'calt' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)

# Lazy and cheap (no torch): makes transformers' AutoConfig / AutoModelForSeq2SeqLM know calt's generic
# model as soon as transformers' Auto classes are imported, in any import order.
from . import models as _models  # noqa: E402,F401
