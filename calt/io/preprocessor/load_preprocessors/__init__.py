"""Load preprocessors: one raw sample → ``(input_text, target_text)``, once at load time."""

from .base import DatasetLoadPreprocessor, DefaultLoadPreprocessor
from .chain import ChainLoadPreprocessor
from .expanded_form import ExpandedFormLoadPreprocessor, expanded_form, obj_to_expanded_form, poly_to_expanded_form
from .sequence import LastElementLoadPreprocessor, ReversedOrderLoadPreprocessor
from .text_to_polynomial import TextToSympyLoadPreprocessor
from .text_to_sage import TextToSageLoadPreprocessor
from .user_callable import UserCallableLoadPreprocessor

__all__ = [
    "ChainLoadPreprocessor",
    "DatasetLoadPreprocessor",
    "DefaultLoadPreprocessor",
    "ExpandedFormLoadPreprocessor",
    "LastElementLoadPreprocessor",
    "ReversedOrderLoadPreprocessor",
    "TextToSageLoadPreprocessor",
    "TextToSympyLoadPreprocessor",
    "UserCallableLoadPreprocessor",
    "expanded_form",
    "obj_to_expanded_form",
    "poly_to_expanded_form",
]
