"""``StandardDataCollator``: a list of samples → padded encoder / decoder tensors and labels."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .dataset import EncodedBatch
from .token_store import TokenIdStore

IGNORE_INDEX = -100


def pad_ids(sequences: list, pad_value: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad 1-D id sequences into a (B, L) long tensor and its attention mask."""
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    width = int(lengths.max()) if len(sequences) else 0
    ids = np.full((len(sequences), width), pad_value, dtype=np.int64)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
    mask = (np.arange(width)[None, :] < lengths[:, None]).astype(np.int64)
    return torch.from_numpy(ids), torch.from_numpy(mask)


class StandardDataCollator:
    """Builds ``input_ids``, ``attention_mask``, ``decoder_input_ids`` (target without its last id),
    ``decoder_attention_mask`` and ``labels`` (target without its first id, padding = -100).

    Accepts text items (``{"input", "target", "target_x"…}``, tokenized here) or id items from
    ``StandardDataset.encoded()`` (no tokenization: the fast path). ``target_x`` becomes ``decoder_x``.
    """

    def __init__(self, tokenizer: Any = None) -> None:
        if tokenizer is None:
            raise ValueError("StandardDataCollator needs the tokenizer (io_dict['tokenizer'])")
        self.tokenizer = tokenizer
        self.pad_id = tokenizer.pad_token_id

    def __call__(self, batch: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        if not len(batch):
            raise ValueError("cannot collate an empty batch")
        if isinstance(batch, EncodedBatch):  # straight from the DataLoader: pad in one gather
            input_ids, attention_mask = _padded(batch.input_ids, batch.indices, self.pad_id)
            target, target_mask = _padded(batch.target_ids, batch.indices, self.pad_id)
            return _seq2seq_fields(input_ids, attention_mask, target, target_mask)
        if "input_ids" in batch[0]:
            sources = [item["input_ids"] for item in batch]
            targets = [item["target_ids"] for item in batch]
            extras: dict[str, list] = {}
        else:
            sources = self._ids([item["input"] for item in batch])
            targets = self._ids([item["target"] for item in batch])
            extras = {
                key: self._ids([item[key] for item in batch])
                for key in batch[0]
                if key.startswith("target_") and key != "target_ids"
            }
        input_ids, attention_mask = pad_ids(sources, self.pad_id)
        target, target_mask = pad_ids(targets, self.pad_id)
        out = _seq2seq_fields(input_ids, attention_mask, target, target_mask)
        for key, ids in extras.items():
            padded, _ = pad_ids(ids, self.pad_id)
            out["decoder_" + key[len("target_") :]] = padded[:, :-1]
        return out

    def _ids(self, texts: list[str]) -> list[list[int]]:
        return self.tokenizer(texts, add_special_tokens=True)["input_ids"]


def _padded(store: TokenIdStore, indices: np.ndarray, pad_value: int) -> tuple[torch.Tensor, torch.Tensor]:
    ids, mask = store.gather_padded(indices, pad_value)
    return torch.from_numpy(ids), torch.from_numpy(mask)


def _seq2seq_fields(input_ids, attention_mask, target, target_mask) -> dict[str, torch.Tensor]:
    """Teacher forcing: the decoder reads the target without its last id and predicts it without its first."""
    labels = target[:, 1:].clone()
    labels[target_mask[:, 1:] == 0] = IGNORE_INDEX
    return {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "decoder_input_ids": target[:, :-1],
        "decoder_attention_mask": target_mask[:, :-1],
        "labels": labels,
    }
