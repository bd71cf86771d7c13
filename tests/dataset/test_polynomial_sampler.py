"""PolynomialSampler: domains, bounds, degree/term control, reproducibility."""

import random

import pytest
from sympy import QQ, RR, ZZ

from calt.dataset.sympy.utils.polynomial_sampler import PolynomialSampler


def test_zz_polynomials_respect_degree_terms_and_coefficient_bounds():
    sampler = PolynomialSampler("x, y, z", "ZZ", max_degree=4, min_degree=2, max_num_terms=5, max_coeff=3, seed=0)
    for poly in sampler.sample(200):
        assert poly.ring.domain == ZZ
        assert 2 <= sampler.total_degree(poly) <= 4
        assert 1 <= len(poly) <= 5
        assert all(0 < abs(int(c)) <= 3 for c in poly.coeffs())


def test_fixed_sampling_gives_exact_degree_and_number_of_terms():
    sampler = PolynomialSampler(
        "x, y", "GF(5)", max_degree=3, max_num_terms=4, degree_sampling="fixed", term_sampling="fixed", seed=1
    )
    for poly in sampler.sample(100):
        assert sampler.total_degree(poly) == 3 and len(poly) == 4
        assert all(int(c) % 5 != 0 for c in poly.coeffs())


def test_term_count_is_capped_by_the_available_monomials():
    sampler = PolynomialSampler("x", "QQ", max_degree=2, max_num_terms=None, term_sampling="fixed", degree_sampling="fixed", seed=2)
    poly = sampler.sample()[0]
    assert sorted(poly.monoms()) == [(0,), (1,), (2,)]


def test_qq_and_rr_coefficients_stay_within_bounds():
    for poly in PolynomialSampler("x", "QQ", num_bound=4, seed=3).sample(50):
        assert poly.ring.domain == QQ
        assert all(abs(c.numerator) <= 4 and 1 <= c.denominator <= 4 for c in poly.coeffs())
    poly = PolynomialSampler("x", "RR", max_coeff=2, seed=3).sample()[0]
    assert poly.ring.domain == RR and all(abs(float(c)) <= 2 for c in poly.coeffs())


def test_same_seed_same_polynomials_and_global_random_is_used_without_seed():
    kwargs = dict(symbols="x, y", field_str="ZZ", max_degree=3)
    assert PolynomialSampler(**kwargs, seed=7).sample(5) == PolynomialSampler(**kwargs, seed=7).sample(5)
    random.seed(11)
    first = PolynomialSampler(**kwargs).sample(5)
    random.seed(11)
    assert PolynomialSampler(**kwargs).sample(5) == first


def test_matrices_follow_density_and_type():
    sampler = PolynomialSampler("x", "ZZ", max_degree=2, seed=4)
    (empty,) = sampler.sample(size=(2, 3), density=0.0)
    assert empty.shape == (2, 3) and all(p == 0 for p in empty.flat)
    (unimodular,) = sampler.sample(size=(3, 3), matrix_type="unimodular_upper_triangular")
    assert [unimodular[i, i] for i in range(3)] == [1, 1, 1] and unimodular[2, 0] == 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(field_str="GF(6)"), "unsupported field_str"),
        (dict(field_str="CC"), "unsupported field_str"),
        (dict(field_str="ZZ", min_degree=4, max_degree=2), "min_degree"),
        (dict(field_str="ZZ", degree_sampling="gaussian"), "degree_sampling"),
        (dict(field_str="ZZ", max_num_terms=0), "max_num_terms"),
    ],
)
def test_invalid_settings_are_reported(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PolynomialSampler("x", **kwargs)
