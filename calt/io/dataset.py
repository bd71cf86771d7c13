"""``StandardDataset``: problem/answer pairs, lexed on access, token ids stored once after ``encode``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable

import numpy as np
from torch.utils.data import Dataset

from .token_store import TokenIdStore


class StandardDataset(Dataset):
    """``ds[i] == {"input": lexed problem, "target": lexed answer}`` (plus any ``target_x`` extra fields).

    ``input_texts`` / ``target_texts`` keep the raw strings. After ``encode(tokenizer)`` the ids of every
    sample are held in compact arrays and ``encoded()`` serves them to DataLoaders.
    """

    def __init__(
        self,
        input_texts: list[str],
        target_texts: list[str],
        preprocessor: Callable[[str], str] | Any | None = None,
        **extra_fields: list[str],
    ) -> None:
        if len(input_texts) != len(target_texts):
            raise ValueError(f"{len(input_texts)} inputs but {len(target_texts)} targets")
        for name, values in extra_fields.items():
            if len(values) != len(input_texts):
                raise ValueError(f"extra field {name!r} has {len(values)} values for {len(input_texts)} samples")
        self.input_texts = list(input_texts)
        self.target_texts = list(target_texts)
        self.preprocessor = preprocessor
        self.extra_fields = dict(extra_fields)
        self.input_ids: TokenIdStore | None = None
        self.target_ids: TokenIdStore | None = None
        self.source_path: str | None = None
        self.line_numbers: list[int] | None = None

    def set_source(self, path: str, line_numbers: list[int]) -> None:
        """The file the samples came from and the line (or record) number of each, for error messages."""
        if len(line_numbers) != len(self):
            raise ValueError(f"{len(line_numbers)} line numbers for {len(self)} samples")
        self.source_path, self.line_numbers = str(path), list(line_numbers)

    @classmethod
    def load_file(
        cls,
        data_path: str,
        preprocessor: Any | None = None,
        max_samples: int | None = None,
        use_jsonl: bool = False,
        use_pickle: bool = False,
        dataset_load_preprocessor: Any | None = None,
    ) -> "StandardDataset":
        """Read up to ``max_samples`` (None or -1: all) samples of a text / JSONL / pickle file.

        The format comes from the flags or the file's extension (see ``calt.io.readers``); pickle
        runs code from the file, so read only trusted pickle files. No ids are stored: build
        through ``IOPipeline`` for the encoded view.
        """
        from .readers import detect_format, read_samples

        fmt = detect_format(data_path, use_jsonl, use_pickle)
        samples = read_samples(data_path, max_samples, dataset_load_preprocessor, fmt)
        return cls(samples.problems, samples.answers, preprocessor)

    def __len__(self) -> int:
        return len(self.input_texts)

    def __getitem__(self, idx: int) -> dict[str, str]:
        item = {"input": self._lex(self.input_texts[idx]), "target": self._lex(self.target_texts[idx])}
        for name, values in self.extra_fields.items():
            item[name] = self._lex(values[idx])
        return item

    def _lex(self, text: str) -> str:
        if self.preprocessor is None:
            return text
        encode = getattr(self.preprocessor, "encode", self.preprocessor)
        return encode(text)

    # --- token ids --------------------------------------------------------------------------
    def set_token_ids(self, input_ids: TokenIdStore, target_ids: TokenIdStore) -> None:
        """Attach the ids computed at build time (same order and length as the texts)."""
        if len(input_ids) != len(self) or len(target_ids) != len(self):
            raise ValueError("token id stores do not match the dataset length")
        self.input_ids, self.target_ids = input_ids, target_ids

    def encoded(self) -> "EncodedDataset":
        """The id view used by DataLoaders; requires ids from ``IOPipeline.build()``."""
        if self.input_ids is None or self.target_ids is None:
            raise RuntimeError("this dataset holds no token ids yet; build it with IOPipeline(...).build()")
        return EncodedDataset(self.input_ids, self.target_ids)

    def target_lengths(self) -> np.ndarray:
        """Token count of every target, <s> and </s> included (needs ids)."""
        return self.encoded().target_ids.lengths()


class EncodedDataset(Dataset):
    """Items ``{"input_ids", "target_ids"}`` (int32 numpy views, <s> … </s> included)."""

    def __init__(self, input_ids: TokenIdStore, target_ids: TokenIdStore) -> None:
        self.input_ids = input_ids
        self.target_ids = target_ids

    def __len__(self) -> int:
        return len(self.input_ids)

    def __getitem__(self, index: int) -> dict[str, np.ndarray]:
        return {"input_ids": self.input_ids[index], "target_ids": self.target_ids[index]}

    def __getitems__(self, indices: list[int]) -> "EncodedBatch":
        """What a DataLoader fetches per batch: the rows stay in the stores until the collator pads them."""
        return EncodedBatch(self.input_ids, self.target_ids, np.asarray(indices, dtype=np.int64))


class EncodedBatch(Sequence):
    """A batch of ``EncodedDataset`` rows, read as a list of id items or padded in one gather
    (``StandardDataCollator`` does the latter: the fast path for training)."""

    def __init__(self, input_ids: TokenIdStore, target_ids: TokenIdStore, indices: np.ndarray) -> None:
        self.input_ids, self.target_ids, self.indices = input_ids, target_ids, indices

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, position: int) -> dict[str, np.ndarray]:  # type: ignore[override]
        index = self.indices[position]
        return {"input_ids": self.input_ids[index], "target_ids": self.target_ids[index]}
