"""Per-sample seeds derived from the root seed, the split name and the sample's global index.

The derivation is calt-x 1.5.0's, so a ``root_seed`` gives the same samples under both
libraries: SHA-256 of ``"{root_seed}_{split}_{index}"``, first 16 bytes read big-endian.
Every backend (SymPy, SageMath) draws its seeds here.
"""

from __future__ import annotations

import hashlib

SEED_BYTES = 16
"""Seeds are 128-bit non-negative integers. ``random.Random`` and ``numpy.random.default_rng``
accept them; ``torch.manual_seed`` and ``numpy.random.seed`` need ``seed % 2**32`` or similar."""


def sample_seed(root_seed: int, split: str, index: int) -> int:
    """Return the seed of sample ``index`` (0-based, counted over the whole split) of ``split``.

    It depends only on these three values, never on the worker or the batch that produced
    the sample, which is what makes files identical for any ``n_jobs`` and ``batch_size``.
    """
    key = f"{root_seed}_{split}_{index}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:SEED_BYTES], "big")
