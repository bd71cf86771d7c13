"""Readers of the three data formats: text (``problem # answer``), JSONL and pickle."""

from __future__ import annotations

import json
import logging
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .preprocessor.load_preprocessors.base import DefaultLoadPreprocessor

logger = logging.getLogger(__name__)
PICKLE_SUFFIXES = (".pkl", ".pickle")


@dataclass
class Samples:
    """Problems and answers of one file, with the 1-based line (or record) number of each."""

    path: str
    problems: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)
    raw: list[Any] = field(default_factory=list)  # the first ``keep_raw`` records, before the load preprocessor

    def __len__(self) -> int:
        return len(self.problems)


def detect_format(path: str | Path, use_jsonl: bool = False, use_pickle: bool = False) -> str:
    """``"pickle"`` only when asked (flag or a .pkl/.pickle path), ``"jsonl"`` likewise, else ``"text"``."""
    suffix = Path(path).suffix.lower()
    if use_pickle or suffix in PICKLE_SUFFIXES:
        return "pickle"
    if use_jsonl or suffix == ".jsonl":
        return "jsonl"
    return "text"


def read_samples(
    path: str | Path,
    num_samples: int | None = None,
    load_preprocessor: Any | None = None,
    fmt: str | None = None,
    keep_raw: int = 0,
) -> Samples:
    """Read up to ``num_samples`` (None or -1: all) samples; lines without ``#`` are skipped and reported.

    ``keep_raw`` keeps that many raw records (line, JSON object or pickled item) for display.

    Pickle runs code from the file when loading: read only trusted pickle files.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"data file not found: {path}")
    fmt = fmt or detect_format(path)
    limit = None if num_samples is None or num_samples < 0 else num_samples
    if fmt == "text" and load_preprocessor is None:
        samples, skipped = _read_text_lines(path, limit, keep_raw)
    else:
        samples, skipped = _read_records(path, fmt, limit, load_preprocessor, keep_raw)
    if skipped:
        shown = ", ".join(map(str, skipped[:5])) + (", …" if len(skipped) > 5 else "")
        logger.warning("%s: skipped %d line(s) without '#' between problem and answer (lines %s)",
                       path, len(skipped), shown)
    if not samples.problems:
        raise ValueError(f"{path}: no samples read ({len(skipped)} line(s) skipped for lack of '#'); "
                         "each line must read 'problem # answer'")
    return samples


def _read_text_lines(path: Path, limit: int | None, keep_raw: int) -> tuple[Samples, list[int]]:
    """The default text reader in one tight loop: split at the first ``#``, strip both sides."""
    samples = Samples(str(path))
    problems, answers, numbers = samples.problems, samples.answers, samples.line_numbers
    skipped: list[int] = []
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    for number, line in enumerate(lines, start=1):
        if limit is not None and len(problems) >= limit:
            break
        problem, sep, answer = line.partition("#")
        if not sep:
            if line.strip():
                skipped.append(number)
            continue
        problems.append(problem.strip())
        answers.append(answer.strip())
        numbers.append(number)
    samples.raw = [lines[n - 1] for n in numbers[:keep_raw]]
    return samples, skipped


def _read_records(path: Path, fmt: str, limit: int | None, load_preprocessor: Any | None, keep_raw: int):
    """Any format through a load preprocessor (the default one when None)."""
    preprocessor = load_preprocessor or DefaultLoadPreprocessor()
    samples = Samples(str(path))
    skipped: list[int] = []
    for number, source in _records(path, fmt):
        if limit is not None and len(samples) >= limit:
            break
        if fmt == "text" and not source.strip():
            continue
        try:
            problem, answer = preprocessor.process_sample(source)
        except ValueError as error:
            if fmt == "text" and "#" not in source:
                skipped.append(number)
                continue
            raise ValueError(f"{path}:{number}: {error}") from error
        samples.problems.append(str(problem))
        samples.answers.append(str(answer))
        samples.line_numbers.append(number)
        if len(samples.raw) < keep_raw:
            samples.raw.append(source)
    return samples, skipped


def _records(path: Path, fmt: str):
    """(1-based number, raw sample) pairs."""
    if fmt == "text":
        with open(path, encoding="utf-8") as handle:
            yield from enumerate((line.rstrip("\n") for line in handle), start=1)
    elif fmt == "jsonl":
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: invalid JSON: {error.msg}") from error
    elif fmt == "pickle":
        with open(path, "rb") as handle:
            data = pickle.load(handle)  # trusted data only: unpickling runs code from the file
        if not isinstance(data, (list, tuple)):
            raise ValueError(f"{path}: a pickle dataset must be a list of (problem, answer), got {type(data).__name__}")
        for number, item in enumerate(data, start=1):
            yield number, _pickled_sample(item, path, number)
    else:
        raise ValueError(f"unknown data format {fmt!r}; use 'text', 'jsonl' or 'pickle'")


def _pickled_sample(item: Any, path: Path, number: int) -> dict:
    """A pickled ``(problem, answer)`` pair as ``{"problem", "answer"}``: what a load preprocessor receives, as
    in calt-x (a dict with those keys passes as it is)."""
    if isinstance(item, dict):
        return item
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return {"problem": item[0], "answer": item[1]}
    raise ValueError(f"{path}: item {number} is a {type(item).__name__}, not a (problem, answer) pair")
