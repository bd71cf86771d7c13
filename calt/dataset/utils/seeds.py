"""Per-sample seeds derived from the root seed, the split name and the sample's global index."""

from __future__ import annotations

import hashlib

SEED_BITS = 63
"""Seeds fit in a signed 64-bit integer, so ``random.seed``, ``numpy.random.default_rng``
and ``torch.manual_seed`` all accept them."""


def sample_seed(root_seed: int, split: str, index: int) -> int:
    """Return the seed of sample ``index`` of ``split``.

    It depends only on these three values, never on the worker or the batch that
    produced the sample, which is what makes files identical for any ``n_jobs`` and
    ``batch_size``. Different splits get unrelated seeds, so train and test do not
    share samples by construction.
    """
    key = f"calt:{root_seed}:{split}:{index}".encode()
    digest = hashlib.blake2b(key, digest_size=8).digest()
    return int.from_bytes(digest, "big") >> (64 - SEED_BITS)
