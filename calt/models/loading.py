"""Loading a saved model and its tokenizer: calt's own save_dirs and calt-x 1.5.0's, either folder layout."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from .calt_x_checkpoints import MARKER
from .generic import register_generic_with_auto_classes
from .generic.calt_x_compat import locate_model_and_tokenizer


def load_model_and_tokenizer(save_dir: str | Path) -> tuple[Any, Any]:
    """The model (any registered type, saved by calt or calt-x) and tokenizer of ``save_dir``: ``model/`` and
    ``tokenizer/`` subfolders when present (calt-x's layout), else the files in ``save_dir`` itself."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from .base import default_registry

    register_generic_with_auto_classes()
    model_dir, tokenizer_dir = locate_model_and_tokenizer(save_dir)
    check_model_files(model_dir)
    model_type = json.loads((model_dir / "config.json").read_text(encoding="utf-8")).get("model_type")
    model_class = default_registry().model_class_for(model_type) or AutoModelForSeq2SeqLM
    model = model_class.from_pretrained(str(model_dir))
    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    return model, tokenizer


def exported_by_calt_x(save_dir: str | Path) -> bool:
    """Whether the model exported to ``save_dir`` is in calt-x's format: its config.json has the field every
    calt-x model type writes and calt never does (``MARKER``)."""
    model_dir, _ = locate_model_and_tokenizer(save_dir)
    try:
        return MARKER in json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False


def zip_damage(path: Path) -> str | None:
    """Why ``path`` is not a complete zip archive (torch's checkpoint and ``.bin`` format), or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        return f"{type(error).__name__}: {error}"
    return f"member {bad} fails its checksum" if bad else None


def check_model_files(model_dir: Path) -> None:
    """ValueError naming the file when an exported model's config.json or weights file is damaged."""
    config = model_dir / "config.json"
    try:
        json.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{config} is damaged or missing ({error}); export the model again (save_model())") from error
    for weights in sorted(model_dir.glob("*.safetensors")):
        from safetensors import safe_open

        try:
            with safe_open(str(weights), framework="pt") as handle:
                for name in handle.keys():
                    handle.get_slice(name)
        except Exception as error:  # safetensors raises its own error types for a bad header or size
            raise ValueError(f"{weights} is damaged ({error}); export the model again (save_model())") from error
    for weights in sorted(model_dir.glob("*.bin")):
        reason = zip_damage(weights)
        if reason:
            raise ValueError(f"{weights} is damaged ({reason}); export the model again (save_model())")
