"""Sage sampler calls and dataset generators that run unchanged under calt-x 1.5.0 and calt.

``tests/fixtures/calt_x_1_5_0/sage/record.py`` runs them with the original to write the
fixtures; the tests run them with calt and compare. Only names that both libraries define
at the same module paths are used.
"""

from __future__ import annotations

import random

import numpy as np
from sage.all__sagemath_singular import GF, QQ, ZZ, Integer, PolynomialRing, matrix, set_random_seed

from calt.dataset.sagemath.utils.ideal_invariant_transformer import BorderIdealTransformer, GroebnerIdealTransformer
from calt.dataset.sagemath.utils.ideal_sampler import BorderBasisSampler, GroebnerBasisSampler
from calt.dataset.sagemath.utils.polynomial_sampler import PolynomialSampler

SEEDS = (0, 7, 2**127 + 5)  # 128-bit seeds like the per-sample ones of both DatasetGenerators


def seed_all(seed: int) -> None:
    """Seed every random state the samplers draw from: Sage's, Python's and NumPy's."""
    set_random_seed(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)


def strings(value):
    """Sage output → JSON-able strings (lists kept, everything else ``str``)."""
    if isinstance(value, (list, tuple)):
        return [strings(v) for v in value]
    return str(value)


def _poly(**options):
    return PolynomialSampler(**options).sample


def poly_gf7_2vars():
    return _poly(symbols="x, y", field_str="GF(7)", order="degrevlex", max_num_terms=4, max_degree=3)(4)


def poly_qq_fixed_sampling():
    return _poly(symbols="x0, x1, x2", field_str="QQ", order="grevlex", max_num_terms=3, max_degree=2,
                 degree_sampling="fixed", term_sampling="fixed", num_bound=5)(3)


def poly_zz_loose():
    return _poly(symbols="x, y, z", field_str="ZZ", order="lex", max_num_terms=4, max_degree=3, min_degree=1,
                 max_coeff=3, nonzero_coeff=False, strictly_conditioned=False)(4)


def poly_rr():
    return _poly(symbols="a, b", field_str="RR", order="degrevlex", max_num_terms=2, max_degree=2, max_coeff=5)(2)


def poly_univariate_zz():
    return _poly(symbols="x", field_str="ZZ", max_num_terms=4, max_degree=4, min_degree=1)(3)


def poly_univariate_gf5():
    return _poly(symbols="t", field_str="GF5", order="degrevlex", max_num_terms=None, max_degree=3,
                 nonzero_coeff=False, strictly_conditioned=False)(3)


def poly_given_ring():
    ring = PolynomialRing(GF(11), "a, b", order="lex")
    return _poly(ring=ring, order=None, max_num_terms=3, max_degree=2)(3)


def matrix_with_density():
    sampler = PolynomialSampler(symbols="x, y", field_str="GF(7)", order="degrevlex", max_num_terms=2, max_degree=2)
    return sampler.sample(2, size=(2, 3), density=0.5)


def matrix_unimodular():
    sampler = PolynomialSampler(symbols="x, y", field_str="QQ", order="degrevlex", max_num_terms=2, max_degree=1)
    return sampler.sample(1, size=(3, 3), matrix_type="unimodular_upper_triangular")


def groebner_gf7():
    ring = PolynomialRing(GF(7), "x, y, z", order="lex")
    return GroebnerBasisSampler(ring, max_degree=3, max_num_terms=3).sample(2)


def groebner_qq_univariate_tail():
    ring = PolynomialRing(QQ, "x, y", order="lex")
    return GroebnerBasisSampler(ring, max_degree=2, num_bound=5, degree_sampling="fixed").sample(1)


def groebner_transform_gf7():
    ring = PolynomialRing(GF(7), "x, y", order="lex")
    basis = GroebnerBasisSampler(ring, max_degree=2, max_num_terms=2).sample(1)[0]
    return [basis, GroebnerIdealTransformer(ring, max_size=4, density=0.7).transform(basis)]


def groebner_transform_qq():
    ring = PolynomialRing(QQ, "x, y", order="lex")
    basis = GroebnerBasisSampler(ring, max_degree=2, max_num_terms=2, num_bound=3).sample(1)[0]
    transformer = GroebnerIdealTransformer(ring, max_size=3, num_bound=3, max_num_terms=2, coeff_bound=50)
    return [basis, transformer.transform(basis)]


def border_gf31():
    ring = PolynomialRing(GF(31), "x, y", order="degrevlex")
    record = BorderBasisSampler(ring).random_border_basis([3, 3])
    return [record["basis"], record["border"], record["order"], record["points"], record["success"]]


def border_total_degree():
    ring = PolynomialRing(GF(31), "x, y, z", order="degrevlex")
    return BorderBasisSampler(ring).sample(1, [2, 2, 2], total_degree_bound=3)


def border_qq():
    ring = PolynomialRing(QQ, "x, y", order="degrevlex")
    return BorderBasisSampler(ring).sample(1, [2, 3])


def border_transforms():
    ring = PolynomialRing(GF(31), "x, y", order="degrevlex")
    basis = BorderBasisSampler(ring).sample(1, [2, 2])[0]
    constant = BorderIdealTransformer(ring, max_size=3, max_degree=0).transform(basis)
    kept = BorderIdealTransformer(ring, max_size=4, identity_block=True, density=0.5).transform(basis)
    return [basis, constant, kept]


SAMPLER_CASES = {
    f.__name__: f
    for f in (
        poly_gf7_2vars, poly_qq_fixed_sampling, poly_zz_loose, poly_rr, poly_univariate_zz, poly_univariate_gf5,
        poly_given_ring, matrix_with_density, matrix_unimodular, groebner_gf7, groebner_qq_univariate_tail,
        groebner_transform_gf7, groebner_transform_qq, border_gf31, border_total_degree, border_qq,
        border_transforms,
    )
}


def run_sampler_case(name: str, seed: int):
    """The strings a sampler case gives for ``seed``."""
    seed_all(seed)
    return strings(SAMPLER_CASES[name]())


# ---- dataset generators: each seeds what it uses, as the original's examples do ------------------
def polynomial_sum_generator(seed: int):
    """Polynomials over GF(7) in x0, x1 and their cumulative sums (the shape of the addition example)."""
    random.seed(seed)
    set_random_seed(seed)
    sampler = PolynomialSampler(symbols="x0, x1", field_str="GF(7)", order="degrevlex", max_num_terms=3,
                                max_degree=2, min_degree=1)
    polynomials = sampler.sample(random.randint(2, 4))
    return polynomials, [sum(polynomials[: i + 1]) for i in range(len(polynomials))]


def mixed_structure_generator(seed: int):
    """Nested lists, a tuple, an ideal, a Sage integer and a factorization, written as the original writes them."""
    set_random_seed(seed)
    ring = PolynomialRing(ZZ, "x, y", order="degrevlex")
    f, g = (ring.random_element(degree=2, terms=3) for _ in range(2))
    problem = [[f, g], f * g, (f, Integer(seed % 97))]
    answer = [ring.ideal([f, g]), (f * g).factor() if f * g != 0 else Integer(0)]
    return problem, answer


def matrix_generator(seed: int):
    """A polynomial matrix: its multi-line text fits JSON Lines only."""
    set_random_seed(seed)
    ring = PolynomialRing(GF(5), "x", order="degrevlex")
    entries = [ring.random_element(degree=1) for _ in range(4)]
    return matrix(ring, 2, 2, entries), entries[0]


DATASET_CASES = {
    # name: (generator, dataset sizes, save_text)
    "polynomial_sum": (polynomial_sum_generator, {"train": 8, "test": 4}, True),
    "mixed_structure": (mixed_structure_generator, {"train": 5}, True),
    "matrix": (matrix_generator, {"train": 3}, False),
}
DATASET_ROOT_SEED = 1234


# ---- display_with_diff: (gold, pred, variable names or None); recorded as the original's LaTeX --------
DISPLAY_CASES = {
    "sage_strings": ("4*x0+4*x1", "4*x0+3*x1+x0^2", None),
    "tokens": ("C3 E2 E0 C-1 E0 E1", "C3 E2 E0 C2 E0 E1 C5 E1 E1", None),
    "tokens_three_vars": ("C1 E1 E1 E0 C-3 E0 E0 E2", "C1 E1 E1 E0 C-4 E0 E0 E2 C2 E0 E0 E0", None),
    "zero_prediction": ("x0", "0", None),
    "negative_coefficient_wrong": ("-2*x0 + x1^3", "-3*x0 + x1^3 - 7", None),
    "extra_negative_term": ("x0*x1", "x0*x1 - 3*x1^2", None),
    "symbol_var_order": ("x*y + 2", "x*y + 5", ("x", "y")),  # passed as SymPy symbols
}


# ---- FormatChecker: lines checked one at a time with variables x, y, z; recorded as calt-x's verdicts --
FORMAT_CHECK_LINES = (
    "x^2 + y^2 # x^2 + y^2", "x + y | z + 1 # x + y | z + 1", "x^3 + 2*x*y || y^2 + z # 1/2*x", "217 # 7 | 31",
    "x + w # y", "x ^ # y", "x y", "# 1", "1 #", "1.5*x # 2e3", "x |  | y # 1", "sin(x) # 1", "x/y # 1",
    "(x+1)^2 # 1", "1/0 # 1", "x # y # z",
)


# ---- SinglePolynomialSampler (SymPy rings, Python's random): (ring, domain, random_element options) ---------
SINGLE_SAMPLER_CASES = {
    "zz_few_terms_uniform": ("x, y, z", "ZZ", dict(degree=4, terms=3)),
    "zz_few_terms_by_degree": ("x, y, z", "ZZ", dict(degree=4, terms=3, choose_degree=True, min=-2, max=2)),
    "qq_many_terms_uniform": ("x, y", "QQ", dict(degree=2, terms=5, num_bound=4, non_zero_coeff=True)),
    "gf7_many_terms_by_degree": ("x, y", "GF(7)", dict(degree=2, terms=4, choose_degree=True)),
    "rr_default_terms": ("a, b", "RR", dict(degree=3)),
    "degree_zero": ("x", "GF(5)", dict(degree=0, non_zero_coeff=True)),
    "univariate_all_terms": ("t", "ZZ", dict(degree=3, terms=10)),
}


def run_single_sampler_case(name: str, seed: int) -> str:
    """``str`` of ``SinglePolynomialSampler().random_element`` for a case, after ``random.seed(seed)``."""
    from sympy import GF as SymPyGF
    from sympy import QQ as SymPyQQ
    from sympy import RR as SymPyRR
    from sympy import ZZ as SymPyZZ
    from sympy.polys.rings import ring

    from calt.dataset.sympy.utils.single_polynomial_sampler import SinglePolynomialSampler

    names, domain, options = SINGLE_SAMPLER_CASES[name]
    domains = {"ZZ": SymPyZZ, "QQ": SymPyQQ, "RR": SymPyRR}
    polynomial_ring = ring(names, domains.get(domain) or SymPyGF(int(domain[3:-1])))[0]
    random.seed(seed)
    return str(SinglePolynomialSampler().random_element(polynomial_ring, **options))
