"""``TokenIdStore``: the token ids of every sample in two flat arrays (values + offsets).

Encoding happens once, at build time. Large stores live in an Arrow IPC file that is memory
mapped, so a second build is near instant and DataLoader workers and DDP ranks share one copy.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from calt.atomic import atomic_path


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


def _arrow_array(values: np.ndarray, arrow_type):
    """A zero-copy Arrow view of a contiguous numpy array (``pa.array`` would import pandas to inspect it)."""
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(arrow_type, len(values), [None, pa.py_buffer(values)])


def save_stores(path: Path, stores: dict[str, TokenIdStore], texts: dict[str, list[str] | np.ndarray] | None = None
                ) -> None:
    """Write named stores, and named columns of strings (lists) or integers (int64 arrays), as one Arrow IPC
    file, atomically (``calt.atomic``)."""
    import pyarrow as pa  # only large datasets are cached, so small runs never load Arrow

    columns = {
        name: pa.LargeListArray.from_arrays(_arrow_array(s.offsets.astype(np.int64, copy=False), pa.int64()),
                                            _arrow_array(s.values.astype(np.int32, copy=False), pa.int32()))
        for name, s in stores.items()
    }
    for name, values in (texts or {}).items():
        columns[name] = (_arrow_array(values.astype(np.int64, copy=False), pa.int64()) if isinstance(values, np.ndarray)
                         else pa.array(values, type=pa.large_string()))
    table = pa.table(columns)
    with atomic_path(path) as temporary, pa.OSFile(str(temporary), "wb") as sink, \
            pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _open_table(path: Path):
    import pyarrow as pa

    return pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all()


def load_stores(path: Path) -> dict[str, TokenIdStore]:
    """Memory-map the id columns of an Arrow file written by ``save_stores``; zero copy, straight from the
    Arrow buffers (text columns are left out: ``load_texts`` reads them)."""
    import pyarrow as pa

    table = _open_table(path)
    stores = {}
    for name in table.column_names:
        column = table.column(name).combine_chunks()
        if not pa.types.is_large_list(column.type):
            continue
        _, offsets, _, values = column.buffers()
        offsets = np.frombuffer(offsets, dtype=np.int64)[column.offset : column.offset + len(column) + 1]
        stores[name] = TokenIdStore(np.frombuffer(values, dtype=np.int32), offsets)
    return stores


def load_texts(path: Path, names: tuple[str, ...]) -> dict[str, list] | None:
    """The named string or integer columns of a file written by ``save_stores`` as lists; None if one is missing."""
    table = _open_table(path)
    if any(name not in table.column_names for name in names):
        return None
    return {name: table.column(name).to_pylist() for name in names}
