"""The Sage DatasetGenerator: calt-x 1.5.0's files for the same root_seed, reproducible, clear errors."""

import json
import random
from pathlib import Path

import pytest
import sage_cases
from sage.all__sagemath_singular import GF, PolynomialRing
from sage.structure.sage_object import SageObject

from calt.dataset import DatasetPipeline, SampleGenerationError
from calt.dataset.sagemath import DatasetGenerator
from calt.dataset.sagemath.dataset_generator import SageSeededGenerator, UnwritableSampleError

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "calt_x_1_5_0" / "sage" / "datasets.json"
RECORDED = json.loads(FIXTURE.read_text(encoding="utf-8"))
RING = PolynomialRing(GF(7), "x, y", order="degrevlex")


def generate(folder: Path, generator, sizes, n_jobs=1, root_seed=RECORDED["root_seed"], save_text=True) -> dict:
    """Run calt's Sage DatasetGenerator; return the text of each data file it wrote."""
    DatasetGenerator(n_jobs=n_jobs, verbose=False, root_seed=root_seed, start_method="fork").run(
        sizes, generator, save_dir=str(folder), save_text=save_text
    )
    return {f.name: f.read_text(encoding="utf-8") for f in sorted(folder.iterdir()) if f.suffix in (".txt", ".jsonl")}


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("name", sorted(sage_cases.DATASET_CASES))
def test_files_match_calt_x_for_the_same_root_seed(tmp_path, name, n_jobs):
    generator, sizes, save_text = sage_cases.DATASET_CASES[name]
    assert generate(tmp_path, generator, sizes, n_jobs, save_text=save_text) == RECORDED["cases"][name]


def unseeded_generator(seed):
    """Draws from Sage's global random state without seeding it: the backend seeds it per sample."""
    return [RING.random_element() for _ in range(2)], RING.random_element(degree=1)


def test_generators_that_do_not_seed_sage_are_reproducible_per_root_seed(tmp_path):
    sizes = {"train": 6}
    first = generate(tmp_path / "a", unseeded_generator, sizes, n_jobs=1, root_seed=3)
    assert generate(tmp_path / "b", unseeded_generator, sizes, n_jobs=2, root_seed=3) == first
    assert generate(tmp_path / "c", unseeded_generator, sizes, n_jobs=1, root_seed=4) != first


def failing_generator(seed):
    if seed % 3 == 0:
        raise ArithmeticError("no inverse")
    return RING.random_element(), RING.random_element()


def test_a_generator_that_raises_names_the_seed(tmp_path):
    with pytest.raises(SampleGenerationError) as error:
        generate(tmp_path, failing_generator, {"train": 20})
    message = str(error.value)
    seed = int(message.split("(seed ")[1].split(")")[0])
    assert seed % 3 == 0 and "ArithmeticError: no inverse" in message


class NoText(SageObject):
    """A Sage object without a ``_repr_``: its text would be a memory address."""


class BrokenText(SageObject):
    def _repr_(self):
        raise NotImplementedError("no printing")


@pytest.mark.parametrize("kind", [NoText, BrokenText])
def test_an_object_without_text_shows_its_type(tmp_path, kind):
    with pytest.raises(UnwritableSampleError, match=f"cannot write a {__name__}.{kind.__name__} as text"):
        generate(tmp_path, lambda seed: (RING.gen(0), [kind()]), {"train": 2})


def test_a_matrix_in_the_text_file_is_refused_with_its_line_break(tmp_path):
    with pytest.raises(ValueError, match="line break"):
        generate(tmp_path, sage_cases.matrix_generator, {"train": 1})


def test_pipeline_with_backend_sagemath_runs_a_sage_generator(tmp_path):
    config = dict(save_dir=str(tmp_path), num_train_samples=3, num_test_samples=2, batch_size=2, n_jobs=1,
                  root_seed=RECORDED["root_seed"], verbose=False, backend="sagemath")
    DatasetPipeline.from_config(config, sage_cases.polynomial_sum_generator).run()
    recorded_test = RECORDED["cases"]["polynomial_sum"]["test_raw.txt"].splitlines()
    assert (tmp_path / "test_raw.txt").read_text().splitlines() == recorded_test[:2]


def python_random_generator(seed):
    return [random.randint(0, 16) for _ in range(3)], seed % 17


@pytest.mark.parametrize(
    "generator, needs_sage_seed",
    [(unseeded_generator, True), (sage_cases.polynomial_sum_generator, False), (python_random_generator, False)],
)
def test_sage_is_seeded_per_sample_only_for_generators_that_need_it(generator, needs_sage_seed):
    """Seeding Sage costs ~0.4 ms a sample: done only when the output depends on Sage's global state."""
    wrapped = SageSeededGenerator(generator)
    first = wrapped(11)
    assert wrapped.needs_sage_seed is needs_sage_seed
    random.seed(11)  # as the engine does before every sample
    assert repr(wrapped(11)) == repr(first)
