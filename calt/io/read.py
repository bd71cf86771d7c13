"""The original's readers: ``problem # answer`` text files, JSONL and pickle files → problems and answers.

They keep calt-x's contract: ``max_samples`` None or -1 reads everything, another value below 1 is an
error; text lines without ``#`` are skipped; JSONL lines without a problem or answer are skipped with a
warning naming the line. ``IOPipeline`` reads through ``calt.io.readers`` (which also keeps line numbers
for error messages); these functions are for scripts written against calt-x.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
from typing import Any

from .preprocessor.load_preprocessors.base import split_line

logger = logging.getLogger(__name__)


def _limit(max_samples: int | None) -> int | None:
    """None for "all" (None or -1); ValueError for 0 or another negative number."""
    if max_samples is None or max_samples == -1:
        return None
    if max_samples <= 0:
        raise ValueError(f"max_samples must be positive or -1 (to load all samples), got {max_samples}")
    return max_samples


def _require_file(data_path: str) -> None:
    if not os.path.exists(data_path):
        raise FileNotFoundError(f"Data file not found: {data_path}")


def _report(count: int, limit: int | None, data_path: str) -> None:
    if limit is not None and count < limit:
        logger.warning("Requested %d samples but only %d found in %s", limit, count, data_path)
    else:
        logger.info("Loaded %d samples from %s", count, data_path)


def read_data_from_file(data_path: str, max_samples: int | None = None) -> tuple[list[str], list[str]]:
    """(problems, answers) of a text file, one ``problem # answer`` per line; other lines are skipped."""
    limit = _limit(max_samples)
    _require_file(data_path)
    inputs: list[str] = []
    targets: list[str] = []
    with open(data_path, encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(inputs) >= limit:
                break
            if "#" not in line:
                continue
            problem, answer = split_line(line)
            inputs.append(problem)
            targets.append(answer)
    _report(len(inputs), limit, data_path)
    return inputs, targets


def read_data_from_jsonl(data_path: str, max_samples: int | None = None) -> list[tuple[Any, Any]]:
    """(problem, answer) pairs of a JSONL file, as parsed (not yet text); ``solution`` stands for ``answer``."""
    limit = _limit(max_samples)
    _require_file(data_path)
    samples: list[tuple[Any, Any]] = []
    with open(data_path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if limit is not None and len(samples) >= limit:
                break
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                logger.warning("Skip line %d in %s: invalid JSON (%s)", number, data_path, error.msg)
                continue
            problem = record.get("problem") if isinstance(record, dict) else None
            answer = (record.get("answer") or record.get("solution")) if isinstance(record, dict) else None
            if problem is None or answer is None:
                logger.warning("Skip line %d in %s: missing 'problem' or 'answer'/'solution' key", number, data_path)
                continue
            samples.append((problem, answer))
    _report(len(samples), limit, data_path)
    return samples


def read_data_from_pickle(data_path: str, max_samples: int | None = None) -> list[tuple[Any, Any]]:
    """(problem, answer) pairs of a pickle file holding a list of them.

    Unpickling runs code from the file: read only pickle files you trust.
    """
    limit = _limit(max_samples)
    _require_file(data_path)
    with open(data_path, "rb") as handle:
        samples = pickle.load(handle)
    if not isinstance(samples, list):
        raise ValueError(f"Pickle file must contain a list of (problem, answer), got {type(samples)}: "
                         f"{data_path}")
    samples = samples[:limit] if limit is not None else samples
    logger.info("Loaded %d samples from %s", len(samples), data_path)
    return samples


def load_dataset_texts(
    data_path: str,
    max_samples: int | None = None,
    use_jsonl: bool = False,
    use_pickle: bool = False,
    dataset_load_preprocessor: Any | None = None,
) -> tuple[list[str], list[str]]:
    """(input_texts, target_texts) of a text, JSONL or pickle file after a load preprocessor (the
    format's default one when None): what ``StandardDataset`` is built from."""
    from .preprocessor.load_preprocessor import (
        JsonlDefaultLoadPreprocessor,
        PickleDefaultLoadPreprocessor,
        TextDefaultLoadPreprocessor,
    )

    if dataset_load_preprocessor is None:
        default = PickleDefaultLoadPreprocessor if use_pickle else JsonlDefaultLoadPreprocessor if use_jsonl \
            else TextDefaultLoadPreprocessor
        dataset_load_preprocessor = default()
    if use_pickle or use_jsonl:
        reader = read_data_from_pickle if use_pickle else read_data_from_jsonl
        sources: list[Any] = [{"problem": p, "answer": a} for p, a in reader(data_path, max_samples)]
    else:
        limit = _limit(max_samples)
        _require_file(data_path)
        with open(data_path, encoding="utf-8") as handle:
            sources = [line.strip() for line in handle if line.strip()]
        sources = sources[:limit] if limit is not None else sources
        _report(len(sources), limit, data_path)
    pairs = [dataset_load_preprocessor.process_sample(source) for source in sources]
    return [p for p, _ in pairs], [a for _, a in pairs]
