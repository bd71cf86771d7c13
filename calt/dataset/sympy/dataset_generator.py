"""The SymPy backend: runs any Python ``instance_generator`` and writes its output as calt-x does."""

from __future__ import annotations

import re
from typing import Any

from sympy.polys.rings import PolyElement

from ..generation import BaseDatasetGenerator
from ..utils.logging_setup import setup_logging  # noqa: F401  (calt-x name, importable here)

_MODULUS = re.compile(r" mod \d+")


def format_sympy_scalar(value: Any) -> str:
    """``str(value)``, except that ring polynomials (``PolyElement``) write powers as ``^`` and drop
    the `` mod p`` of GF(p) coefficients (``3 mod 7*x**2`` → ``3*x^2``), as calt-x 1.5.0 does.

    Other SymPy objects (``Poly``, expressions) keep their plain ``str``, also as calt-x does.
    """
    if isinstance(value, PolyElement):
        return _MODULUS.sub("", str(value)).replace("**", "^")
    return str(value)


class DatasetGenerator(BaseDatasetGenerator):
    """Generates train/test splits in parallel with the SymPy backend (the one every user has).

    ``DatasetGenerator(n_jobs=2, root_seed=0).run({"train": 1000, "test": 100}, instance_generator,
    save_dir="data/task")`` writes ``train_raw.txt``, ``train_data.jsonl``, ``train_stats.yaml``, ...
    """

    format_scalar = staticmethod(format_sympy_scalar)
