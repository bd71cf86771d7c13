"""Checks shared by the ``model``-block mappings: head counts, and ids that the tokenizer decides."""

from __future__ import annotations

from typing import Any

from calt.config import ConfigError


def positive(value: Any, name: str) -> int:
    """``value`` when it is a positive integer; ConfigError naming ``model.name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"model.{name} must be a positive integer; got {value!r}")
    return value


def check_heads_divide(d_model: int, heads: int, heads_key: str) -> None:
    """ConfigError naming both keys when ``heads`` does not divide ``d_model``."""
    positive(d_model, "d_model")
    positive(heads, heads_key)
    if d_model % heads:
        raise ConfigError(
            f"model.d_model={d_model} is not divisible by model.{heads_key}={heads}; "
            "choose a head count that divides d_model."
        )


def special_token_ids(tokenizer: Any) -> dict[str, int]:
    """pad/bos/eos ids of ``tokenizer``; ValueError naming the token that is not set."""
    ids = {}
    for name in ("pad_token_id", "bos_token_id", "eos_token_id"):
        value = getattr(tokenizer, name, None)
        if value is None:
            raise ValueError(
                f"tokenizer has no {name}; calt models need pad, bos and eos tokens "
                "(keep flags.include_base_special_tokens: true in lexer.yaml)."
            )
        ids[name] = value
    return ids


def vocabulary_ids(block: Any, tokenizer: Any, fallback: dict[str, int]) -> dict[str, int]:
    """vocab_size and special-token ids: the tokenizer's when there is one (a different explicit value in the
    block is an error), else the block's or ``fallback``; decoding starts with BOS."""
    if tokenizer is None:
        values = {name: getattr(block, name) if getattr(block, name) is not None else default
                  for name, default in fallback.items()}
    else:
        values = {"vocab_size": len(tokenizer), **special_token_ids(tokenizer)}
        for name, value in values.items():
            given = getattr(block, name, None)
            if given is not None and given != value:
                raise ConfigError(f"model.{name}={given} disagrees with the tokenizer ({value}); remove model.{name}, "
                                  "the tokenizer decides it.")
    values["decoder_start_token_id"] = values["bos_token_id"]
    return values


BYTES_PER_PARAMETER = 16
"""fp32 weights, gradients and the two Adam moments: what one parameter costs while training."""


def encoder_decoder_parameters(sizes: dict[str, int], vocab_size: int) -> int:
    """Approximate parameter count of an encoder–decoder Transformer with these ``model`` sizes: attention and
    feed-forward weights per layer (the decoder's cross-attention too), token and position embeddings."""
    d_model = sizes["d_model"]
    encoder = sizes["num_encoder_layers"] * (4 * d_model**2 + 2 * d_model * sizes["encoder_ffn_dim"])
    decoder = sizes["num_decoder_layers"] * (8 * d_model**2 + 2 * d_model * sizes["decoder_ffn_dim"])
    return encoder + decoder + (2 * vocab_size + sizes["max_sequence_length"]) * d_model


def check_model_fits_memory(sizes: dict[str, int], vocab_size: int) -> None:
    """ConfigError naming the ``model`` size key that matters most when training the model would need more
    memory than this machine has (RAM or the largest GPU), before any tensor is allocated."""
    needed = encoder_decoder_parameters(sizes, vocab_size) * BYTES_PER_PARAMETER
    available = memory_bytes()
    if needed <= available:
        return
    shrunk = {name: encoder_decoder_parameters({**sizes, name: 1}, vocab_size) for name in sizes}
    culprit = min(shrunk, key=shrunk.get)
    raise ConfigError(
        f"model.{culprit}={sizes[culprit]} makes a model of about {approximately(needed // BYTES_PER_PARAMETER)} "
        f"parameters ({approximately(needed // 2**30)} GiB to train), more than this machine's "
        f"{available / 2**30:.3g} GiB of memory; make model.{culprit} smaller"
    )


def approximately(count: int) -> str:
    """``1.23e+45`` for any integer, however large (a float cannot hold every Python int)."""
    digits = str(count)
    return f"{count:.3g}" if len(digits) < 300 else f"{digits[0]}.{digits[1:3]}e+{len(digits) - 1}"


def memory_bytes() -> int:
    """The larger of the physical RAM and the largest GPU's memory."""
    import os

    import torch

    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    gpus = [torch.cuda.get_device_properties(i).total_memory for i in range(torch.cuda.device_count())]
    return max([ram, *gpus])
