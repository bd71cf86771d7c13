"""Dataset checks before training: Sage-parsable problems and answers, and out-of-vocabulary tokens.

``FormatChecker`` needs SageMath (``pip install 'calt[sage]'``); ``validate_dataset_tokens`` does not.
"""

from .format_checker import FormatChecker
from .vocab_validator import validate_dataset_tokens

__all__ = ["FormatChecker", "validate_dataset_tokens"]
