"""Ideal-invariant transforms: from a basis G of an ideal, a random generating set F with <F> = <G>.

- ``GroebnerIdealTransformer``: ``F = U * P * A * G`` with unimodular triangular ``U``, ``A`` and a
  permutation ``P`` (Kera et al., NeurIPS 2024).
- ``BorderIdealTransformer``: ``F = A * G`` with a random ``A`` (Kera et al., NeurIPS 2025).
"""

from .border import BorderIdealTransformer
from .groebner import GroebnerIdealTransformer

__all__ = ["BorderIdealTransformer", "GroebnerIdealTransformer"]
