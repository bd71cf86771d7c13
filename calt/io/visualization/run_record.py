"""What one finished run left in its ``save_dir``, read back for reports and comparisons.

``eval_results.json`` (generated answers), ``train.yaml`` (the resolved configuration), ``metrics.csv``
(learning curves, training time), the exported weights (model size), the data files ``train.yaml`` names
(line counts, hashes) and, when the dataset was generated with a ``statistics_calculator``, the
``test_sample_stats.jsonl`` beside the test file (one statistics dict per test sample, in file order).
Every part but the evaluation results is optional: a report shows what the run has.
"""

from __future__ import annotations

import hashlib
import json
import logging
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .learning_curves import find_metrics_file, read_metrics

logger = logging.getLogger(__name__)

EVAL_RESULTS_FILE = "eval_results.json"
CONFIG_FILE = "train.yaml"
SAMPLE_STATS_FILE = "test_sample_stats.jsonl"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
TEXT_SUFFIXES = (".txt", ".jsonl", ".yaml", ".yml", ".json")


@dataclass(frozen=True)
class EvalSample:
    """One evaluated sample: what the model generated, what it should have, its input and (beam search) every beam."""

    generated: str
    reference: str
    input: str | None = None
    beam: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        return self.generated.strip() == self.reference.strip()

    @property
    def target_length(self) -> int:
        return len(self.reference.split())

    @property
    def input_length(self) -> int | None:
        return None if self.input is None else len(self.input.split())

    @property
    def beam_rank(self) -> int | None:
        """Position (0 = top) of the first beam equal to the reference; None when no beam is."""
        return next((rank for rank, text in enumerate(self.beam) if text.strip() == self.reference.strip()), None)


def load_eval_samples(path: str | Path) -> list[EvalSample]:
    """Read ``[{"generated", "reference"[, "input", "beam"]}, ...]``; a malformed file is a ValueError naming it."""
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(records, list):
        raise ValueError(f"{path}: expected a list of {{'generated', 'reference'}} records, got {type(records).__name__}")
    samples = []
    for index, record in enumerate(records):
        if not isinstance(record, dict) or "generated" not in record or "reference" not in record:
            raise ValueError(f"{path}: record {index} lacks 'generated' or 'reference': {record!r}")
        beam = record.get("beam", [])
        if not isinstance(beam, list) or not all(isinstance(text, str) for text in beam):
            raise ValueError(f"{path}: record {index}: 'beam' must be a list of strings, got {beam!r}")
        source = record.get("input")
        samples.append(EvalSample(str(record["generated"]), str(record["reference"]),
                                  None if source is None else str(source), tuple(beam)))
    return samples


def success_rate(samples: list[EvalSample]) -> float:
    """Fraction of exact matches (0.0 for no samples)."""
    return sum(sample.correct for sample in samples) / len(samples) if samples else 0.0


@dataclass(frozen=True)
class DataFile:
    """A file the run read: its role in ``train.yaml``, path, line count (text files) and SHA-256."""

    key: str
    path: Path
    lines: int | None
    sha256: str | None


@dataclass(frozen=True)
class TrainingTime:
    """Time spent in training steps (validation excluded) and the samples trained on (all devices), as logged
    by the throughput monitor (``train/time``, ``train/samples``), summed over resumed sessions."""

    seconds: float
    samples: int

    @property
    def samples_per_second(self) -> float:
        return self.samples / self.seconds if self.seconds > 0 else 0.0


@dataclass
class RunRecord:
    """One run, as far as its ``save_dir`` tells."""

    save_dir: Path
    samples: list[EvalSample]
    config: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    data_files: list[DataFile] = field(default_factory=list)
    num_parameters: int | None = None
    training: TrainingTime | None = None
    statistics: list[dict[str, float]] | None = None  # per eval sample, flattened ("problem.degree": 3)
    statistics_note: str = ""  # why ``statistics`` is None

    @property
    def name(self) -> str:
        return self.save_dir.name

    @property
    def correct(self) -> int:
        return sum(sample.correct for sample in self.samples)

    @property
    def num_beams(self) -> int:
        return max((len(sample.beam) for sample in self.samples), default=0) or 1


def load_run(save_dir: str | Path, eval_results: str | Path | None = None) -> RunRecord:
    """Read the run in ``save_dir`` (evaluation results from ``eval_results``, default ``save_dir/eval_results.json``)."""
    root = Path(save_dir)
    results = Path(eval_results) if eval_results is not None else root / EVAL_RESULTS_FILE
    if not results.is_file():
        raise FileNotFoundError(f"{results} not found: {root} is not a finished run (run `calt evaluate {root}` first)")
    record = RunRecord(root, load_eval_samples(results), config=read_config(root))
    metrics_file = find_metrics_file(root)
    if metrics_file is not None:
        record.metrics = read_metrics(metrics_file)
        record.training = training_time(record.metrics)
    record.data_files = data_files(record.config)
    record.num_parameters = count_parameters(root)
    record.statistics, record.statistics_note = eval_set_statistics(record.config, len(record.samples))
    return record


def read_config(save_dir: Path) -> dict[str, Any]:
    """The run's ``train.yaml`` as a dict ({} when the run has none)."""
    path = save_dir / CONFIG_FILE
    if not path.is_file():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping of config blocks, got {type(loaded).__name__}")
    return loaded


def flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"train": {"seed": 1}}`` → ``{"train.seed": 1}`` (lists stay values)."""
    flat: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def split_data_key(data: dict[str, Any], split: str = "test") -> str:
    """The ``data`` key of the file a run reads for ``split``: a pickle path, else a JSONL path, else the text path."""
    for kind in ("pickle", "jsonl"):
        if data.get(f"{split}_dataset_{kind}"):
            return f"{split}_dataset_{kind}"
    return f"{split}_dataset_path"


def data_files(config: dict[str, Any]) -> list[DataFile]:
    """The lexer config and the train / test files the run read, with line counts and hashes (None if gone)."""
    data = config.get("data") or {}
    keys = ["lexer_config", split_data_key(data, "train"), split_data_key(data, "test")]
    found = []
    for key in keys:
        value = data.get(key)
        if not value:
            continue
        path = Path(str(value))
        if not path.is_file():
            found.append(DataFile(f"data.{key}", path, None, None))
            continue
        digest, lines = file_digest_and_lines(path)
        found.append(DataFile(f"data.{key}", path, lines if path.suffix in TEXT_SUFFIXES else None, digest))
    return found


def file_digest_and_lines(path: Path, chunk: int = 1 << 20) -> tuple[str, int]:
    """SHA-256 hex digest and number of lines (a last line without newline counts) in one pass."""
    digest, lines, last = hashlib.sha256(), 0, b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
            lines += block.count(b"\n")
            last = block[-1:]
    return digest.hexdigest(), lines + (last != b"\n")


def count_parameters(save_dir: Path) -> int | None:
    """Numbers stored in the exported weights (``model.safetensors`` or ``pytorch_model.bin``); None if absent."""
    for name in WEIGHT_FILES:
        path = save_dir / name
        if not path.is_file():
            continue
        if name.endswith(".safetensors"):
            from safetensors import safe_open

            with safe_open(str(path), framework="pt") as weights:
                return sum(_product(weights.get_slice(key).get_shape()) for key in weights.keys())
        import torch

        state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        storages = {tensor.untyped_storage().data_ptr(): tensor.numel() for tensor in state.values()}
        return sum(storages.values())  # tied tensors share one storage and count once
    return None


def _product(shape) -> int:
    total = 1
    for size in shape:
        total *= int(size)
    return total


def training_time(metrics: dict[str, list[tuple[float, float]]]) -> TrainingTime | None:
    """Training seconds and samples from the cumulative ``train/time`` and ``train/samples`` columns; a value that
    drops marks a resumed session, whose count starts again."""
    times, samples = metrics.get("train/time"), metrics.get("train/samples")
    if not times or not samples:
        return None
    per_device = _sum_of_sessions([value for _, value in samples])
    return TrainingTime(_sum_of_sessions([value for _, value in times]), int(per_device * _world_size(metrics)))


def _world_size(metrics: dict[str, list[tuple[float, float]]]) -> int:
    """Devices that trained: the monitor counts ``train/samples`` per device and, with several devices, logs the
    global ``train/samples_per_sec`` next to ``train/device/samples_per_sec`` (once its 20-step window is full)."""
    total = dict(metrics.get("train/samples_per_sec", []))
    device = dict(metrics.get("train/device/samples_per_sec", []))
    ratios = [total[step] / device[step] for step in total.keys() & device.keys() if device[step] > 0]
    return max(1, round(sorted(ratios)[len(ratios) // 2])) if ratios else 1


def _sum_of_sessions(values: list[float]) -> float:
    total, previous = 0.0, 0.0
    for value in values:
        if value < previous:
            total += previous
        previous = value
    return total + previous


def eval_set_statistics(config: dict[str, Any], num_samples: int) -> tuple[list[dict[str, float]] | None, str]:
    """The per-sample statistics of the evaluated test samples, flattened, and '' — or None and the reason.

    Sample ``i`` of ``eval_results.json`` is line ``i`` of the test file, so line ``i`` of the
    ``test_sample_stats.jsonl`` written with it; the counts must agree for that to hold.
    """
    data = config.get("data") or {}
    key = split_data_key(data)
    test_file = data.get(key)
    if not test_file:
        return None, "the run's train.yaml names no test file"
    test_path = Path(str(test_file))
    stats_path = next((folder / SAMPLE_STATS_FILE for folder in (test_path.parent, test_path.parent.parent)
                       if (folder / SAMPLE_STATS_FILE).is_file()), None)
    if stats_path is None:
        return None, (f"no {SAMPLE_STATS_FILE} beside {test_path}: the dataset was generated without a "
                      "statistics_calculator")
    rows = [json.loads(line) for line in stats_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    limit = data.get("num_test_samples", -1)
    expected = len(rows) if limit in (None, -1) else min(int(limit), len(rows))
    if num_samples != expected:
        return None, (f"{stats_path} has {len(rows)} samples but the run evaluated {num_samples} "
                      f"(data.num_test_samples = {limit}): they cannot be matched")
    if test_path.suffix in (".txt", ".jsonl") and test_path.is_file():
        count = sum(1 for line in test_path.read_text(encoding="utf-8").splitlines() if line.strip())
        if count != len(rows):
            return None, f"{stats_path} has {len(rows)} samples, {test_path} has {count}: the data file was replaced"
    return [_numeric(flatten(row) if isinstance(row, dict) else {}) for row in rows[:num_samples]], ""


def _numeric(flat: dict[str, Any]) -> dict[str, float]:
    return {key: float(value) for key, value in flat.items()
            if isinstance(value, numbers.Real) and not isinstance(value, bool)}
