"""The SymPy backend: runs any Python ``instance_generator`` and writes SymPy objects readably."""

from __future__ import annotations

import re
from typing import Any

from sympy import Basic, Poly
from sympy.polys.rings import PolyElement

from ..generation import BaseDatasetGenerator
from ..utils.sample_format import format_plain_scalar

_MODULUS = re.compile(r" mod \d+")


def format_sympy_scalar(value: Any) -> str | None:
    """Strings and numbers as they are; SymPy polynomials and expressions with ``^`` for powers.

    Coefficients of GF(p) polynomials lose SymPy's `` mod p`` suffix (``3 mod 7*x**2`` → ``3*x^2``).
    """
    if isinstance(value, PolyElement):
        return _MODULUS.sub("", str(value)).replace("**", "^")
    if isinstance(value, Poly):
        return str(value.as_expr()).replace("**", "^")
    if isinstance(value, Basic):
        return str(value).replace("**", "^")
    return format_plain_scalar(value)


class DatasetGenerator(BaseDatasetGenerator):
    """Generates train/test splits in parallel with the SymPy backend (the one every user has).

    ``DatasetGenerator(n_jobs=2, root_seed=0).run({"train": 1000, "test": 100}, instance_generator,
    save_dir="data/task")`` writes ``train_raw.txt``, ``train_data.jsonl``, ``train_stats.yaml``, ...
    """

    format_scalar = staticmethod(format_sympy_scalar)
