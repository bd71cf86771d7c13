"""Shared fixtures: the example tasks' configs and a small generated sample set per task."""

from pathlib import Path

import pytest

from calt.dataset import DatasetPipeline
from calt.dataset.tasks import TASKS
from dataset_test_helpers import task_config
SAMPLES_PER_TASK = {"polynomial_gcd": 150}
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
