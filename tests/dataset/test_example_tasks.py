"""Example tasks: answers are mathematically right, configs are consistent with each other."""

from math import prod

import pytest
from sympy import GF, ZZ, isprime
from sympy.polys.rings import ring

from calt.dataset import DatasetPipeline
from calt.dataset.tasks import TASKS

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


def test_gf17_addition_answers_are_prefix_sums_mod_17(task_samples):
    for problem, answer in task_samples["gf17_addition"]:
        values, sums = [int(v) for v in problem.split(",")], [int(v) for v in answer.split(",")]
        assert 2 <= len(values) <= 10 and all(0 <= v < 17 for v in values)
        assert sums == [sum(values[: k + 1]) % 17 for k in range(len(values))]


def test_integer_factorization_answers_multiply_back(task_samples):
    for problem, answer in task_samples["integer_factorization"]:
        factors = [tuple(map(int, f.split("^"))) if "^" in f else (int(f), 1) for f in answer.split(" * ")]
        assert all(isprime(p) for p, _ in factors) and [p for p, _ in factors] == sorted({p for p, _ in factors})
        assert prod(p**e for p, e in factors) == int(problem)


@pytest.mark.parametrize(
    "task, domain, combine",
    [
        ("polynomial_addition", ZZ, lambda f, g: f + g),
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
    assert data.dataset.backend == "sympy"
    assert train.data.lexer_config == f"configs/{task}/lexer.yaml"
    assert (REPO_ROOT / train.data.lexer_config).is_file()
    assert train.data.train_dataset_path == f"{data.dataset.save_dir}/train_raw.txt"
    assert train.data.test_dataset_path == f"{data.dataset.save_dir}/test_raw.txt"
    assert {"model", "train"} <= set(train) and train.model.max_sequence_length > 0
    pipeline = DatasetPipeline.from_config(data.dataset)
    assert pipeline.statistics_calculator is not None and pipeline.n_jobs >= 1
