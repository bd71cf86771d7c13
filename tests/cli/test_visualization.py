"""Learning curves and the evaluation report: files exist, are non-empty, and say the right things."""

import json

import pytest
from rich.console import Console

from calt.io.visualization.eval_report import (
    EvalSample,
    accuracy_by_target_length,
    load_eval_samples,
    print_summary,
    token_diff,
    write_html_report,
)
from calt.io.visualization.learning_curves import find_metrics_file, plot_learning_curves, read_metrics

# Lightning's CSVLogger layout: one row per logging call, empty cells for metrics not logged then.
METRICS_CSV = """epoch,step,train_loss,lr-AdamW,eval_loss,eval_token_accuracy,eval_generation_success_rate
0,9,3.2,0.001,,,
0,19,2.1,0.001,,,
0,19,,,1.9,0.55,0.10
0,29,1.0,0.0005,,,
0,29,,,0.8,0.91,0.75
"""


def test_read_metrics_keeps_only_logged_cells(tmp_path):
    (tmp_path / "metrics.csv").write_text(METRICS_CSV)
    metrics = read_metrics(tmp_path / "metrics.csv")
    assert metrics["train_loss"] == [(9.0, 3.2), (19.0, 2.1), (29.0, 1.0)]
    assert metrics["eval_generation_success_rate"] == [(19.0, 0.10), (29.0, 0.75)]


def test_learning_curves_written_from_nested_logger_folder(tmp_path):
    nested = tmp_path / "lightning_logs" / "version_0"
    nested.mkdir(parents=True)
    (nested / "metrics.csv").write_text(METRICS_CSV)
    assert find_metrics_file(tmp_path) == nested / "metrics.csv"
    paths = plot_learning_curves(tmp_path)
    assert sorted(path.name for path in paths) == [
        "learning_curve_loss.png",
        "learning_curve_success_rate.png",
        "learning_curve_token_accuracy.png",
    ]
    for path in paths:
        assert path.parent == tmp_path and path.read_bytes()[:4] == b"\x89PNG"


def test_learning_curves_tolerate_missing_columns(tmp_path):
    (tmp_path / "metrics.csv").write_text("step,train_loss\n1,2.0\n2,1.5\n")
    assert [path.name for path in plot_learning_curves(tmp_path)] == ["learning_curve_loss.png"]
    assert plot_learning_curves(tmp_path / "no_run_here") == []


def test_metrics_without_step_column_is_a_clear_error(tmp_path):
    (tmp_path / "metrics.csv").write_text("epoch,loss\n0,1.0\n")
    with pytest.raises(ValueError, match="no step column"):
        read_metrics(tmp_path / "metrics.csv")


def test_token_diff_marks_only_differing_tokens():
    reference, generated = token_diff("C12 E3 + C-2 E0", "C12 E3 + C2 E0")
    assert reference == [("C12", False), ("E3", False), ("+", False), ("C-2", True), ("E0", False)]
    assert generated == [("C12", False), ("E3", False), ("+", False), ("C2", True), ("E0", False)]
    _, longer = token_diff("C8 E3", "C8 E3 + C1 E0")
    assert [token for token, differs in longer if differs] == ["+", "C1", "E0"]


def test_accuracy_by_target_length():
    samples = [EvalSample("C1 E0", "C1 E0"), EvalSample("C2 E0", "C1 E0"), EvalSample("C3 E2 + C1 E0", "C3 E2 + C1 E0 ")]
    buckets = accuracy_by_target_length(samples)
    assert [(b.length, b.total, b.correct) for b in buckets] == [(2, 2, 1), (5, 1, 1)]


def test_html_report_lists_wrong_predictions_with_marks(tmp_path):
    results = [
        {"generated": "C12 E3 + C-2 E0", "reference": "C12 E3 + C-2 E0"},
        {"generated": "C6 E5 + C<3 E0", "reference": "C6 E5 + C-3 E0"},
    ]
    (tmp_path / "eval_results.json").write_text(json.dumps(results))
    report = write_html_report(tmp_path / "eval_results.json")
    assert report == tmp_path / "eval_report.html"
    page = report.read_text()
    assert "50.0%" in page and "(1 / 2)" in page
    assert "<span class='wrong'>C&lt;3</span>" in page  # escaped and marked
    assert "<span class='missing'>C-3</span>" in page


def test_malformed_eval_results_name_the_file_and_record(tmp_path):
    path = tmp_path / "eval_results.json"
    path.write_text(json.dumps([{"generated": "C1 E0"}]))
    with pytest.raises(ValueError, match=r"eval_results.json: record 0 lacks"):
        load_eval_samples(path)


def test_terminal_summary_shows_rate_lengths_and_errors():
    console = Console(record=True, width=120, force_terminal=False)
    print_summary([EvalSample("C2 E0", "C1 E0"), EvalSample("C1 E0", "C1 E0")], console=console)
    text = console.export_text()
    assert "Success rate: 50.0%" in text and "Accuracy by target length" in text and "C2 E0" in text
