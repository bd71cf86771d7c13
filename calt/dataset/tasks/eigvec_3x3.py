"""calt-x's ``eigvec_3x3`` example: a 3x3 symmetric positive semi-definite matrix and its leading eigenvector.

``M = round(AᵀA, 2)`` for ``A`` with standard normal entries; the answer is the unit eigenvector of the
largest eigenvalue, rounded to 2 decimals. Matrix rows are joined by ``;``, entries by ``,``:
``1.20,0.35,-0.10;0.35,2.04,0.71;-0.10,0.71,0.52 # 0.25,0.88,0.40``.
"""

from __future__ import annotations

import numpy as np

NUMPY_SEED_MODULUS = 2**32


def instance_generator(seed: int) -> tuple[str, str]:
    """A random matrix ``round(AᵀA, 2)`` and its eigenvector of the largest eigenvalue (unit length, 2 decimals)."""
    a = np.random.RandomState(seed % NUMPY_SEED_MODULUS).randn(3, 3)
    matrix = np.round(a.T @ a, 2)
    values, vectors = np.linalg.eigh(matrix)  # symmetric: real eigenvalues, ascending
    vector = vectors[:, int(np.argmax(values))]
    vector = np.round(vector / np.linalg.norm(vector), 2)
    rows = ";".join(_row(row) for row in matrix)
    return rows, _row(vector)


def _row(values: np.ndarray) -> str:
    return ",".join(f"{float(v):.2f}" for v in values)


def statistics_calculator(problem: str, answer: str) -> dict[str, dict[str, float]]:
    """Trace of the matrix; the largest absolute entry of the eigenvector."""
    matrix = [[float(v) for v in row.split(",")] for row in problem.split(";")]
    return {"problem": {"trace": round(sum(matrix[i][i] for i in range(3)), 2)},
            "answer": {"max_abs_entry": max(abs(float(v)) for v in answer.split(","))}}
