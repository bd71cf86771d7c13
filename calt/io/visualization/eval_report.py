"""A report of a generation evaluation (``eval_results.json``): HTML file and rich terminal summary.

Shows the success rate, the accuracy broken down by target length (in tokens), and the
wrong predictions next to their references with the differing tokens marked. A
prediction is correct when it equals the reference after stripping whitespace, the rule
the trainer's generation evaluation uses.
"""

from __future__ import annotations

import difflib
import html
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from calt.atomic import write_text_atomic

REPORT_FILE_NAME = "eval_report.html"


@dataclass(frozen=True)
class EvalSample:
    """One evaluated sample: what the model generated and what it should have."""

    generated: str
    reference: str

    @property
    def correct(self) -> bool:
        return self.generated.strip() == self.reference.strip()

    @property
    def target_length(self) -> int:
        return len(self.reference.split())


@dataclass(frozen=True)
class LengthBucket:
    """Accuracy over the samples whose reference has ``length`` tokens."""

    length: int
    total: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def load_eval_samples(path: str | Path) -> list[EvalSample]:
    """Read ``[{"generated": ..., "reference": ...}, ...]``; a malformed file is a ValueError naming it."""
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
        samples.append(EvalSample(str(record["generated"]), str(record["reference"])))
    return samples


def success_rate(samples: list[EvalSample]) -> float:
    """Fraction of exact matches (0.0 for no samples)."""
    return sum(sample.correct for sample in samples) / len(samples) if samples else 0.0


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
    """Write the HTML report of ``eval_results_path`` (default: ``eval_report.html`` beside it); return its path."""
    samples = load_eval_samples(eval_results_path)
    output = Path(output_path) if output_path is not None else Path(eval_results_path).with_name(REPORT_FILE_NAME)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(output, render_html(samples, title=str(eval_results_path), max_errors=max_errors))
    return output


def render_html(samples: list[EvalSample], title: str = "evaluation", max_errors: int = 200) -> str:
    """The report as one self-contained HTML page."""
    wrong = [sample for sample in samples if not sample.correct]
    correct = len(samples) - len(wrong)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>calt evaluation report: {html.escape(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Evaluation report</h1><p class='source'>{html.escape(title)}</p>",
        f"<p class='rate'>Success rate: <b>{100 * success_rate(samples):.1f}%</b> ({correct} / {len(samples)})</p>",
        "<h2>Accuracy by target length (tokens)</h2>",
        _length_table(accuracy_by_target_length(samples)),
        f"<h2>Wrong predictions ({len(wrong)})</h2>",
        _errors_table(wrong, max_errors),
        "</body></html>",
    ]
    return "\n".join(parts)


def print_summary(samples: list[EvalSample], console=None, max_errors: int = 10) -> None:
    """Rich terminal summary: success rate, the length breakdown, and the first wrong predictions."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console()
    console.print(f"[bold]Success rate:[/bold] {100 * success_rate(samples):.1f}% ({len(samples)} samples)")
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


def _length_table(buckets: list[LengthBucket]) -> str:
    rows = "".join(
        f"<tr><td>{b.length}</td><td>{b.total}</td><td>{b.correct}</td>"
        f"<td><div class='bar' style='width:{100 * b.accuracy:.0f}px'></div>{100 * b.accuracy:.1f}%</td></tr>"
        for b in buckets
    )
    return f"<table><tr><th>length</th><th>samples</th><th>correct</th><th>accuracy</th></tr>{rows}</table>"


def _errors_table(wrong: list[EvalSample], max_errors: int) -> str:
    if not wrong:
        return "<p>None: every prediction matches its reference.</p>"
    rows = []
    for sample in wrong[:max_errors]:
        ref_marked, gen_marked = token_diff(sample.reference, sample.generated)
        rows.append(f"<tr><td>{_html_tokens(ref_marked, 'missing')}</td><td>{_html_tokens(gen_marked, 'wrong')}</td></tr>")
    note = f"<p>Showing {max_errors} of {len(wrong)}.</p>" if len(wrong) > max_errors else ""
    legend = "<p class='legend'><span class='missing'>reference tokens the prediction lacks</span> · <span class='wrong'>predicted tokens not in the reference</span></p>"
    return f"{legend}<table class='errors'><tr><th>reference</th><th>generated</th></tr>{''.join(rows)}</table>{note}"


def _html_tokens(marked: list[tuple[str, bool]], css_class: str) -> str:
    if not marked:
        return "<i>(empty)</i>"
    return " ".join(
        f"<span class='{css_class}'>{html.escape(token)}</span>" if differs else html.escape(token)
        for token, differs in marked
    )


_CSS = """
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
.errors td { font-family: monospace; }
.missing { background: #cde; text-decoration: underline; }
.wrong { background: #fcc; font-weight: bold; }
.bar { display: inline-block; height: 0.8em; background: #6a6; margin-right: 6px; }
.source { color: #666; font-family: monospace; }
"""
