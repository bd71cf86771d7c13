"""``TokenIdStore``: the token ids of every sample in two flat arrays (values + offsets).

Encoding happens once, at build time. Large stores live in memory-mapped ``.npy`` files, so a second
build is near instant and DataLoader workers and DDP ranks share one copy.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from calt.atomic import atomic_path, write_json_atomic


class TokenIdStore:
    """Ragged int32 id sequences: ``store[i]`` is the ids of sample ``i`` as a numpy view."""

    def __init__(self, values: np.ndarray, offsets: np.ndarray) -> None:
        self.values = values
        self.offsets = offsets

    @classmethod
    def from_lists(cls, sequences: list[list[int]]) -> "TokenIdStore":
        lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
        offsets = np.zeros(len(sequences) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        values = np.fromiter(itertools.chain.from_iterable(sequences), dtype=np.int32, count=int(offsets[-1]))
        return cls(values, offsets)

    @classmethod
    def concatenate(cls, stores: list["TokenIdStore"]) -> "TokenIdStore":
        """The samples of ``stores`` one after the other, in one store."""
        if len(stores) == 1:
            return stores[0]
        offsets, end = [np.zeros(1, dtype=np.int64)], 0
        for store in stores:
            offsets.append(store.offsets[1:] - store.offsets[0] + end)
            end += int(store.offsets[-1] - store.offsets[0])
        values = [store.values[store.offsets[0]:store.offsets[-1]] for store in stores]
        values = np.concatenate(values) if values else np.zeros(0, dtype=np.int32)
        return cls(values, np.concatenate(offsets))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> np.ndarray:
        return self.values[self.offsets[index] : self.offsets[index + 1]]

    def gather_padded(self, indices: np.ndarray, pad_value: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows ``indices`` right-padded to their longest: (B, L) int64 ids and the 0/1 mask, in one
        vectorised gather (no per-row Python loop)."""
        indices = np.asarray(indices, dtype=np.int64)
        starts = self.offsets[indices]
        lengths = self.offsets[indices + 1] - starts
        columns = np.arange(int(lengths.max()) if len(indices) else 0)
        mask = columns[None, :] < lengths[:, None]
        gathered = np.take(self.values, starts[:, None] + columns[None, :], mode="clip")
        return np.where(mask, gathered, pad_value).astype(np.int64), mask.astype(np.int64)

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def select(self, count: int) -> "TokenIdStore":
        """The first ``count`` samples (a view)."""
        return TokenIdStore(self.values[: self.offsets[count]], self.offsets[: count + 1])


def column_path(manifest: Path, column: str) -> Path:
    """The ``.npy`` file of one column of the cache whose manifest is ``manifest``."""
    return manifest.with_name(f"{manifest.stem}.{column}.npy")


def save_stores(path: Path, stores: dict[str, TokenIdStore], texts: dict[str, list[str] | np.ndarray] | None = None
                ) -> None:
    """Write named stores, and named columns of strings (lists) or integers (int64 arrays), as ``.npy`` files
    beside ``path``, each atomically, then ``path``: the JSON manifest that names them, so that a cache without it
    (an interrupted write) is never read. numpy's own format: no Arrow import (25 MiB) in the training process."""
    arrays, kinds = {}, {}
    for name, store in stores.items():
        arrays[f"{name}.values"] = store.values[store.offsets[0]:store.offsets[-1]].astype(np.int32, copy=False)
        arrays[f"{name}.offsets"] = (store.offsets - store.offsets[0]).astype(np.int64, copy=False)
        kinds[name] = "ids"
    for name, values in (texts or {}).items():
        if isinstance(values, np.ndarray):
            arrays[name], kinds[name] = values.astype(np.int64, copy=False), "integers"
            continue
        encoded = [text.encode("utf-8") for text in values]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
        arrays[f"{name}.utf8"] = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        arrays[f"{name}.offsets"], kinds[name] = offsets, "strings"
    for column, array in arrays.items():
        with atomic_path(column_path(path, column)) as temporary, open(temporary, "wb") as handle:
            np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
    write_json_atomic(path, {"calt_token_cache": 1, "columns": kinds})


def _columns(path: Path) -> dict[str, str]:
    return json.loads(Path(path).read_text())["columns"]


def _load(path: Path, column: str) -> np.ndarray:
    return np.load(column_path(path, column), mmap_mode="r", allow_pickle=False)


def load_stores(path: Path) -> dict[str, TokenIdStore]:
    """Memory-map the id columns of a cache written by ``save_stores`` (text columns are left out:
    ``load_texts`` reads them)."""
    return {name: TokenIdStore(_load(path, f"{name}.values"), _load(path, f"{name}.offsets"))
            for name, kind in _columns(path).items() if kind == "ids"}


def load_texts(path: Path, names: tuple[str, ...]) -> dict[str, list] | None:
    """The named string or integer columns of a cache written by ``save_stores`` as lists; None if one is missing."""
    columns = _columns(path)
    if any(columns.get(name) not in ("strings", "integers") for name in names):
        return None
    texts = {}
    for name in names:
        if columns[name] == "integers":
            texts[name] = _load(path, name).tolist()
            continue
        data, offsets = _load(path, f"{name}.utf8").tobytes(), _load(path, f"{name}.offsets").tolist()
        texts[name] = [data[start:end].decode("utf-8") for start, end in zip(offsets, offsets[1:])]
    return texts
