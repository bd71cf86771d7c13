"""What the Sage samplers promise: degrees and term counts, Groebner/border bases, the same ideal after transforms."""

import pytest
from sage.all__sagemath_singular import GF, QQ, ZZ, PolynomialRing, set_random_seed

from calt.dataset.sagemath.utils.ideal_invariant_transformer import BorderIdealTransformer, GroebnerIdealTransformer
from calt.dataset.sagemath.utils.ideal_sampler import BorderBasisSampler, GroebnerBasisSampler
from calt.dataset.sagemath.utils.polynomial_sampler import PolynomialSampler, compute_matrix_max_coefficient


def test_strict_sampling_gives_the_drawn_degree_and_term_count():
    set_random_seed(1)
    sampler = PolynomialSampler(symbols="x, y, z", field_str="GF(13)", max_num_terms=4, max_degree=3, min_degree=2,
                                degree_sampling="fixed", term_sampling="fixed")
    for poly in sampler.sample(20):
        assert poly.total_degree() == 3 and len(poly.monomials()) == 4
    assert str(sampler.get_ring()) == "Multivariate Polynomial Ring in x, y, z over Finite Field of size 13"


def test_coefficient_bounds_hold():
    set_random_seed(2)
    integers = PolynomialSampler(symbols="x, y", field_str="ZZ", max_coeff=2, max_degree=2).sample(30)
    assert all(0 < abs(c) <= 2 for p in integers for c in p.coefficients())
    rationals = PolynomialSampler(symbols="x, y", field_str="QQ", num_bound=3, max_degree=2).sample(1, size=(3, 3))
    assert compute_matrix_max_coefficient(rationals[0]) <= 3


def test_a_ring_can_be_given_instead_of_symbols():
    ring = PolynomialRing(QQ, "a, b", order="degrevlex")
    assert PolynomialSampler(ring=ring).get_ring() is ring  # calt-x insists on order=None here
    lex = PolynomialRing(QQ, "a, b", order="lex")
    assert PolynomialSampler(ring=lex, order="lex", max_degree=1).sample(1)[0].parent() is lex
    assert PolynomialSampler(ring=lex, order=None).get_field() is QQ


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(symbols="x", field_str="GF(8)"), "p prime"),
        (dict(symbols="x", field_str="CC"), "unsupported field_str"),
        (dict(ring=PolynomialRing(QQ, "a, b", order="lex"), order="degrevlex"), "differs from the term order"),
        (dict(ring=PolynomialRing(QQ, "a"), symbols="a"), "not both"),
        (dict(symbols="x"), "all of symbols, field_str and order"),
        (dict(symbols="x", field_str="QQ", degree_sampling="normal"), "degree_sampling must be one of"),
        (dict(symbols="x", field_str="QQ", min_degree=3, max_degree=2), "min_degree <= max_degree"),
    ],
)
def test_bad_sampler_arguments_are_named(options, message):
    with pytest.raises(ValueError, match=message):
        PolynomialSampler(**options)


def test_unknown_matrix_type_and_impossible_conditions_are_errors():
    sampler = PolynomialSampler(symbols="x, y", field_str="GF(7)", max_degree=1, max_num_terms=3, max_attempts=5,
                                nonzero_coeff=False, degree_sampling="fixed", term_sampling="fixed")
    with pytest.raises(ValueError, match="matrix_type"):
        sampler.sample(1, size=(2, 2), matrix_type="lower")
    set_random_seed(0)
    with pytest.raises(RuntimeError, match="in 5 attempts"):
        sampler.sample(50)  # zero coefficients make 3 terms of degree 1 rare over GF(7)


def test_groebner_samples_are_reduced_groebner_bases_and_transforms_keep_the_ideal():
    set_random_seed(3)
    ring = PolynomialRing(GF(7), "x, y, z", order="lex")
    for basis in GroebnerBasisSampler(ring, max_degree=3, max_num_terms=3).sample(3):
        ideal = ring.ideal(basis)
        assert sorted(ideal.groebner_basis()) == sorted(basis)
        generators = GroebnerIdealTransformer(ring, max_size=5, density=0.6).transform(basis)
        assert 3 <= len(generators) <= 5 and ring.ideal(generators) == ideal


def test_groebner_sampler_needs_a_field_and_room_for_the_basis():
    with pytest.raises(ValueError, match="over a field"):
        GroebnerBasisSampler(PolynomialRing(ZZ, "x, y", order="lex"))
    ring = PolynomialRing(QQ, "x, y", order="lex")
    with pytest.raises(ValueError, match="max_size=1 is too small"):
        GroebnerIdealTransformer(ring, max_size=1).transform([ring.gen(0), ring.gen(1)])


def test_border_bases_vanish_on_their_points_and_constant_transforms_keep_the_ideal():
    set_random_seed(4)
    ring = PolynomialRing(GF(31), "x, y", order="degrevlex")
    sampler = BorderBasisSampler(ring)
    record = sampler.random_border_basis([3, 2])
    assert record["success"] and len(record["basis"]) == len(record["border"])
    for point in record["points"].rows():
        assert all(g(*point) == 0 for g in record["basis"])
    basis = sampler.sample(1, [2, 2])[0]
    generators = BorderIdealTransformer(ring, max_size=3, max_degree=0).transform(basis)
    assert len(generators) > len(basis) and ring.ideal(generators) == ring.ideal(basis)
    with pytest.raises(ValueError, match="one bound per variable"):
        sampler.random_border_basis([3])
