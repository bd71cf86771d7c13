"""Loading a saved model and its tokenizer: calt's own save_dirs and calt-x 1.5.0's, either folder layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .generic import register_generic_with_auto_classes
from .generic.calt_x_compat import locate_model_and_tokenizer


def load_model_and_tokenizer(save_dir: str | Path) -> tuple[Any, Any]:
    """The model (generic or BART, saved by calt or calt-x) and tokenizer of ``save_dir``: ``model/`` and
    ``tokenizer/`` subfolders when present (calt-x's layout), else the files in ``save_dir`` itself."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    register_generic_with_auto_classes()
    model_dir, tokenizer_dir = locate_model_and_tokenizer(save_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(str(model_dir))
    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    return model, tokenizer
