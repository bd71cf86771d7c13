"""The evaluation report of a run: one self-contained HTML page (``eval_report.html``) and a terminal summary.

The page holds the success rate with its 95% interval, the learning curves (PNG images inlined), the
run's configuration, data files (line counts, SHA-256), model size and training time, accuracy by
input and target length (tokens) and, when the dataset was generated with a ``statistics_calculator``,
by each numeric statistic of the test problems; under beam search, how often the right answer was in
the beam but not first; then the wrong predictions with the differing tokens marked. A prediction is
correct when it equals the reference after stripping whitespace, the trainer's rule.
"""

from __future__ import annotations

import base64
import difflib
import html
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from calt.atomic import write_text_atomic

from .accuracy import INTERVAL_NAME, Bucket, accuracy_by_value, wilson_interval
from .learning_curves import curve_figures, png_bytes
from .run_record import EvalSample, RunRecord, load_eval_samples, load_run, success_rate

__all__ = ["EvalSample", "LengthBucket", "REPORT_FILE_NAME", "accuracy_by_target_length", "load_eval_samples",
           "print_summary", "render_html", "render_report", "success_rate", "token_diff", "write_html_report"]

REPORT_FILE_NAME = "eval_report.html"


@dataclass(frozen=True)
class LengthBucket:
    """Accuracy over the samples whose reference has ``length`` tokens."""

    length: int
    total: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def accuracy_by_target_length(samples: list[EvalSample]) -> list[LengthBucket]:
    """One bucket per reference length in tokens, shortest first."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for sample in samples:
        bucket = totals[sample.target_length]
        bucket[0] += 1
        bucket[1] += sample.correct
    return [LengthBucket(length, total, correct) for length, (total, correct) in sorted(totals.items())]


def token_diff(reference: str, generated: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Tokens of each side flagged True where they differ from the other (a token-level ``difflib`` alignment)."""
    ref_tokens, gen_tokens = reference.split(), generated.split()
    ref_marks, gen_marks = [True] * len(ref_tokens), [True] * len(gen_tokens)
    matcher = difflib.SequenceMatcher(a=ref_tokens, b=gen_tokens, autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            ref_marks[block.a + offset] = False
            gen_marks[block.b + offset] = False
    return list(zip(ref_tokens, ref_marks)), list(zip(gen_tokens, gen_marks))


def write_html_report(
    eval_results_path: str | Path, output_path: str | Path | None = None, max_errors: int = 200
) -> Path:
    """Write the report of ``eval_results_path`` and the run around it (its folder) to ``output_path``
    (default: ``eval_report.html`` beside it); return its path."""
    results = Path(eval_results_path)
    record = load_run(results.parent, results)
    output = Path(output_path) if output_path is not None else results.with_name(REPORT_FILE_NAME)
    write_text_atomic(output, render_report(record, title=str(results), max_errors=max_errors))
    return output


def render_html(samples: list[EvalSample], title: str = "evaluation", max_errors: int = 200) -> str:
    """The report of ``samples`` alone (no run folder: no curves, configuration or statistics)."""
    return render_report(RunRecord(Path(title), samples), title=title, max_errors=max_errors)


def render_report(record: RunRecord, title: str | None = None, max_errors: int = 200) -> str:
    """The report of ``record`` as one self-contained HTML page."""
    title = title or str(record.save_dir)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>calt evaluation report: {html.escape(title)}</title>",
        f"<style>{PAGE_CSS}</style></head><body>",
        f"<h1>Evaluation report</h1><p class='source'>{html.escape(title)}</p>",
        _success_section(record),
        _beam_section(record) if record.num_beams > 1 else "",
        _curves_section(record),
        _run_section(record),
        _lengths_section(record),
        _statistics_section(record),
        _errors_section(record, max_errors),
        "</body></html>",
    ]
    return "\n".join(part for part in parts if part)


def rate_with_interval(correct: int, total: int) -> str:
    """``"41.7% (5 / 12), 95% interval 19.3–68.0%"``."""
    low, high = wilson_interval(correct, total)
    rate = correct / total if total else 0.0
    return f"{100 * rate:.1f}% ({correct} / {total}), 95% interval {100 * low:.1f}–{100 * high:.1f}%"


def _success_section(record: RunRecord) -> str:
    return (f"<section id='success'><h2>Success rate</h2>"
            f"<p class='rate'><b>{rate_with_interval(record.correct, len(record.samples))}</b></p>"
            f"<p class='note'>The interval is the {INTERVAL_NAME}: the range of true success rates this test "
            f"set cannot rule out.</p></section>")


def beam_ranks(samples: list[EvalSample]) -> list[tuple[str, int]]:
    """How many samples have the right answer first, at each later beam position, and nowhere in the beam."""
    width = max((len(sample.beam) for sample in samples), default=0)
    counts = [0] * (width + 1)
    for sample in samples:
        rank = sample.beam_rank
        counts[width if rank is None else rank] += 1
    return [(f"beam {rank + 1}", counts[rank]) for rank in range(width)] + [("not in the beam", counts[width])]


def _beam_section(record: RunRecord) -> str:
    total = len(record.samples)
    later = sum(1 for sample in record.samples if (sample.beam_rank or 0) > 0)
    rows, cumulative = [], 0
    for label, count in beam_ranks(record.samples):
        cumulative += count if label != "not in the beam" else 0
        share = f"{100 * count / total:.1f}%" if total else "–"
        within = f"{100 * cumulative / total:.1f}%" if total and label != "not in the beam" else ""
        rows.append(f"<tr><td>{label}</td><td>{count}</td><td>{share}</td><td>{within}</td></tr>")
    return (f"<section id='beam'><h2>Beam search ({record.num_beams} beams)</h2>"
            f"<p class='rate'>Right answer in the beam but not first: <b>{later} / {total}</b>"
            f" ({100 * later / total if total else 0:.1f}%)</p>"
            "<table class='beam'><tr><th>right answer at</th><th>samples</th><th>share</th>"
            f"<th>right answer within the first k beams</th></tr>{''.join(rows)}</table></section>")


def _curves_section(record: RunRecord) -> str:
    figures = curve_figures(record.metrics)
    if not figures:
        return "<section id='curves'><h2>Learning curves</h2><p>No metrics.csv in the run: no curves.</p></section>"
    return ("<section id='curves'><h2>Learning curves</h2>"
            + "".join(inline_png(png_bytes(figure), spec.name) for spec, figure in figures) + "</section>")


def inline_png(data: bytes, alt: str) -> str:
    """An ``<img>`` carrying its PNG bytes (the page needs no other file)."""
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{base64.b64encode(data).decode('ascii')}'>"


def _run_section(record: RunRecord) -> str:
    facts = [("evaluated samples", str(len(record.samples)))]
    if record.num_parameters is not None:
        facts.append(("parameters (exported weights)", f"{record.num_parameters:,}"))
    if record.training is not None:
        facts += [("training time (steps, validation excluded)", f"{record.training.seconds:.1f} s"),
                  ("samples trained on", f"{record.training.samples:,}"),
                  ("training samples/s", f"{record.training.samples_per_second:.1f}")]
    steps = [step for points in record.metrics.values() for step, _ in points]
    if steps:
        facts.append(("last logged step", str(int(max(steps)))))
    rows = "".join(f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>" for name, value in facts)
    parts = [f"<section id='run'><h2>Run</h2><table class='facts'>{rows}</table>"]
    if record.data_files:
        files = "".join(
            f"<tr><td>{html.escape(item.key)}</td><td class='path'>{html.escape(str(item.path))}</td>"
            f"<td>{'missing' if item.sha256 is None else ('–' if item.lines is None else item.lines)}</td>"
            f"<td class='path'>{item.sha256 or '–'}</td></tr>" for item in record.data_files)
        parts.append("<h3>Data files</h3><table class='files'><tr><th>key</th><th>path</th><th>lines</th>"
                     f"<th>SHA-256</th></tr>{files}</table>")
    if record.config:
        config = yaml.safe_dump(record.config, sort_keys=False)
        parts.append(f"<h3>Configuration (train.yaml)</h3><pre class='config'>{html.escape(config)}</pre>")
    parts.append("</section>")
    return "".join(parts)


def bucket_table(buckets: list[Bucket], property_name: str) -> str:
    """Accuracy per bucket of one property, with each bucket's 95% interval."""
    rows = []
    for bucket in buckets:
        low, high = wilson_interval(bucket.correct, bucket.total)
        rows.append(f"<tr><td>{html.escape(bucket.label)}</td><td>{bucket.total}</td><td>{bucket.correct}</td>"
                    f"<td><div class='bar' style='width:{100 * bucket.accuracy:.0f}px'></div>"
                    f"{100 * bucket.accuracy:.1f}%</td><td>{100 * low:.1f}–{100 * high:.1f}%</td></tr>")
    return (f"<table class='buckets' data-property='{html.escape(property_name)}'><tr><th>{html.escape(property_name)}"
            f"</th><th>samples</th><th>correct</th><th>accuracy</th><th>95% interval</th></tr>{''.join(rows)}</table>")


def _lengths_section(record: RunRecord) -> str:
    correct = [sample.correct for sample in record.samples]
    parts = ["<section id='lengths'><h2>Accuracy by length (tokens)</h2>"]
    if all(sample.input is not None for sample in record.samples):
        inputs = accuracy_by_value([sample.input_length for sample in record.samples], correct, LENGTH_BUCKETS)
        parts.append("<h3>By input length</h3>" + bucket_table(inputs, "input length"))
    else:
        parts.append("<p class='note'>No inputs in eval_results.json (written before calt recorded them): "
                     "no accuracy by input length.</p>")
    targets = accuracy_by_value([sample.target_length for sample in record.samples], correct, LENGTH_BUCKETS)
    parts.append("<h3>By target length</h3>" + bucket_table(targets, "target length") + "</section>")
    return "".join(parts)


def statistic_buckets(record: RunRecord) -> dict[str, list[Bucket]]:
    """Accuracy in buckets of each numeric statistic of the test samples ({} without statistics)."""
    if not record.statistics:
        return {}
    correct = [sample.correct for sample in record.samples]
    names = list(dict.fromkeys(name for row in record.statistics for name in row))
    return {name: accuracy_by_value([row.get(name) for row in record.statistics], correct, STATISTIC_BUCKETS)
            for name in names}


def _statistics_section(record: RunRecord) -> str:
    tables = statistic_buckets(record)
    if not tables:
        reason = record.statistics_note or "the run has no per-sample statistics"
        return f"<p class='note' id='no-statistics'>No accuracy by the generator's statistics: {html.escape(reason)}.</p>"
    body = "".join(f"<h3>{html.escape(name)}</h3>{bucket_table(buckets, name)}" for name, buckets in tables.items())
    return ("<section id='statistics'><h2>Accuracy by the generator's statistics</h2>"
            "<p class='note'>From the statistics_calculator of the dataset generation (test_sample_stats.jsonl); "
            f"values in buckets of similar sample counts.</p>{body}</section>")


def _errors_section(record: RunRecord, max_errors: int) -> str:
    wrong = [sample for sample in record.samples if not sample.correct]
    return f"<section id='errors'><h2>Wrong predictions ({len(wrong)})</h2>{_errors_table(wrong, max_errors)}</section>"


def print_summary(samples: list[EvalSample], console=None, max_errors: int = 10) -> None:
    """Rich terminal summary: success rate, the length breakdown, and the first wrong predictions."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console()
    correct = sum(sample.correct for sample in samples)
    console.print(f"[bold]Success rate:[/bold] {rate_with_interval(correct, len(samples))}")
    if any(sample.beam for sample in samples):
        later = sum(1 for sample in samples if (sample.beam_rank or 0) > 0)
        console.print(f"Right answer in the beam but not first: {later} / {len(samples)}")
    lengths = Table(title="Accuracy by target length (tokens)")
    for column in ("length", "samples", "correct", "accuracy"):
        lengths.add_column(column, justify="right")
    for bucket in accuracy_by_target_length(samples):
        lengths.add_row(str(bucket.length), str(bucket.total), str(bucket.correct), f"{100 * bucket.accuracy:.1f}%")
    console.print(lengths)
    wrong = [sample for sample in samples if not sample.correct]
    if not wrong:
        return
    errors = Table(title=f"Wrong predictions (first {min(max_errors, len(wrong))} of {len(wrong)}; differing tokens in red)")
    errors.add_column("reference")
    errors.add_column("generated")
    for sample in wrong[:max_errors]:
        ref_marked, gen_marked = token_diff(sample.reference, sample.generated)
        errors.add_row(_rich_tokens(Text, ref_marked), _rich_tokens(Text, gen_marked))
    console.print(errors)


def _rich_tokens(text_class, marked: list[tuple[str, bool]]):
    text = text_class()
    for index, (token, differs) in enumerate(marked):
        if index:
            text.append(" ")
        text.append(token, style="bold red" if differs else None)
    return text if marked else text_class("(empty)", style="dim")


def _errors_table(wrong: list[EvalSample], max_errors: int) -> str:
    if not wrong:
        return "<p>None: every prediction matches its reference.</p>"
    with_input = all(sample.input is not None for sample in wrong)
    rows = []
    for sample in wrong[:max_errors]:
        ref_marked, gen_marked = token_diff(sample.reference, sample.generated)
        source = f"<td>{html.escape(sample.input or '')}</td>" if with_input else ""
        rows.append(f"<tr>{source}<td>{_html_tokens(ref_marked, 'missing')}</td>"
                    f"<td>{_html_tokens(gen_marked, 'wrong')}</td></tr>")
    note = f"<p>Showing {max_errors} of {len(wrong)}.</p>" if len(wrong) > max_errors else ""
    legend = "<p class='legend'><span class='missing'>reference tokens the prediction lacks</span> · <span class='wrong'>predicted tokens not in the reference</span></p>"
    header = ("<th>input</th>" if with_input else "") + "<th>reference</th><th>generated</th>"
    return f"{legend}<table class='errors'><tr>{header}</tr>{''.join(rows)}</table>{note}"


def _html_tokens(marked: list[tuple[str, bool]], css_class: str) -> str:
    if not marked:
        return "<i>(empty)</i>"
    return " ".join(
        f"<span class='{css_class}'>{html.escape(token)}</span>" if differs else html.escape(token)
        for token, differs in marked
    )


LENGTH_BUCKETS = 20  # one row per length up to this many lengths, then ranges
STATISTIC_BUCKETS = 10

PAGE_CSS = """
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
.errors td { font-family: monospace; }
.missing { background: #cde; text-decoration: underline; }
.wrong { background: #fcc; font-weight: bold; }
.bar { display: inline-block; height: 0.8em; background: #6a6; margin-right: 6px; }
.source { color: #666; font-family: monospace; }
.note { color: #555; font-size: 0.9em; }
.path, .config { font-family: monospace; font-size: 0.85em; }
.facts th { background: #f4f4f4; }
img { max-width: 48%; margin: 0 1% 1em 0; border: 1px solid #ddd; }
pre.config { background: #f8f8f8; padding: 0.8em; max-height: 30em; overflow: auto; }
"""
