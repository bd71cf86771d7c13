"""``DatasetWriter``: writes samples to ``{split}_raw.txt`` / ``{split}_data.jsonl`` atomically."""

from __future__ import annotations

import json
import logging
import numbers
import os
from pathlib import Path
from typing import Any, Iterable, TextIO

import yaml

from .sample_format import StringStructure
from .yaml_dumper import TimedeltaDumper, timedelta_representer  # noqa: F401  (calt-x names, importable here)

logger = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".partial"


class DatasetWriter:
    """Writes ``(problem, answer)`` samples of each split as text lines and/or JSON lines.

    Text: lists joined by ``" | "``, nested lists by ``" || "``, problem and answer by
    ``" # "``. JSON Lines: ``{"problem": ..., "answer": ...}`` keeping the list structure.
    Files are written as ``<name>.partial`` and renamed when the split is closed, so an
    interrupted run never leaves a truncated file under the final name. Use it as a
    context manager: on an exception the partial files are removed.
    """

    INNER_SEP = " | "
    OUTER_SEP = " || "
    PROBLEM_ANSWER_SEP = " # "

    def __init__(self, save_dir: str | os.PathLike | None = None, save_text: bool = True, save_json: bool = True) -> None:
        self.save_dir = Path(save_dir) if save_dir else Path.cwd()
        self.save_text = save_text
        self.save_json = save_json
        self._handles: dict[str, dict[str, TextIO]] = {}

    # ---- paths -------------------------------------------------------------------------
    def text_path(self, split: str) -> Path:
        """Final path of the text file of ``split``."""
        return self.save_dir / f"{split}_raw.txt"

    def json_path(self, split: str) -> Path:
        """Final path of the JSON Lines file of ``split``."""
        return self.save_dir / f"{split}_data.jsonl"

    def statistics_path(self, split: str) -> Path:
        """Path of the statistics YAML of ``split``."""
        return self.save_dir / f"{split}_stats.yaml"

    def sample_statistics_path(self, split: str) -> Path:
        """Path of the per-sample statistics of ``split``: line i holds ``statistics_calculator``'s dict of sample i."""
        return self.save_dir / f"{split}_sample_stats.jsonl"

    def _final_path(self, split: str, kind: str) -> Path:
        return self.sample_statistics_path(split) if kind == "sample_stats" else self._targets(split)[kind]

    def _targets(self, split: str) -> dict[str, Path]:
        targets = {}
        if self.save_text:
            targets["text"] = self.text_path(split)
        if self.save_json:
            targets["json"] = self.json_path(split)
        return targets

    # ---- lifecycle ---------------------------------------------------------------------
    def open(self, tag: str) -> None:
        """Start writing split ``tag``: open its ``.partial`` files (final files stay untouched)."""
        split = tag
        _check_split_name(split)
        if split in self._handles:
            raise ValueError(f"split '{split}' is already open in {self.save_dir}")
        self.save_dir.mkdir(parents=True, exist_ok=True)
        self._handles[split] = {
            kind: open(_partial(path), "w", encoding="utf-8", newline="\n")
            for kind, path in self._targets(split).items()
        }

    def close(self, tag: str) -> None:
        """Finish split ``tag``: flush its partial files and rename them to their final names."""
        split = tag
        for kind, handle in self._handles.pop(split, {}).items():
            handle.close()
            final = self._final_path(split, kind)
            os.replace(_partial(final), final)

    def abort(self, split: str) -> None:
        """Discard ``split``: close and delete its partial files; earlier final files stay."""
        for handle in self._handles.pop(split, {}).values():
            handle.close()
            Path(handle.name).unlink(missing_ok=True)

    def close_all(self) -> None:
        """Finish every open split."""
        for split in list(self._handles):
            self.close(split)

    def abort_all(self) -> None:
        """Discard every open split."""
        for split in list(self._handles):
            self.abort(split)

    def __enter__(self) -> "DatasetWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close_all()
        else:
            self.abort_all()

    # ---- writing -----------------------------------------------------------------------
    def save_batch(self, samples: Iterable[tuple[StringStructure, StringStructure]], tag: str = "train", batch_idx: int = 0) -> None:
        """Append a batch of string samples to ``tag``.

        Between ``open(tag)`` and ``close(tag)`` this appends to the partial files. Without
        ``open``, batch 0 replaces the files (atomically) and later batches append.
        """
        _check_split_name(tag)
        samples = list(samples)
        if tag in self._handles:
            self._write(self._handles[tag], samples, tag)
            return
        if batch_idx == 0:
            self.open(tag)
            try:
                self._write(self._handles[tag], samples, tag)
            except BaseException:
                self.abort(tag)
                raise
            self.close(tag)
            return
        self.save_dir.mkdir(parents=True, exist_ok=True)
        handles = {kind: open(path, "a", encoding="utf-8", newline="\n") for kind, path in self._targets(tag).items()}
        try:
            self._write(handles, samples, tag)
        finally:
            for handle in handles.values():
                handle.close()

    def _write(self, handles: dict[str, TextIO], samples: list, split: str) -> None:
        if "text" in handles:
            handles["text"].write("".join(self.format_text_line(p, a, split) + "\n" for p, a in samples))
        if "json" in handles:
            handles["json"].write(
                "".join(json.dumps({"problem": p, "answer": a}, ensure_ascii=False) + "\n" for p, a in samples)
            )

    def save_sample_statistics(self, statistics: Iterable[Any], tag: str) -> None:
        """Append the per-sample statistics of a batch (in sample order, ``None`` for none) to the open split ``tag``;
        they become ``{tag}_sample_stats.jsonl`` when the split is closed (reports bucket accuracy by them)."""
        handles = self._handles.get(tag)
        if handles is None:
            raise ValueError(f"split '{tag}' is not open in {self.save_dir}: call open('{tag}') first")
        if "sample_stats" not in handles:
            handles["sample_stats"] = open(_partial(self.sample_statistics_path(tag)), "w", encoding="utf-8", newline="\n")
        handles["sample_stats"].write("".join(json.dumps(entry, default=_plain_number) + "\n" for entry in statistics))

    def format_text_line(self, problem: StringStructure, answer: StringStructure, split: str = "") -> str:
        """Return the text line ``problem # answer`` of one sample (without newline)."""
        problem_text, answer_text = self.join(problem), self.join(answer)
        if "#" in problem_text:
            raise ValueError(
                f"a problem of split '{split}' contains '#', which separates problem and answer in "
                f"{split}_raw.txt: {problem_text!r}; use another symbol or set save_text: false"
            )
        line = f"{problem_text}{self.PROBLEM_ANSWER_SEP}{answer_text}"
        if "\n" in line or "\r" in line:
            raise ValueError(
                f"a sample of split '{split}' contains a line break, which would split it in "
                f"{split}_raw.txt: {line!r}; remove line breaks from problems and answers"
            )
        return line

    def join(self, value: StringStructure) -> str:
        """Join a string structure: items by ``" | "``, nested lists first by ``" | "`` then by ``" || "``."""
        if isinstance(value, str):
            return value
        if any(isinstance(item, list) for item in value):
            return self.OUTER_SEP.join(item if isinstance(item, str) else self.INNER_SEP.join(item) for item in value)
        return self.INNER_SEP.join(value)

    def save_final_statistics(self, statistics: dict[str, Any], tag: str = "train") -> Path:
        """Write the statistics of ``tag`` to ``{tag}_stats.yaml`` (atomically) and return the path."""
        _check_split_name(tag)
        self.save_dir.mkdir(parents=True, exist_ok=True)
        path = self.statistics_path(tag)
        with open(_partial(path), "w", encoding="utf-8") as handle:
            yaml.safe_dump(statistics, handle, sort_keys=False, default_flow_style=False, indent=4)  # calt-x's layout
        os.replace(_partial(path), path)
        return path

    def load_dataset_jsonl(self, tag: str) -> list[tuple[Any, Any]]:
        """Read ``{tag}_data.jsonl`` back as ``(problem, answer)`` pairs (``solution`` accepted for answer)."""
        path = self.json_path(tag)
        if not path.exists():
            raise FileNotFoundError(f"JSON Lines file not found: {path}")
        samples = []
        with open(path, encoding="utf-8") as handle:
            for line_number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                record = json.loads(line)
                answer = record.get("answer", record.get("solution"))
                if "problem" not in record or answer is None:
                    raise ValueError(f"{path}, line {line_number}: needs keys 'problem' and 'answer' (or 'solution')")
                samples.append((record["problem"], answer))
        return samples


def _plain_number(value: Any) -> int | float:
    """A statistic as JSON: Sage / NumPy integers and reals become ``int`` / ``float``."""
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"a statistic must be a number, got {value!r} ({type(value).__name__})")


def _partial(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL_SUFFIX)


def _check_split_name(split: str) -> None:
    if not isinstance(split, str) or not split or os.sep in split or "/" in split:
        raise ValueError(f"split name must be a non-empty string without path separators, got {split!r}")


def prepare_save_dir(save_dir: str | os.PathLike) -> Path:
    """Create ``save_dir`` if needed and check that files can be written there; return it as a Path."""
    path = Path(save_dir)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"save_dir {str(path)!r} exists and is not a folder; choose a folder path")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".calt-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise PermissionError(
            f"cannot write dataset files to save_dir {str(path)!r} ({exc.strerror or exc}); "
            f"choose a folder you can write to"
        ) from exc
    return path
