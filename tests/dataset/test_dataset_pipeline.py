"""DatasetPipeline: files, statistics, reproducibility across n_jobs/batch_size, bad input."""

import json
import logging
import random

import pytest
import yaml

from calt.dataset import DatasetPipeline, SampleGenerationError
from calt.dataset.tasks import gf17_addition
from calt.dataset.utils.sample_format import InvalidSampleError
from calt.dataset.utils.seeds import sample_seed


def make_pipeline(save_dir, generator=gf17_addition.instance_generator, **overrides):
    settings = dict(
        instance_generator=generator,
        statistics_calculator=None,
        save_dir=str(save_dir),
        save_text=True,
        save_json=True,
        num_train_samples=30,
        num_test_samples=10,
        batch_size=8,
        n_jobs=1,
        root_seed=3,
        verbose=False,
        backend="sympy",
    )
    settings.update(overrides)
    return DatasetPipeline(**settings)


def poly_generator(seed):
    from sympy.polys.rings import ring
    from sympy import GF

    _, x, y = ring("x, y", GF(7), "grevlex")
    rng = random.Random(seed)
    f = rng.randint(1, 6) * x**2 + y
    return [f, [rng.randint(0, 9), 2.5]], f * f


def fails_on_some_seeds(seed):
    if seed % 4 == 0:
        raise ArithmeticError("unlucky seed")
    return str(seed % 10), "ok"


def returns_triple(seed):
    return "a", "b", "c"


def returns_dict(seed):
    return "a", {"not": "allowed"}


def returns_deep_list(seed):
    return [[["too", "deep"]]], "b"


def bad_statistics(problem, answer):
    return {"problem": {"length": "long"}}


def test_writes_both_splits_with_samples_from_their_seeds(tmp_path):
    stats = make_pipeline(tmp_path, statistics_calculator=gf17_addition.statistics_calculator).run()
    lines = (tmp_path / "train_raw.txt").read_text().splitlines()
    assert len(lines) == 30 and len((tmp_path / "test_raw.txt").read_text().splitlines()) == 10
    problem, answer = gf17_addition.instance_generator(sample_seed(3, "train", 17))
    assert lines[17] == f"{problem} # {answer}"
    record = json.loads((tmp_path / "train_data.jsonl").read_text().splitlines()[17])
    assert record == {"problem": problem, "answer": answer}
    saved = yaml.safe_load((tmp_path / "train_stats.yaml").read_text())
    assert saved == stats["train"]
    assert list(saved) == ["total_time", "num_samples", "samples_per_second", "generation_time",
                           "problem_stats", "answer_stats"]  # calt-x's layout
    assert saved["num_samples"] == 30 and list(saved["generation_time"]) == ["mean", "std", "min", "max"]
    lengths = [len(line.split(" # ")[0].split(",")) for line in lines]
    assert saved["problem_stats"]["num_terms"]["max"] == max(lengths)
    assert saved["problem_stats"]["num_terms"]["mean"] == pytest.approx(sum(lengths) / 30)
    assert list(saved["problem_stats"]["num_terms"]) == ["mean", "std", "min", "max"]
    assert not list(tmp_path.glob("*.partial"))


def test_train_and_test_splits_differ(tmp_path):
    make_pipeline(tmp_path, num_train_samples=50, num_test_samples=50).run()
    assert (tmp_path / "train_raw.txt").read_text() != (tmp_path / "test_raw.txt").read_text()


def test_same_root_seed_gives_identical_files_for_any_n_jobs_and_batch_size(tmp_path):
    runs = {"serial": dict(n_jobs=1, batch_size=40), "spawn": dict(n_jobs=2, batch_size=7, start_method="spawn")}
    for name, settings in runs.items():
        make_pipeline(tmp_path / name, num_train_samples=40, num_test_samples=9, **settings).run()
    for filename in ("train_raw.txt", "test_raw.txt", "train_data.jsonl", "test_data.jsonl"):
        assert (tmp_path / "serial" / filename).read_bytes() == (tmp_path / "spawn" / filename).read_bytes()
    make_pipeline(tmp_path / "other", num_train_samples=40, num_test_samples=9, root_seed=4).run()
    assert (tmp_path / "other" / "train_raw.txt").read_bytes() != (tmp_path / "serial" / "train_raw.txt").read_bytes()


def test_fork_workers_match_serial_output(tmp_path):
    make_pipeline(tmp_path / "a", n_jobs=1).run()
    make_pipeline(tmp_path / "b", n_jobs=2, batch_size=5, start_method="fork").run()
    assert (tmp_path / "a" / "train_raw.txt").read_bytes() == (tmp_path / "b" / "train_raw.txt").read_bytes()


def test_sympy_objects_numbers_and_nested_lists_are_written(tmp_path):
    make_pipeline(tmp_path, generator=poly_generator, num_train_samples=3, num_test_samples=1).run()
    rng = random.Random(sample_seed(3, "train", 0))
    c, n = rng.randint(1, 6), rng.randint(0, 9)
    problem = f"{c}*x^2 + y || {n} | 2.5"
    assert (tmp_path / "train_raw.txt").read_text().splitlines()[0].startswith(problem + " # ")
    record = json.loads((tmp_path / "train_data.jsonl").read_text().splitlines()[0])
    assert record["problem"] == [f"{c}*x^2 + y", [str(n), "2.5"]]
    assert "mod" not in record["answer"] and "x^4" in record["answer"]


def test_zero_samples_writes_empty_split(tmp_path):
    make_pipeline(tmp_path, num_test_samples=0).run()
    assert (tmp_path / "test_raw.txt").read_text() == ""


def test_from_config_resolves_the_generator_key(tmp_path):
    config = {
        "generator": "calt.dataset.tasks.gf17_addition",
        "save_dir": str(tmp_path),
        "num_train_samples": 5,
        "num_test_samples": 2,
        "batch_size": 2,
        "n_jobs": 1,
        "root_seed": 0,
        "verbose": False,
        "backend": "sympy",
    }
    pipeline = DatasetPipeline.from_config(config)
    assert pipeline.instance_generator is gf17_addition.instance_generator
    assert pipeline.statistics_calculator is gf17_addition.statistics_calculator
    pipeline.run()
    assert "problem_stats" in yaml.safe_load((tmp_path / "train_stats.yaml").read_text())
    with pytest.raises(ValueError, match="dataset.root_seed is required"):
        DatasetPipeline.from_config({k: v for k, v in config.items() if k != "root_seed"})
    with pytest.raises(ValueError, match="dataset.generator: cannot import"):
        DatasetPipeline.from_config({**config, "generator": "calt.dataset.tasks.no_such_task"})
    by_function = DatasetPipeline.from_config({**config, "generator": "calt.dataset.tasks.gf17_addition.instance_generator"})
    assert by_function.instance_generator is gf17_addition.instance_generator


def test_from_config_rejects_unknown_keys_naming_the_closest(tmp_path):
    config = dict(save_dir=str(tmp_path), num_train_samples=1, num_test_samples=1, batch_size=1, n_jobs=1, root_seed=0)
    with pytest.raises(ValueError, match="dataset: unknown key 'n_job'; did you mean 'n_jobs'"):
        DatasetPipeline.from_config({**config, "n_job": 4}, gf17_addition.instance_generator)


def test_from_config_defaults_to_sagemath_backend_like_the_documented_api(tmp_path):
    config = dict(save_dir=str(tmp_path), num_train_samples=1, num_test_samples=1, batch_size=1, n_jobs=1, root_seed=0)
    assert DatasetPipeline.from_config(config, gf17_addition.instance_generator).backend == "sagemath"


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_generator_exception_names_seed_and_index(tmp_path, n_jobs):
    with pytest.raises(SampleGenerationError) as error:
        make_pipeline(tmp_path, generator=fails_on_some_seeds, n_jobs=n_jobs, start_method="fork").run()
    first = next(i for i in range(30) if sample_seed(3, "train", i) % 4 == 0)
    seed = sample_seed(3, "train", first)
    assert f"train sample {first} (seed {seed})" in str(error.value)
    assert "ArithmeticError: unlucky seed" in str(error.value) and "skip_failed_samples" in str(error.value)
    assert not (tmp_path / "train_raw.txt").exists() and not list(tmp_path.glob("*.partial"))


def test_skip_failed_samples_reports_how_many(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        stats = make_pipeline(tmp_path, generator=fails_on_some_seeds, skip_failed_samples=True).run()
    failed = sum(sample_seed(3, "train", i) % 4 == 0 for i in range(30))
    assert failed > 0
    assert stats["train"]["num_skipped"] == failed and stats["train"]["num_samples"] == 30 - failed
    assert len((tmp_path / "train_raw.txt").read_text().splitlines()) == 30 - failed
    assert f"skipped {failed} of 30 samples" in caplog.text


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_result_that_is_not_a_pair_shows_the_value(tmp_path, n_jobs):
    with pytest.raises(InvalidSampleError, match="must return a \\(problem, answer\\) pair.*\\('a', 'b', 'c'\\)"):
        make_pipeline(tmp_path, generator=returns_triple, n_jobs=n_jobs, start_method="fork").run()


@pytest.mark.parametrize("generator, line", [
    (returns_dict, "a # {'not': 'allowed'}"),  # other objects: str(), as calt-x writes them
    (returns_deep_list, "['too', 'deep'] # b"),  # a third list level is written with str()
])
def test_other_objects_and_deep_lists_are_written_with_str_like_calt_x(tmp_path, generator, line):
    make_pipeline(tmp_path, generator=generator, num_train_samples=1, num_test_samples=1).run()
    assert (tmp_path / "train_raw.txt").read_text() == line + "\n"


def test_non_numeric_statistics_are_reported(tmp_path):
    with pytest.raises(TypeError, match="problem.length.*'long'"):
        make_pipeline(tmp_path, statistics_calculator=bad_statistics).run()


@pytest.mark.parametrize(
    "overrides, error, message",
    [
        (dict(n_jobs=0), ValueError, "n_jobs must be at least 1"),
        (dict(n_jobs=-3), ValueError, "n_jobs must be at least 1"),
        (dict(num_train_samples=-1), ValueError, "num_train_samples must be at least 0"),
        (dict(num_test_samples=-5), ValueError, "num_test_samples must be at least 0"),
        (dict(batch_size=0), ValueError, "batch_size must be at least 1"),
        (dict(batch_size=2.5), TypeError, "batch_size must be an integer"),
        (dict(backend="maple"), ValueError, "unknown dataset backend"),
        (dict(instance_generator="not callable"), TypeError, "instance_generator must be a callable"),
    ],
)
def test_invalid_settings_are_rejected(tmp_path, overrides, error, message):
    with pytest.raises(error, match=message):
        make_pipeline(tmp_path, **overrides)


def test_unwritable_save_dir_is_reported_before_generating(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    with pytest.raises(PermissionError, match="cannot write dataset files to save_dir"):
        make_pipeline(blocker / "data").run()


def test_unpicklable_generator_with_spawn_workers_is_explained(tmp_path):
    pipeline = make_pipeline(tmp_path, generator=lambda seed: ("a", "b"), n_jobs=2, start_method="spawn")
    with pytest.raises(ValueError, match="module-level functions"):
        pipeline.run()
