"""The parallel engine shared by the backends: seeds → samples → batches → writer.

Work is cut into chunks of consecutive sample indices; each chunk derives every sample's
seed from ``(root_seed, split, index)`` (as calt-x 1.5.0 does), calls the generator, and
returns strings converted by calt-x's rules (``utils.sample_format``).
Chunks come back in order, so the files are identical for any ``n_jobs`` and
``batch_size``. Worker processes receive the generator once, through the pool
initializer, so it must be picklable (a module-level function) unless the start
method is ``fork``.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import numbers
import pickle
import random
import traceback
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any, Callable, Iterator

from tqdm.auto import tqdm

from .utils.dataset_writer import DatasetWriter
from .utils.sample_format import ScalarFormatter, split_problem_answer, to_string_structure
from .utils.seeds import sample_seed
from .utils.statistics import SplitStatistics

logger = logging.getLogger(__name__)

CHUNKS_PER_WORKER_PER_BATCH = 4
MAX_CHUNK_SIZE = 2000


class SampleGenerationError(RuntimeError):
    """``instance_generator`` (or ``statistics_calculator``) raised for a sample."""


@dataclass(frozen=True)
class SampleFailure:
    """A sample whose generation raised: where, with which seed, and the error."""

    split: str
    index: int
    seed: int
    stage: str
    error: str
    traceback: str


@dataclass(frozen=True)
class GenerationJob:
    """Everything a worker needs, sent once per worker process."""

    instance_generator: Callable[[int], Any]
    statistics_calculator: Callable[[Any, Any], Any] | None
    format_scalar: ScalarFormatter
    root_seed: int


@dataclass
class ChunkResult:
    """Samples of consecutive indices, in order, plus the failures among them."""

    samples: list[tuple[Any, Any]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    stats: list[tuple[int, Any]] = field(default_factory=list)
    failures: list[SampleFailure] = field(default_factory=list)
    size: int = 0


def generate_range(job: GenerationJob, split: str, start: int, stop: int) -> ChunkResult:
    """Generate samples ``start .. stop-1`` of ``split`` and convert them to strings."""
    result = ChunkResult(size=stop - start)
    for index in range(start, stop):
        seed = sample_seed(job.root_seed, split, index)
        where = f"{split} sample {index} (seed {seed})"
        # calt-only: generators that draw from the global `random` without seeding it stay reproducible
        # (under calt-x they depend on the worker's state); generators that seed themselves are unaffected
        random.seed(seed)
        began = perf_counter()
        try:
            output = job.instance_generator(seed)
        except Exception as exc:  # reported (or skipped) by the caller with the seed
            result.failures.append(_failure(split, index, seed, "instance_generator", exc))
            continue
        elapsed = perf_counter() - began
        problem, answer = split_problem_answer(output, where)
        if job.statistics_calculator is not None:
            try:
                result.stats.append((index, job.statistics_calculator(problem, answer)))
            except Exception as exc:
                result.failures.append(_failure(split, index, seed, "statistics_calculator", exc))
                continue
        result.samples.append((to_string_structure(problem, job.format_scalar), to_string_structure(answer, job.format_scalar)))
        result.seconds.append(elapsed)
    return result


def _failure(split: str, index: int, seed: int, stage: str, exc: Exception) -> SampleFailure:
    return SampleFailure(split, index, seed, stage, f"{type(exc).__name__}: {exc}", traceback.format_exc())


_WORKER_JOB: GenerationJob | None = None


def _init_worker(job: GenerationJob, parent_pid: int | None = None) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job
    if parent_pid is not None:
        exit_with_parent(parent_pid)


def exit_with_parent(parent_pid: int, poll_seconds: float = 0.5) -> None:
    """End this worker process when ``parent_pid`` dies (a parent killed with SIGKILL cannot stop its workers, and
    orphans would keep generating): a daemon thread watches the parent id."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="calt-exit-with-parent", daemon=True).start()


def _generate_range_in_worker(split: str, start: int, stop: int) -> ChunkResult:
    return generate_range(_WORKER_JOB, split, start, stop)


class BaseDatasetGenerator:
    """Generates named splits with ``n_jobs`` processes and hands them, in order, to a writer.

    Subclasses choose how scalars (numbers, polynomials, ...) become strings through
    ``format_scalar``.
    """

    format_scalar: ScalarFormatter

    def __init__(
        self,
        backend: str = "multiprocessing",
        n_jobs: int = -1,
        verbose: bool = True,
        root_seed: int = 42,
        skip_failed_samples: bool = False,
        start_method: str | None = None,
    ) -> None:
        if backend != "multiprocessing":
            raise ValueError(f"parallel backend must be 'multiprocessing', got {backend!r}")
        self.n_jobs = resolve_n_jobs(n_jobs)
        self.verbose = verbose
        self.root_seed = _check_int("root_seed", root_seed, minimum=None)
        self.skip_failed_samples = skip_failed_samples
        self.start_method = start_method

    def run(
        self,
        dataset_sizes: dict[str, int],
        instance_generator: Callable[[int], Any],
        statistics_calculator: Callable[[Any, Any], Any] | None = None,
        dataset_writer: DatasetWriter | None = None,
        batch_size: int = 100000,
        save_dir: str | None = None,
        save_text: bool = True,
        save_json: bool = True,
    ) -> dict[str, dict]:
        """Generate every split of ``dataset_sizes`` (name → count); return each split's statistics."""
        if not callable(instance_generator):
            raise TypeError(f"instance_generator must be a callable taking a seed, got {instance_generator!r}")
        if not isinstance(dataset_sizes, dict) or not dataset_sizes:
            raise ValueError(f"dataset_sizes must be a non-empty dict of split name -> count, got {dataset_sizes!r}")
        for split, size in dataset_sizes.items():
            _check_int(f"number of {split} samples", size, minimum=0)
        batch_size = _check_int("batch_size", batch_size, minimum=1)
        writer = dataset_writer or DatasetWriter(save_dir=save_dir, save_text=save_text, save_json=save_json)
        job = GenerationJob(instance_generator, statistics_calculator, type(self).format_scalar, self.root_seed)
        executor = self._start_executor(job)
        try:
            return {
                split: self._generate_split(executor, job, writer, split, size, batch_size)
                for split, size in dataset_sizes.items()
            }
        finally:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)

    # ---- internals ---------------------------------------------------------------------
    def _start_executor(self, job: GenerationJob) -> Executor | None:
        if self.n_jobs == 1:
            return None
        context = multiprocessing.get_context(self.start_method)
        if context.get_start_method() != "fork":
            try:
                pickle.dumps(job)
            except Exception as exc:
                raise ValueError(
                    f"instance_generator/statistics_calculator must be picklable to run in "
                    f"{self.n_jobs} '{context.get_start_method()}' worker processes ({exc}); define them as "
                    f"module-level functions (not lambdas or nested functions), or use n_jobs: 1"
                ) from exc
        return ProcessPoolExecutor(self.n_jobs, mp_context=context, initializer=_init_worker,
                                   initargs=(job, os.getpid()))

    def _generate_split(self, executor, job, writer: DatasetWriter, split: str, size: int, batch_size: int) -> dict:
        began = perf_counter()
        statistics = SplitStatistics(split)
        skipped: list[SampleFailure] = []
        written = 0
        writer.open(split)
        try:
            with tqdm(total=size, desc=f"{split}", unit=" samples", disable=not self.verbose) as bar:
                for batch_start in range(0, size, batch_size):
                    batch_stop = min(batch_start + batch_size, size)
                    samples, seconds, sample_stats = [], [], []
                    for chunk in self._chunks(executor, job, split, batch_start, batch_stop):
                        self._handle_failures(chunk.failures, skipped)
                        samples += chunk.samples
                        seconds += chunk.seconds
                        sample_stats += chunk.stats
                        bar.update(chunk.size)
                    writer.save_batch(samples, tag=split)
                    statistics.update(seconds, sample_stats)  # checks the values first, naming a bad sample
                    if job.statistics_calculator is not None:  # one line per written sample
                        writer.save_sample_statistics([stats for _, stats in sample_stats], tag=split)
                    written += len(samples)
        except BaseException:
            writer.abort(split)
            raise
        writer.close(split)
        total_time = perf_counter() - began
        summary = statistics.to_dict(written, total_time)
        if self.skip_failed_samples:  # calt-only keys, absent unless skipping was asked for
            summary.update(num_requested=size, num_skipped=len(skipped))
        writer.save_final_statistics(summary, tag=split)
        self._report(split, size, summary, skipped, writer)
        return summary

    def _chunks(self, executor, job, split: str, start: int, stop: int) -> Iterator[ChunkResult]:
        if executor is None:
            yield generate_range(job, split, start, stop)
            return
        chunk = max(1, min(MAX_CHUNK_SIZE, math.ceil((stop - start) / (self.n_jobs * CHUNKS_PER_WORKER_PER_BATCH))))
        starts = list(range(start, stop, chunk))
        stops = [min(s + chunk, stop) for s in starts]
        try:
            yield from executor.map(_generate_range_in_worker, [split] * len(starts), starts, stops)
        except BrokenProcessPool as exc:
            raise RuntimeError(
                f"a worker process died while generating {split} samples {start}-{stop - 1} "
                f"(out of memory, or a crash inside instance_generator); retry with n_jobs: 1 to see the error"
            ) from exc

    def _handle_failures(self, failures: list[SampleFailure], skipped: list[SampleFailure]) -> None:
        if not failures:
            return
        if not self.skip_failed_samples:
            first = failures[0]
            raise SampleGenerationError(
                f"{first.stage} raised {first.error} on {first.split} sample {first.index} "
                f"(seed {first.seed}); call {first.stage} with that seed to reproduce it, or set "
                f"skip_failed_samples: true to skip such samples.\n--- traceback from the generator ---\n"
                f"{first.traceback}"
            )
        skipped.extend(failures)

    def _report(self, split: str, size: int, summary: dict, skipped: list[SampleFailure], writer: DatasetWriter) -> None:
        if skipped:
            first = skipped[0]
            logger.warning(
                "%s: skipped %d of %d samples because %s raised (first: sample %d, seed %d: %s)",
                split, len(skipped), size, first.stage, first.index, first.seed, first.error,
            )
        message = (
            f"{split}: {summary['num_samples']} samples in {summary['total_time']:.2f} s "
            f"({summary['samples_per_second']:.0f} samples/s) -> {writer.save_dir}"
        )
        logger.info(message)
        if self.verbose:
            tqdm.write(message)


def resolve_n_jobs(n_jobs: int) -> int:
    """Return the number of worker processes: ``n_jobs`` itself, or every CPU core for ``-1``."""
    if n_jobs == -1 and not isinstance(n_jobs, bool):
        return multiprocessing.cpu_count()
    return _check_int("n_jobs", n_jobs, minimum=1, hint=" (or -1 for one per CPU core)")


def _check_int(name: str, value: Any, minimum: int | None, hint: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}{hint}, got {value}")
    return int(value)
