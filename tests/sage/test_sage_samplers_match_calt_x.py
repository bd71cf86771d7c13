"""The Sage samplers give calt-x 1.5.0's polynomials, bases and transforms for the same seeds."""

import json
from pathlib import Path

import pytest
import sage_cases

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "calt_x_1_5_0" / "sage" / "samplers.json"
RECORDED = json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]


def test_every_case_was_recorded_for_every_seed():
    assert set(RECORDED) == set(sage_cases.SAMPLER_CASES)
    assert all(set(by_seed) == {str(s) for s in sage_cases.SEEDS} for by_seed in RECORDED.values())


@pytest.mark.parametrize("name", sorted(sage_cases.SAMPLER_CASES))
def test_sampler_output_matches_calt_x(name):
    for seed in sage_cases.SEEDS:
        assert sage_cases.run_sampler_case(name, seed) == RECORDED[name][str(seed)], f"{name}, seed {seed}"


SINGLE = json.loads((FIXTURE.parent / "single_polynomial_sampler.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("name", sorted(sage_cases.SINGLE_SAMPLER_CASES))
def test_single_polynomial_sampler_matches_calt_x(name):
    assert set(SINGLE) == set(sage_cases.SINGLE_SAMPLER_CASES)
    for seed in sage_cases.SEEDS:
        assert sage_cases.run_single_sampler_case(name, seed) == SINGLE[name][str(seed)], f"{name}, seed {seed}"
