"""calt writes the same dataset files as calt-x 1.5.0 (SymPy backend), byte for byte.

The expected files and strings under tests/fixtures/calt_x_1_5_0/data/ were recorded by running
calt-x 1.5.0 itself (``make_data_fixtures.py`` there, run with calt-x's interpreter) on calt's
example tasks and on ``structures.py``. Timing values in ``*_stats.yaml`` differ run to run and
are masked; everything else, statistics included, must match exactly.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from calt.dataset import DatasetPipeline, DatasetWriter
from calt.dataset.sympy.dataset_generator import format_sympy_scalar
from calt.dataset.tasks import gf17_addition_long, polynomial_pair_addition
from calt.dataset.utils.sample_format import format_plain_scalar, to_string_structure
from calt.dataset.utils.seeds import sample_seed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calt_x_1_5_0" / "data"
RUNS = json.loads((FIXTURES / "cases.json").read_text())
CONVERSIONS = json.loads((FIXTURES / "conversion_cases.json").read_text())
DATA_FILES = ("train_raw.txt", "train_data.jsonl", "test_raw.txt", "test_data.jsonl")
TIMING_KEYS = ("total_time", "samples_per_second")


def _load_structures():
    spec = importlib.util.spec_from_file_location("calt_x_fixture_structures", FIXTURES / "structures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


structures = _load_structures()
# the fixtures name calt's generators as they were called when recorded (renamed since; calt-x's own tasks took the names)
GENERATORS = {"gf17_addition": gf17_addition_long, "polynomial_addition": polynomial_pair_addition, "structures": structures}


def _generate(run: dict, save_dir: Path, n_jobs: int = 1, batch_size: int | None = None) -> None:
    """Run calt's pipeline with a recorded run's settings (workers fork: structures.py is not importable by name)."""
    module = GENERATORS[run["generator"]]
    DatasetPipeline(
        instance_generator=module.instance_generator,
        statistics_calculator=module.statistics_calculator if run["statistics"] else None,
        save_dir=str(save_dir), save_text=True, save_json=True,
        num_train_samples=run["num_train_samples"], num_test_samples=run["num_test_samples"],
        batch_size=batch_size or run["batch_size"], n_jobs=n_jobs, root_seed=run["root_seed"],
        verbose=False, backend="sympy", start_method="fork" if n_jobs > 1 else None,
    ).run()


def _mask_timing(stats_text: str) -> str:
    """Replace the run-dependent timing values of a ``*_stats.yaml`` by a placeholder."""
    masked, in_timing_block = [], False
    for line in stats_text.splitlines():
        if not line.startswith(" "):
            in_timing_block = line == "generation_time:"
        if in_timing_block and line.startswith(" ") or line.split(":")[0] in TIMING_KEYS:
            line = re.sub(r": .*$", ": <time>", line)
        masked.append(line)
    return "\n".join(masked) + "\n"


@pytest.mark.parametrize("run", RUNS, ids=[run["name"] for run in RUNS])
def test_pipeline_writes_the_original_files(run, tmp_path):
    _generate(run, tmp_path)
    for name in DATA_FILES:
        assert (tmp_path / name).read_bytes() == (FIXTURES / run["name"] / name).read_bytes(), name
    for split in ("train", "test"):
        name = f"{split}_stats.yaml"
        assert _mask_timing((tmp_path / name).read_text()) == _mask_timing((FIXTURES / run["name"] / name).read_text())


@pytest.mark.parametrize("name", ["gf17_seed42_batch7", "structures_seed7_batch5"])
def test_same_bytes_with_two_workers_and_another_batch_size(name, tmp_path):
    run = next(run for run in RUNS if run["name"] == name)
    _generate(run, tmp_path, n_jobs=2, batch_size=3)
    for file_name in DATA_FILES:
        assert (tmp_path / file_name).read_bytes() == (FIXTURES / name / file_name).read_bytes(), file_name


@pytest.mark.parametrize("root_seed,split,index,seed", [
    # recorded with calt-x 1.5.0: DatasetGenerator(root_seed=...)._generate_seed(index, split)
    (42, "train", 0, 320916422754167885974825684275375124086),
    (42, "test", 29, 273256064386698678431368128066691004633),
    (-3, "validation", 5, 130490448399233563645022074812295016403),
])
def test_seed_derivation_matches_the_original(root_seed, split, index, seed):
    assert sample_seed(root_seed, split, index) == seed


def test_first_sample_comes_from_the_derived_seed():
    first = json.loads((FIXTURES / "gf17_seed42_batch7" / "train_data.jsonl").read_text().splitlines()[0])
    assert gf17_addition_long.instance_generator(sample_seed(42, "train", 0)) == (first["problem"], first["answer"])


@pytest.mark.parametrize("case", sorted(CONVERSIONS))
def test_string_conversion_table(case):
    """Tuples, nested lists, deeper lists, polynomials and other objects become the original's strings."""
    value = structures.CASES[case]()
    for backend, formatter in (("sympy", format_sympy_scalar), ("sagemath", format_plain_scalar)):
        expected = CONVERSIONS[case][backend]
        converted = to_string_structure(value, formatter)
        assert converted == expected["structure"], backend
        assert DatasetWriter().join(converted) == expected["text"], backend
