"""Bases of ideals drawn directly ("backward" generation): Groebner bases in shape position
(Kera et al., NeurIPS 2024) and border bases (Kera et al., NeurIPS 2025).

Pair one with an ideal-invariant transform (``..ideal_invariant_transformer``) to get a
generating set F of the same ideal, hence a training pair (F, G).
"""

from .border import BorderBasisSampler
from .groebner import GroebnerBasisSampler

__all__ = ["BorderBasisSampler", "GroebnerBasisSampler"]
