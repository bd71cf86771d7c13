"""``DatasetPipeline``: ``data.yaml`` + an instance generator → train and test files."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Mapping
from importlib import import_module
from typing import Any, Callable

from calt.config import ConfigError, DatasetConfig, parse_block, plain_mapping

from .backends import BACKEND_MODULES, get_generator_class
from .generation import GenerationJob, _check_int, generate_range, resolve_n_jobs
from .utils.dataset_writer import DatasetWriter, prepare_save_dir

logger = logging.getLogger(__name__)

REQUIRED_KEYS = ("save_dir", "num_train_samples", "num_test_samples", "batch_size", "n_jobs", "root_seed")
OPTIONAL_KEYS = {
    "save_text": True,
    "save_json": True,
    "verbose": True,
    "backend": "sagemath",
    "skip_failed_samples": False,
    "start_method": None,
}
GENERATOR_KEY = "generator"


class DatasetPipeline:
    """Generates the ``train`` and ``test`` splits of a task into ``save_dir``.

    ``instance_generator(seed) -> (problem, answer)`` makes one sample; the optional
    ``statistics_calculator(problem, answer) -> {"problem": {...}, "answer": {...}}`` feeds
    the per-split statistics YAML. Same ``root_seed`` → byte-identical files for any
    ``n_jobs`` and ``batch_size``. ``skip_failed_samples`` turns a generator exception
    from an error into a skipped sample (counted in the log and the statistics).
    """

    def __init__(
        self,
        instance_generator: Callable[[int], Any],
        statistics_calculator: Callable[[Any, Any], Any] | None,
        save_dir: str,
        save_text: bool,
        save_json: bool,
        num_train_samples: int,
        num_test_samples: int,
        batch_size: int,
        n_jobs: int,
        root_seed: int,
        verbose: bool,
        backend: str = "sagemath",
        skip_failed_samples: bool = False,
        start_method: str | None = None,
    ) -> None:
        if not callable(instance_generator):
            raise TypeError(f"instance_generator must be a callable taking a seed, got {instance_generator!r}")
        if statistics_calculator is not None and not callable(statistics_calculator):
            raise TypeError(f"statistics_calculator must be callable or None, got {statistics_calculator!r}")
        if backend not in BACKEND_MODULES:
            raise ValueError(f"unknown dataset backend {backend!r}; choose one of {sorted(BACKEND_MODULES)}")
        if not save_dir:
            raise ValueError("save_dir must name the folder that receives the dataset files")
        self.instance_generator = instance_generator
        self.statistics_calculator = statistics_calculator
        self.save_dir = str(save_dir)
        self.save_text = bool(save_text)
        self.save_json = bool(save_json)
        self.num_train_samples = _check_int("num_train_samples", num_train_samples, minimum=0)
        self.num_test_samples = _check_int("num_test_samples", num_test_samples, minimum=0)
        self.batch_size = _check_int("batch_size", batch_size, minimum=1)
        self.n_jobs = resolve_n_jobs(n_jobs)
        self.root_seed = _check_int("root_seed", root_seed, minimum=None)
        self.verbose = bool(verbose)
        self.backend = backend
        self.skip_failed_samples = bool(skip_failed_samples)
        self.start_method = start_method

    @classmethod
    def from_config(
        cls,
        config: Mapping,
        instance_generator: Callable[[int], Any] | None = None,
        statistics_calculator: Callable[[Any, Any], Any] | None = None,
    ) -> "DatasetPipeline":
        """Build from the ``dataset`` block of ``data.yaml``.

        Without ``instance_generator``, the block's ``generator`` key names one by import path:
        a module exposing ``instance_generator`` (and optionally ``statistics_calculator``),
        e.g. ``calt.dataset.tasks.gf17_addition``, or a callable such as ``pkg.module.func``.
        """
        values = _config_values(config)
        if instance_generator is None:
            if values.get(GENERATOR_KEY) is None:
                raise ValueError(
                    "no instance_generator: pass one to DatasetPipeline.from_config or set "
                    "`generator: <module path>` in the dataset block of data.yaml"
                )
            instance_generator, module_statistics = load_generator(values[GENERATOR_KEY])
            statistics_calculator = statistics_calculator or module_statistics
        settings = {key: values[key] for key in REQUIRED_KEYS}
        settings.update({key: values.get(key, default) for key, default in OPTIONAL_KEYS.items()})
        return cls(instance_generator=instance_generator, statistics_calculator=statistics_calculator, **settings)

    def run(self) -> dict[str, dict]:
        """Generate ``train`` then ``test`` into ``save_dir``; return each split's statistics."""
        generator_class = get_generator_class(self.backend)
        prepare_save_dir(self.save_dir)
        if not (self.save_text or self.save_json):
            logger.warning("save_text and save_json are both false: only the statistics files will be written")
        generator = generator_class(
            n_jobs=self.n_jobs,
            verbose=self.verbose,
            root_seed=self.root_seed,
            skip_failed_samples=self.skip_failed_samples,
            start_method=self.start_method,
        )
        writer = DatasetWriter(save_dir=self.save_dir, save_text=self.save_text, save_json=self.save_json)
        self.check_disk_space(generator_class, writer)
        return generator.run(
            dataset_sizes={"train": self.num_train_samples, "test": self.num_test_samples},
            instance_generator=self.instance_generator,
            statistics_calculator=self.statistics_calculator,
            dataset_writer=writer,
            batch_size=self.batch_size,
        )


    def check_disk_space(self, generator_class: type, writer: DatasetWriter) -> None:
        """ConfigError naming the larger sample count when the files would not fit on the disk of ``save_dir``,
        estimated from the size of the first training sample (made once more by the run itself)."""
        total = self.num_train_samples + self.num_test_samples
        if total == 0:
            return
        job = GenerationJob(self.instance_generator, None, generator_class.format_scalar, self.root_seed)
        probe = generate_range(job, "train" if self.num_train_samples else "test", 0, 1)
        if not probe.samples:  # the generator raised: the run reports it with the seed
            return
        problem, answer = probe.samples[0]
        per_sample = len(writer.format_text_line(problem, answer).encode()) + 1 if self.save_text else 0
        per_sample += len(json.dumps({"problem": problem, "answer": answer}, ensure_ascii=False).encode()) + 1 \
            if self.save_json else 0
        needed, free = total * per_sample, shutil.disk_usage(self.save_dir).free
        if needed > free:
            name = "num_train_samples" if self.num_train_samples >= self.num_test_samples else "num_test_samples"
            raise ConfigError(
                f"dataset.{name}={getattr(self, name)}: {total} samples of about {per_sample} bytes need "
                f"{needed / 2**30:.3g} GiB, and {self.save_dir} has {free / 2**30:.3g} GiB free; lower dataset.{name}"
            )


def _config_values(config: Mapping) -> dict[str, Any]:
    """The dataset block's values after ``calt.config.DatasetConfig`` checked them (unknown keys, missing
    required keys, wrong types and out-of-range values are errors naming the key; null means the default)."""
    return plain_mapping(parse_block(DatasetConfig, config, "dataset"), "dataset")


def load_generator(path: str) -> tuple[Callable[[int], Any], Callable | None]:
    """Resolve ``generator`` from data.yaml: a module with ``instance_generator``, or a callable's path."""
    if not isinstance(path, str) or not path:
        raise ValueError(f"dataset.generator must be an import path such as 'calt.dataset.tasks.gf17_addition', "
                         f"got {path!r}")
    module_path, _, attribute = path.replace(":", ".").rpartition(".")
    try:
        module = import_module(path)
    except ModuleNotFoundError as exc:
        if exc.name != path:  # the module exists but one of its own imports failed
            raise
        module = None
    if module is not None:
        if not callable(getattr(module, "instance_generator", None)):
            raise ValueError(f"dataset.generator: module {path!r} has no function instance_generator(seed)")
        return module.instance_generator, getattr(module, "statistics_calculator", None)
    try:
        function = getattr(import_module(module_path), attribute)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ValueError(f"dataset.generator: cannot import {path!r} ({exc}); give a module or module.function "
                         "path") from exc
    if not callable(function):
        raise ValueError(f"dataset.generator: {path!r} is not callable")
    return function, None
