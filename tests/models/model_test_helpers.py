"""Helpers for calt.models tests: tiny ``model`` blocks and hand-padded batches."""

from __future__ import annotations

import torch
from omegaconf import OmegaConf


def model_block(**overrides):
    """A small ``model`` block of train.yaml as a DictConfig."""
    block = dict(
        model_type="generic",
        num_encoder_layers=2,
        num_encoder_heads=4,
        num_decoder_layers=2,
        num_decoder_heads=4,
        d_model=32,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_sequence_length=48,
        dropout=0.0,
    )
    block.update(overrides)
    return OmegaConf.create(block)


def encode_batch(tokenizer, texts, padding_side="right"):
    """(input_ids, attention_mask) for ``texts``, padded on ``padding_side``."""
    encoded = [tokenizer(text)["input_ids"] for text in texts]
    width = max(map(len, encoded))
    ids = torch.full((len(texts), width), tokenizer.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(texts), width), dtype=torch.long)
    for row, tokens in enumerate(encoded):
        span = slice(0, len(tokens)) if padding_side == "right" else slice(width - len(tokens), width)
        ids[row, span] = torch.tensor(tokens)
        mask[row, span] = 1
    return ids, mask
