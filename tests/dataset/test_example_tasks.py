"""Example tasks: answers are mathematically right, configs are consistent with each other."""

from math import prod

import pytest
from sympy import GF, ZZ, isprime
from sympy.polys.rings import ring

from calt.dataset import DatasetPipeline
from calt.dataset.tasks import SAGE_TASKS, TASKS

from dataset_test_helpers import REPO_ROOT, task_config


def parse_expanded(text, poly_ring):
    """Read ``C3 E1 E0 + C-1 E0 E2`` back into ``poly_ring``."""
    poly = poly_ring.zero
    for term in text.split(" + "):
        coeff, *exponents = term.split()
        assert coeff.startswith("C") and all(e.startswith("E") for e in exponents), term
        monom = tuple(int(e[1:]) for e in exponents) or (0,) * poly_ring.ngens
        poly += poly_ring.from_dict({monom: poly_ring.domain(int(coeff[1:]))})
    return poly


@pytest.mark.parametrize("task, lengths", [("gf17_addition", (3, 6)), ("gf17_addition_long", (2, 10))])
def test_gf17_addition_answers_are_prefix_sums_mod_17(task_samples, task, lengths):
    seen = set()
    for problem, answer in task_samples[task]:
        values, sums = [int(v) for v in problem.split(",")], [int(v) for v in answer.split(",")]
        assert lengths[0] <= len(values) <= lengths[1] and all(0 <= v < 17 for v in values)
        assert sums == [sum(values[: k + 1]) % 17 for k in range(len(values))]
        seen.add(len(values))
    assert min(seen) == lengths[0] and max(seen) == lengths[1]


def test_integer_factorization_is_five_distinct_primes_below_30(task_samples):
    for problem, answer in task_samples["integer_factorization"]:
        primes = [int(p) for p in answer.split(" | ")]
        assert len(set(primes)) == 5 and primes == sorted(primes) and all(isprime(p) and p < 30 for p in primes)
        assert prod(primes) == int(problem)


def test_integer_factorization_5digit_answers_multiply_back(task_samples):
    for problem, answer in task_samples["integer_factorization_5digit"]:
        factors = [tuple(map(int, f.split("^"))) if "^" in f else (int(f), 1) for f in answer.split(" * ")]
        assert all(isprime(p) for p, _ in factors) and [p for p, _ in factors] == sorted({p for p, _ in factors})
        assert prod(p**e for p, e in factors) == int(problem)


def test_eigvec_answers_are_leading_unit_eigenvectors(task_samples):
    import numpy as np

    for problem, answer in task_samples["eigvec_3x3"]:
        matrix = np.array([[float(v) for v in row.split(",")] for row in problem.split(";")])
        vector = np.array([float(v) for v in answer.split(",")])
        assert np.allclose(matrix, matrix.T) and abs(np.linalg.norm(vector) - 1) < 0.02
        values, vectors = np.linalg.eigh(matrix)
        if values[-1] - values[-2] > 0.5:  # a clear gap: the vector is the top eigenvector up to sign and rounding
            assert min(np.abs(vector - vectors[:, -1]).max(), np.abs(vector + vectors[:, -1]).max()) <= 0.011


@pytest.mark.parametrize(
    "task, domain, combine",
    [
        ("polynomial_pair_addition", ZZ, lambda f, g: f + g),
        ("polynomial_multiplication", GF(7), lambda f, g: f * g),
    ],
)
def test_polynomial_answers(task_samples, task, domain, combine):
    poly_ring = ring("x, y", domain, "grevlex")[0]
    for problem, answer in task_samples[task]:
        f, g = (parse_expanded(p, poly_ring) for p in problem.split(" | "))
        assert parse_expanded(answer, poly_ring) == combine(f, g)


def test_polynomial_gcd_answers_are_monic_common_divisors_of_positive_degree(task_samples):
    poly_ring = ring("x, y", GF(7), "grevlex")[0]
    for problem, answer in task_samples["polynomial_gcd"]:
        f1, f2 = (parse_expanded(p, poly_ring) for p in problem.split(" | "))
        gcd = parse_expanded(answer, poly_ring)
        assert gcd == f1.gcd(f2).monic() and gcd.LC == 1 and max(sum(m) for m in gcd.monoms()) >= 1
        assert f1.rem(gcd) == 0 and f2.rem(gcd) == 0


@pytest.mark.parametrize("task", TASKS)
def test_task_configs_fit_together(task):
    data, train = task_config(task, "data"), task_config(task, "train")
    assert data.dataset.generator == f"calt.dataset.tasks.{task}"
    assert data.dataset.backend == ("sagemath" if task in SAGE_TASKS else "sympy")
    assert train.data.lexer_config == f"configs/{task}/lexer.yaml"
    assert (REPO_ROOT / train.data.lexer_config).is_file()
    assert train.data.train_dataset_path == f"{data.dataset.save_dir}/train_raw.txt"
    assert train.data.test_dataset_path == f"{data.dataset.save_dir}/test_raw.txt"
    assert {"model", "train"} <= set(train) and train.model.max_sequence_length > 0
    pipeline = DatasetPipeline.from_config(data.dataset)
    assert pipeline.statistics_calculator is not None and pipeline.n_jobs >= 1


# --- calt-x's Sage examples: answers checked with Sage ------------------------------------------------------
def _sage():
    from calt.optional import require_sage

    return require_sage("the Sage example tests")


def test_polynomial_addition_answers_are_cumulative_sums_in_zz_x0_x1_x2(task_samples):
    sage = _sage()
    ring = sage.PolynomialRing(sage.ZZ, "x0, x1, x2")
    counts = set()
    for problem, answer in task_samples["polynomial_addition"]:
        polys, sums = [ring(p) for p in problem.split(" | ")], [ring(p) for p in answer.split(" | ")]
        assert sums == [sum(polys[: k + 1]) for k in range(len(polys))]
        counts.add(len(polys))
    assert counts == {3, 4, 5, 6}


@pytest.mark.parametrize("task, field", [("integer_polynomial_factorization", "ZZ"),
                                         ("rational_polynomial_factorization", "QQ")])
def test_factorization_answers_multiply_back(task_samples, task, field):
    sage = _sage()
    ring = sage.PolynomialRing(getattr(sage, field), "x")
    for problem, answer in task_samples[task]:
        polynomial = ring(problem)
        assert ring(sage.sage_eval(answer, locals={"x": ring.gen()})) == polynomial
        assert answer == str(polynomial.factor())
    if task == "integer_polynomial_factorization":
        assert all(ring(p).degree() == 2 and ring(p).is_monic() for p, _ in task_samples[task])


def test_polynomial_reduction_answers_are_remainders_by_a_groebner_basis(task_samples):
    sage = _sage()
    ring = sage.PolynomialRing(sage.ZZ, "x, y, z", order="degrevlex")
    for problem, answer in task_samples["polynomial_reduction"][:30]:
        f, *basis = (ring(p) for p in problem.split(" | "))
        ideal = ring.ideal(basis)
        assert f - ring(answer) in ideal and len(f.monomials()) >= 2  # r is f modulo <G>


def test_groebner_gf7_answers_are_reduced_lex_bases_of_the_problem_ideal(task_samples):
    sage = _sage()
    ring = sage.PolynomialRing(sage.GF(7), "x, y", order="lex")
    for problem, answer in task_samples["groebner_gf7"]:
        generators, basis = [ring(p) for p in problem.split(" | ")], [ring(p) for p in answer.split(" | ")]
        assert sorted(ring.ideal(generators).groebner_basis()) == sorted(basis)
