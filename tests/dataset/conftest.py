"""Shared fixtures: the example tasks' configs and a small generated sample set per task."""

from pathlib import Path

import pytest

from calt.dataset import DatasetPipeline
from calt.dataset.tasks import TASKS
from dataset_test_helpers import task_config
SAMPLES_PER_TASK = {"polynomial_gcd": 150, "polynomial_reduction": 100, "polynomial_addition": 150, "groebner_gf7": 100,
                    "rational_polynomial_factorization": 150, "integer_polynomial_factorization": 150}
DEFAULT_SAMPLES = 300


@pytest.fixture(scope="session")
def task_samples(tmp_path_factory):
    """``{task: [(problem_text, answer_text), ...]}`` generated through each task's data.yaml."""
    samples = {}
    for task in TASKS:
        config = task_config(task, "data").dataset
        config.save_dir = str(tmp_path_factory.mktemp(task))
        config.num_train_samples = SAMPLES_PER_TASK.get(task, DEFAULT_SAMPLES)
        config.num_test_samples = 0
        config.n_jobs = 1
        config.verbose = False
        DatasetPipeline.from_config(config).run()
        lines = (Path(config.save_dir) / "train_raw.txt").read_text().splitlines()
        samples[task] = [tuple(side.strip() for side in line.split("#", 1)) for line in lines]
    return samples


@pytest.fixture(scope="session")
def task_texts(task_samples, tmp_path_factory):
    """``{task: [(input_text, target_text), ...]}``: what training reads, after train.yaml's load preprocessor."""
    from calt.io.preprocessor.load_preprocessors.spec import build_load_preprocessor
    from calt.io.readers import read_samples

    texts = {}
    for task, pairs in task_samples.items():
        preprocessor = build_load_preprocessor(task_config(task, "train").data.get("dataset_load_preprocessor"))
        if preprocessor is None:
            texts[task] = pairs
            continue
        path = tmp_path_factory.mktemp(f"{task}_texts") / "train_raw.txt"
        path.write_text("".join(f"{problem} # {answer}\n" for problem, answer in pairs))
        read = read_samples(path, None, preprocessor)
        texts[task] = list(zip(read.problems, read.answers))
    return texts
