"""The SageMath backend: the shared parallel engine, with Sage's random state seeded per sample when needed.

Sage elements are written with ``str``, as calt-x 1.5.0 writes them: a polynomial as
``3*x^2 - y``, a matrix as its rows ``[1 2]\\n[3 4]`` (only JSON Lines can hold the line break),
an ideal as ``Ideal (x, y) of Multivariate Polynomial Ring in ...``.
"""

from __future__ import annotations

import random
from typing import Any, Callable

import numpy as np

from ..backends import require_sage
from ..generation import BaseDatasetGenerator
from ..utils.logging_setup import setup_logging  # noqa: F401  (calt-x name, importable here)

_sage = require_sage("backend 'sagemath'", "or set `backend: sympy` in data.yaml")

NUMPY_SEED_MODULUS = 2**32


class UnwritableSampleError(TypeError):
    """A problem or answer holds an object that has no text form."""


def format_sage_scalar(value: Any) -> str:
    """``str(value)``, as calt-x does; an object with no real text form is an error that shows its type.

    No text form: ``str`` raises, or falls back to Python's default ``<... object at 0x...>``,
    which would write a memory address (different on every run) into the dataset.
    """
    kind = type(value)
    try:
        text = str(value)
    except Exception as exc:
        raise UnwritableSampleError(
            f"cannot write a {kind.__module__}.{kind.__qualname__} as text: str() raised "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if text.startswith("<") and text.endswith(f" object at 0x{id(value):x}>"):
        raise UnwritableSampleError(
            f"cannot write a {kind.__module__}.{kind.__qualname__} as text: it has no str/repr of its own "
            f"({text}); return polynomials, numbers, strings or lists of them"
        )
    return text


class SageSeededGenerator:
    """Calls ``instance_generator(seed)`` with NumPy's global random state, and Sage's when needed, seeded by ``seed``.

    Seeding Sage costs about 0.4 ms, more than many generators take, and is useless for the
    generators that seed Sage themselves (as calt-x's examples do) or never draw from it. So
    the first sample of each process is generated twice, under two different Sage seeds: if
    the outputs differ, the generator depends on Sage's global state and every later sample
    gets Sage seeded with its own seed first; if not, Sage is left alone. Either way the
    files depend only on ``root_seed``.
    """

    def __init__(self, instance_generator: Callable[[int], Any]) -> None:
        self.instance_generator = instance_generator
        self.needs_sage_seed: bool | None = None  # decided on the first sample

    def __call__(self, seed: int) -> Any:
        if self.needs_sage_seed is None:
            return self._probe(seed)
        np.random.seed(seed % NUMPY_SEED_MODULUS)
        if self.needs_sage_seed:
            _sage.set_random_seed(seed)
        return self.instance_generator(seed)

    def _probe(self, seed: int) -> Any:
        other = self._run_seeded(seed, sage_seed=seed + 1)
        output = self._run_seeded(seed, sage_seed=seed)
        first, second = _fingerprint(other), _fingerprint(output)
        self.needs_sage_seed = first is None or first != second
        return output

    def _run_seeded(self, seed: int, sage_seed: int) -> Any:
        random.seed(seed)  # as the engine seeded it before this call
        np.random.seed(seed % NUMPY_SEED_MODULUS)
        _sage.set_random_seed(sage_seed)
        return self.instance_generator(seed)


def _fingerprint(output: Any) -> str | None:
    """``repr`` of a generator's output, to tell two runs apart; None if it has none (a memory address)."""
    try:
        text = repr(output)
    except Exception:
        return None
    return None if " object at 0x" in text else text


class DatasetGenerator(BaseDatasetGenerator):
    """Generates train/test splits in parallel from an ``instance_generator`` that returns Sage objects.

    ``DatasetGenerator(n_jobs=2, root_seed=0).run({"train": 1000, "test": 100}, instance_generator,
    save_dir="data/task")`` writes ``train_raw.txt``, ``train_data.jsonl``, ``train_stats.yaml``, ...
    """

    format_scalar = staticmethod(format_sage_scalar)

    def run(self, dataset_sizes: dict[str, int], instance_generator: Callable[[int], Any], *args, **kwargs):
        """As ``BaseDatasetGenerator.run``, with the random states seeded per sample (see ``SageSeededGenerator``)."""
        if callable(instance_generator):
            instance_generator = SageSeededGenerator(instance_generator)
        return super().run(dataset_sizes, instance_generator, *args, **kwargs)
