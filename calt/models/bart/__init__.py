"""BART (``transformers.BartForConditionalGeneration``) configured from calt's ``model`` block."""

from .config_mapping import create_bart_config
from .loader import BartLoader

__all__ = ["BartLoader", "create_bart_config"]
