"""BART (``transformers.BartForConditionalGeneration``) configured from calt's ``model`` block."""

from .config_mapping import create_bart_config

__all__ = ["create_bart_config"]
