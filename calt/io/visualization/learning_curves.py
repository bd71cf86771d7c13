"""Learning curves (loss, token accuracy, success rate against step) as PNG files.

Reads the CSV metrics a run leaves in its ``save_dir`` (Lightning's ``CSVLogger`` writes
``metrics.csv``: one ``step`` column and one column per logged metric, cells empty where a
metric was not logged at that step). Missing columns are tolerated: a figure is drawn
from whatever series exist, and a figure with no series is skipped with a log message.
"""

from __future__ import annotations

import csv
import io
import logging
import math
from dataclasses import dataclass
from pathlib import Path

from calt.atomic import atomic_path

logger = logging.getLogger(__name__)

METRICS_FILE_NAME = "metrics.csv"
STEP_COLUMNS = ("step", "global_step", "trainer/global_step")


@dataclass(frozen=True)
class CurveSpec:
    """One figure: its file stem, y label, and the series to draw as ``(label, candidate column names)``."""

    name: str
    ylabel: str
    series: tuple[tuple[str, tuple[str, ...]], ...]


CURVES = (
    CurveSpec(
        "loss",
        "cross-entropy loss",
        (
            ("train", ("train_loss", "train_loss_step", "loss", "train/loss")),
            ("eval", ("eval_loss", "val_loss", "eval/loss")),
        ),
    ),
    CurveSpec(
        "token_accuracy",
        "token accuracy",
        (
            ("train", ("train_token_accuracy", "train/token_accuracy")),
            ("eval", ("eval_token_accuracy", "val_token_accuracy", "eval/token_accuracy")),
        ),
    ),
    CurveSpec(
        "success_rate",
        "success rate",
        (
            ("eval (teacher forcing)", ("eval_success_rate", "val_success_rate", "eval/success_rate")),
            (
                "eval (generation)",
                ("eval_generation_success_rate", "val_generation_success_rate", "eval/generation_success_rate"),
            ),
        ),
    ),
)


def find_metrics_file(save_dir: str | Path) -> Path | None:
    """The newest ``metrics.csv`` under ``save_dir`` (the run's own, or a logger's ``version_N`` folder)."""
    root = Path(save_dir)
    direct = root / METRICS_FILE_NAME
    if direct.is_file():
        return direct
    found = sorted(root.rglob(METRICS_FILE_NAME), key=lambda path: path.stat().st_mtime)
    return found[-1] if found else None


def read_metrics(path: str | Path) -> dict[str, list[tuple[float, float]]]:
    """Each column of a metrics CSV as ``(step, value)`` pairs, skipping empty and non-numeric cells."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        step_column = next((name for name in STEP_COLUMNS if name in columns), None)
        if step_column is None:
            raise ValueError(f"{path}: no step column (expected one of {list(STEP_COLUMNS)}); columns are {columns}")
        series: dict[str, list[tuple[float, float]]] = {name: [] for name in columns if name != step_column}
        for row in reader:
            step = _to_float(row.get(step_column))
            if step is None:
                continue
            for name in series:
                value = _to_float(row.get(name))
                if value is not None:
                    series[name].append((step, value))
    return {name: points for name, points in series.items() if points}


def plot_learning_curves(save_dir: str | Path, output_dir: str | Path | None = None) -> list[Path]:
    """Write ``learning_curve_{loss,token_accuracy,success_rate}.png`` for the run in ``save_dir``.

    Returns the paths written (empty when the run logged no metrics file or none of the
    known columns). ``output_dir`` defaults to ``save_dir``.
    """
    metrics_file = find_metrics_file(save_dir)
    if metrics_file is None:
        logger.warning("no %s under %s: no learning curves drawn", METRICS_FILE_NAME, save_dir)
        return []
    metrics = read_metrics(metrics_file)
    target = Path(output_dir) if output_dir is not None else Path(save_dir)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in CURVES:
        lines = collect_series(spec, metrics)
        if not lines:
            logger.info("%s: no column for %s; figure skipped", metrics_file, spec.name)
            continue
        path = target / f"learning_curve_{spec.name}.png"
        with atomic_path(path) as temporary:
            curve_figure(spec, lines).savefig(temporary, dpi=100, format="png")
        written.append(path)
    return written


def curve_figures(metrics: dict[str, list[tuple[float, float]]]) -> list[tuple[CurveSpec, object]]:
    """One matplotlib ``Figure`` per curve of ``CURVES`` that ``metrics`` has a column for."""
    return [(spec, curve_figure(spec, lines)) for spec in CURVES if (lines := collect_series(spec, metrics))]


def png_bytes(figure) -> bytes:
    """The figure as PNG bytes (for pages that inline their images)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, dpi=100, format="png")
    return buffer.getvalue()


def collect_series(spec: CurveSpec, metrics: dict[str, list[tuple[float, float]]]):
    """The ``(label, points)`` of a figure, taking the first candidate column that has data."""
    lines = []
    for label, candidates in spec.series:
        column = next((name for name in candidates if name in metrics), None)
        if column is not None:
            lines.append((label, sorted(metrics[column])))
    return lines


def curve_figure(spec: CurveSpec, lines):
    """The figure of ``spec`` with one line per ``(label, points)``."""
    from matplotlib.figure import Figure  # a Figure of its own: no pyplot state, the user's backend untouched

    figure = Figure(figsize=(6, 4))
    axes = figure.subplots()
    for label, points in lines:
        steps, values = zip(*points)
        axes.plot(steps, values, marker="o" if len(points) < 30 else None, markersize=3, label=label)
    axes.set_xlabel("step")
    axes.set_ylabel(spec.ylabel)
    axes.set_title(spec.name.replace("_", " "))
    if spec.name == "loss" and all(value > 0 for _, points in lines for _, value in points):
        axes.set_yscale("log")
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    return figure


def _to_float(cell: str | None) -> float | None:
    if cell is None or cell == "":
        return None
    try:
        value = float(cell)
    except ValueError:
        return None
    return None if math.isnan(value) else value
