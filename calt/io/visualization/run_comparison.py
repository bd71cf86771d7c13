"""Runs side by side (``calt compare``): success rates with intervals, curves overlaid, the configuration
keys that differ, and accuracy per bucket, on one HTML page and as a terminal table.

Runs can be grouped, so that several seeds of one configuration show as a mean and a spread: every
glob pattern given is one group (``results/d256_seed*``), or ``by_config`` groups all runs by a hash of
their configuration without the keys that only seed, place or log a run (:data:`NOT_CONFIGURATION`).
"""

from __future__ import annotations

import glob
import hashlib
import html
import json
import statistics as stats
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calt.atomic import write_text_atomic

from .accuracy import INTERVAL_NAME, Bucket, accuracy_in_ranges, bucket_ranges, wilson_interval
from .eval_report import LENGTH_BUCKETS, PAGE_CSS, STATISTIC_BUCKETS, inline_png
from .learning_curves import CURVES, png_bytes
from .run_record import EVAL_RESULTS_FILE, RunRecord, flatten, load_run

LOCATION_KEYS = ("train.save_dir", "train.output_dir")  # where a run is: its name already says so
SEED_KEYS = ("train.seed",)  # what tells seeds of one configuration apart
NOT_CONFIGURATION = (*LOCATION_KEYS, *SEED_KEYS, "wandb.*")  # left out of the configuration hash
COMPARISON_FILE_NAME = "comparison.html"


@dataclass
class RunGroup:
    """Runs shown as one entry: one run, the runs a glob matched, or the runs of one configuration hash."""

    label: str
    runs: list[RunRecord]

    @property
    def rates(self) -> list[float]:
        return [run.correct / len(run.samples) if run.samples else 0.0 for run in self.runs]

    @property
    def mean(self) -> float:
        return stats.fmean(self.rates)

    @property
    def spread(self) -> float:
        """Sample standard deviation of the runs' success rates (0 for one run)."""
        return stats.stdev(self.rates) if len(self.runs) > 1 else 0.0

    @property
    def correct(self) -> int:
        return sum(run.correct for run in self.runs)

    @property
    def total(self) -> int:
        return sum(len(run.samples) for run in self.runs)

    def interval(self) -> tuple[float, float]:
        """Wilson 95% interval of all the group's evaluated samples together."""
        return wilson_interval(self.correct, self.total)

    def values(self, key: str) -> list[Any]:
        """The distinct values of a flattened configuration key across the group's runs (``None``: not set)."""
        found = []
        for run in self.runs:
            value = flatten(run.config).get(key)
            if value not in found:
                found.append(value)
        return found


def is_configuration(key: str) -> bool:
    return not any(key == item or (item.endswith(".*") and key.startswith(item[:-1])) for item in NOT_CONFIGURATION)


def config_hash(config: dict[str, Any]) -> str:
    """Short SHA-256 of the configuration without location, seed and logging keys: seeds of one setup agree."""
    kept = {key: value for key, value in flatten(config).items() if is_configuration(key)}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()[:10]


def expand_runs(patterns: list[str]) -> list[tuple[str, list[Path]]]:
    """Each argument with the run folders it names (a glob pattern: every match holding eval_results.json)."""
    expanded = []
    for pattern in patterns:
        if glob.has_magic(pattern):
            matches = sorted(Path(path) for path in glob.glob(pattern) if (Path(path) / EVAL_RESULTS_FILE).is_file())
            if not matches:
                raise FileNotFoundError(f"{pattern!r} matches no run folder with {EVAL_RESULTS_FILE}")
        else:
            matches = [Path(pattern)]
            if not (matches[0] / EVAL_RESULTS_FILE).is_file():
                raise FileNotFoundError(f"{pattern}: no {EVAL_RESULTS_FILE} (give the save_dir of a finished run)")
        expanded.append((pattern, matches))
    return expanded


def group_runs(patterns: list[str], by_config: bool = False) -> list[RunGroup]:
    """One group per argument (a glob is one group), or with ``by_config`` one group per configuration hash."""
    expanded = expand_runs(patterns)
    folders = dict.fromkeys(path.resolve() for _, paths in expanded for path in paths)  # each run read once
    records = {path: load_run(path) for path in folders}
    if not by_config:
        return [RunGroup(pattern if len(paths) > 1 or glob.has_magic(pattern) else paths[0].name,
                         [records[path.resolve()] for path in paths]) for pattern, paths in expanded]
    groups: dict[str, list[RunRecord]] = {}
    for record in records.values():
        groups.setdefault(config_hash(record.config), []).append(record)
    return [RunGroup(f"config {digest}", runs) for digest, runs in groups.items()]


def differing_keys(groups: list[RunGroup]) -> list[str]:
    """Configuration keys whose values differ between entries; location keys and keys that already vary
    inside an entry (see :func:`varying_within`) are left out."""
    inside = set(varying_within(groups))
    return [key for key in _all_keys(groups) if key not in LOCATION_KEYS and key not in inside
            and len({json.dumps(group.values(key), default=str) for group in groups}) > 1]


def varying_within(groups: list[RunGroup]) -> list[str]:
    """Configuration keys that take several values inside one group (seeds, typically; location keys excluded)."""
    return [key for key in _all_keys(groups)
            if key not in LOCATION_KEYS and any(len(group.values(key)) > 1 for group in groups)]


def _all_keys(groups: list[RunGroup]) -> list[str]:
    return sorted({key for group in groups for run in group.runs for key in flatten(run.config)})


def bucket_properties(groups: list[RunGroup]) -> dict[str, list[list[tuple[float | None, bool]]]]:
    """For each property every run has (input length, target length, each statistic): per group, the
    ``(value, correct)`` pairs of all its runs' samples."""
    runs = [run for group in groups for run in group.runs]
    properties: dict[str, Any] = {}
    if all(sample.input is not None for run in runs for sample in run.samples):
        properties["input length"] = lambda run: [sample.input_length for sample in run.samples]
    properties["target length"] = lambda run: [sample.target_length for sample in run.samples]
    if all(run.statistics for run in runs):
        shared = set.intersection(*({name for row in run.statistics for name in row} for run in runs))
        for name in sorted(shared):
            properties[name] = lambda run, name=name: [row.get(name) for row in run.statistics]
    return {name: [[pair for run in group.runs for pair in zip(values_of(run), (s.correct for s in run.samples))]
                   for group in groups] for name, values_of in properties.items()}


def side_by_side_buckets(groups: list[RunGroup]) -> dict[str, list[list[Bucket]]]:
    """Per property, one bucket list per group over the same ranges (drawn from all groups' values)."""
    tables = {}
    for name, per_group in bucket_properties(groups).items():
        values = [value for pairs in per_group for value, _ in pairs if value is not None]
        limit = LENGTH_BUCKETS if name.endswith("length") else STATISTIC_BUCKETS
        ranges = bucket_ranges(values, limit)
        tables[name] = [accuracy_in_ranges([v for v, _ in pairs], [c for _, c in pairs], ranges) for pairs in per_group]
    return tables


def write_comparison(groups: list[RunGroup], output: str | Path) -> Path:
    """Write the comparison page of ``groups`` to ``output`` (atomically); return its path."""
    output = Path(output)
    write_text_atomic(output, render_comparison(groups))
    return output


def render_comparison(groups: list[RunGroup]) -> str:
    """The comparison as one self-contained HTML page."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>calt comparison</title>",
        f"<style>{PAGE_CSS}</style></head><body><h1>Comparison of {sum(len(g.runs) for g in groups)} runs</h1>",
        _rates_section(groups), _config_section(groups), _curves_section(groups), _buckets_section(groups),
        "</body></html>",
    ]
    return "\n".join(parts)


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def rate_rows(groups: list[RunGroup]) -> list[list[str]]:
    """Rows of the success-rate table (shared by the page and the terminal)."""
    rows = []
    for group in groups:
        low, high = group.interval()
        spread = f"± {_percent(group.spread)}" if len(group.runs) > 1 else "–"
        rows.append([group.label, str(len(group.runs)), str(group.total), _percent(group.mean), spread,
                     f"{_percent(low)}–{_percent(high)}", ", ".join(_percent(rate) for rate in group.rates)])
    return rows


RATE_COLUMNS = ["entry", "runs", "samples", "success (mean)", "sd", "95% interval", "per run"]


def _rates_section(groups: list[RunGroup]) -> str:
    header = "".join(f"<th>{column}</th>" for column in RATE_COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rate_rows(groups))
    members = "".join(f"<li><b>{html.escape(g.label)}</b>: {html.escape(', '.join(str(r.save_dir) for r in g.runs))}</li>"
                      for g in groups)
    return (f"<section id='rates'><h2>Success rates</h2><table class='rates'><tr>{header}</tr>{body}</table>"
            f"<p class='note'>95% interval: {INTERVAL_NAME} over all the entry's evaluated samples together; "
            f"it shows the test-set noise only. sd is the standard deviation of the runs' rates (seed to seed).</p><ul>{members}</ul></section>")


def _config_section(groups: list[RunGroup]) -> str:
    keys = differing_keys(groups)
    inside = varying_within(groups)
    header = "<th>key</th>" + "".join(f"<th>{html.escape(group.label)}</th>" for group in groups)
    rows = "".join(
        f"<tr><td>{html.escape(key)}</td>"
        + "".join(f"<td>{html.escape(', '.join(json.dumps(v, default=str) for v in g.values(key)))}</td>" for g in groups)
        + "</tr>" for key in keys)
    table = f"<table class='differing'><tr>{header}</tr>{rows}</table>" if keys else "<p>None: the entries share one configuration.</p>"
    within = (f"<p class='note' id='varying-within'>Varying inside an entry: {html.escape(', '.join(inside))}.</p>"
              if inside else "")
    return f"<section id='config'><h2>Configuration keys that differ</h2>{table}{within}</section>"


def _curves_section(groups: list[RunGroup]) -> str:
    images = []
    for spec in CURVES:
        for label, candidates in spec.series:
            figure = overlay_figure(groups, candidates, f"{spec.name.replace('_', ' ')}: {label}", spec.ylabel)
            if figure is not None:
                images.append(inline_png(png_bytes(figure), f"{spec.name} {label}"))
    body = "".join(images) or "<p>No metrics.csv in these runs: no curves.</p>"
    return f"<section id='curves'><h2>Learning curves</h2>{body}</section>"


def overlay_figure(groups: list[RunGroup], candidates: tuple[str, ...], title: str, ylabel: str):
    """One line per entry (the mean over its runs at the steps all of them logged; a band from min to max);
    None when no run logged the metric."""
    from matplotlib.figure import Figure  # no pyplot state, the user's backend untouched

    figure, drawn = Figure(figsize=(6, 4)), False
    axes = figure.subplots()
    for group in groups:
        series = [next((dict(run.metrics[c]) for c in candidates if c in run.metrics), None) for run in group.runs]
        series = [points for points in series if points]
        if not series:
            continue
        steps = sorted(set.intersection(*(set(points) for points in series)))
        if not steps:
            continue
        values = [[points[step] for points in series] for step in steps]
        axes.plot(steps, [stats.fmean(v) for v in values], label=group.label, marker="o" if len(steps) < 30 else None,
                  markersize=3)
        if len(series) > 1:
            axes.fill_between(steps, [min(v) for v in values], [max(v) for v in values], alpha=0.2)
        drawn = True
    if not drawn:
        return None
    axes.set_xlabel("step")
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    return figure


def _buckets_section(groups: list[RunGroup]) -> str:
    parts = ["<section id='buckets'><h2>Accuracy per bucket</h2><p class='note'>accuracy (samples) of each entry; "
             "an entry of several runs pools their samples.</p>"]
    header = "".join(f"<th>{html.escape(group.label)}</th>" for group in groups)
    for name, per_group in side_by_side_buckets(groups).items():
        rows = []
        for index, bucket in enumerate(per_group[0]):
            cells = "".join(f"<td>{_percent(buckets[index].accuracy)} ({buckets[index].total})</td>" for buckets in per_group)
            rows.append(f"<tr><td>{html.escape(bucket.label)}</td>{cells}</tr>")
        parts.append(f"<h3>{html.escape(name)}</h3><table class='buckets' data-property='{html.escape(name)}'>"
                     f"<tr><th>{html.escape(name)}</th>{header}</tr>{''.join(rows)}</table>")
    parts.append("</section>")
    return "".join(parts)


def print_comparison(groups: list[RunGroup], console=None) -> None:
    """The success-rate table and the differing keys in the terminal."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    table = Table(title=f"Success rates ({INTERVAL_NAME})")
    for column in RATE_COLUMNS:
        table.add_column(column, justify="left" if column in ("entry", "per run") else "right")
    for row in rate_rows(groups):
        table.add_row(*row)
    console.print(table)
    keys = differing_keys(groups)
    console.print("Configuration keys that differ: " + (", ".join(keys) if keys else "none"))
    inside = varying_within(groups)
    if inside:
        console.print("Varying inside an entry: " + ", ".join(inside))
