"""The evaluation report of a tiny real run (every section, numbers checked against eval_results.json and the
data files), a run without statistics, and ``calt compare`` grouping seeds and naming the keys that differ.

Pages are checked with a strict ``html.parser`` pass and every inlined image is decoded with PIL; when a
Chromium is installed (Debian: ``apt-get install chromium``) they are also opened in headless Chromium."""

import hashlib
import json
import shutil
import statistics
from pathlib import Path

import pytest
import torch
import yaml

from calt.cli import main
from calt.io.visualization.accuracy import bucket_ranges, wilson_interval
from calt.io.visualization.eval_report import write_html_report
from calt.io.visualization.run_comparison import differing_keys, group_runs, varying_within
from calt.io.visualization.run_record import TrainingTime, training_time

from html_pages import chromium, open_in_browser, parse_page

TINY = ["model.num_encoder_layers=1", "model.num_decoder_layers=1", "model.d_model=16", "model.encoder_ffn_dim=32",
        "model.decoder_ffn_dim=32", "model.num_encoder_heads=2", "model.num_decoder_heads=2", "train.batch_size=16",
        "train.test_batch_size=12", "train.eval_steps=5", "train.save_steps=5", "train.logging_steps=1",
        "train.disable_tqdm=true", "train.generation_max_length=12", "train.num_train_epochs=2", "train.num_beams=2"]
SECTIONS = ["success", "beam", "curves", "run", "lengths", "statistics", "errors"]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, repo_root):
    """A tiny run of the default task (which has a statistics_calculator), evaluated with 2 beams."""
    root = tmp_path_factory.mktemp("report")
    assert main(["generate", str(repo_root / "configs" / "data.yaml"), f"dataset.save_dir={root / 'data'}",
                 "dataset.num_train_samples=80", "dataset.num_test_samples=24"]) == 0
    assert main(["train", str(repo_root / "configs" / "train.yaml"), f"data.lexer_config={repo_root / 'configs' / 'lexer.yaml'}",
                 f"data.train_dataset_path={root / 'data' / 'train_raw.txt'}",
                 f"data.test_dataset_path={root / 'data' / 'test_raw.txt'}", f"train.save_dir={root / 'run'}",
                 *TINY]) == 0
    return root


def graded_copy(run: Path, target: Path, right_every: int, beam_rescues_every: int) -> list[dict]:
    """A copy of ``run`` whose eval_results.json has every ``right_every``-th answer right and, every
    ``beam_rescues_every``-th one, the right answer second in the beam: numbers that a report can get wrong."""
    shutil.copytree(run, target, ignore=shutil.ignore_patterns("checkpoints", "eval_report.html", ".calt.lock"))
    rows = json.loads((target / "eval_results.json").read_text())
    for index, row in enumerate(rows):
        wrong = row["reference"] + " + C1 E0"
        if index % right_every == 0:
            row["generated"], row["beam"] = row["reference"], [row["reference"], wrong]
        elif index % beam_rescues_every == 0:
            row["generated"], row["beam"] = wrong, [wrong, row["reference"]]
        else:
            row["generated"], row["beam"] = wrong, [wrong, wrong + " + C2 E0"]
    (target / "eval_results.json").write_text(json.dumps(rows))
    return rows


def accuracy_rows(values, correct):
    """Expected rows of a bucket table: (label, samples, correct, accuracy, interval), computed here."""
    rows = []
    for low, high in bucket_ranges(values, 20 if len(set(values)) <= 20 else 10):
        inside = [c for v, c in zip(values, correct) if low <= v <= high]
        label = f"{low:g}" if low == high else f"{low:g}–{high:g}"
        lo, hi = wilson_interval(sum(inside), len(inside))
        rows.append([label, str(len(inside)), str(sum(inside)), f"{100 * sum(inside) / len(inside):.1f}%",
                     f"{100 * lo:.1f}–{100 * hi:.1f}%"])
    return rows


def test_wilson_interval_matches_published_values():
    # Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 -> 0.2553-0.3662, 15/148 -> 0.0624-0.1605
    assert [round(x, 4) for x in wilson_interval(81, 263)] == [0.2553, 0.3662]
    assert [round(x, 4) for x in wilson_interval(15, 148)] == [0.0624, 0.1605]
    assert wilson_interval(0, 12)[0] == 0.0 and wilson_interval(12, 12)[1] == 1.0


def test_buckets_cover_every_value_and_never_split_equal_values():
    values = [1] * 50 + list(range(2, 40)) + [7] * 30
    ranges = bucket_ranges(values, 5)
    assert len(ranges) <= 5 and ranges[0][0] == 1 and ranges[-1][1] == 39
    assert all(high < next_low for (_, high), (next_low, _) in zip(ranges, ranges[1:]))
    assert bucket_ranges([3, 1, 3, 2], 5) == [(1, 1), (2, 2), (3, 3)]


def test_training_time_adds_up_resumed_sessions_and_devices():
    # a resumed session restarts the monitor's counts; two devices: the global rate is twice the device rate
    metrics = {"train/time": [(1, 1.0), (2, 2.0), (3, 0.5), (4, 1.5)], "train/samples": [(1, 8), (2, 16), (3, 8), (4, 16)],
               "train/samples_per_sec": [(4, 21.0)], "train/device/samples_per_sec": [(4, 10.5)]}
    assert training_time(metrics) == TrainingTime(seconds=3.5, samples=64)
    del metrics["train/samples_per_sec"]
    assert training_time(metrics).samples == 32 and training_time({"train/loss": [(1, 2.0)]}) is None


@pytest.mark.slow
def test_training_writes_a_complete_report(tiny_run):
    page = parse_page(tiny_run / "run" / "eval_report.html")
    assert page.sections == SECTIONS
    assert len(page.images) == 3  # loss, token accuracy, success rate
    rows = json.loads((tiny_run / "run" / "eval_results.json").read_text())
    assert len(rows) == 24 and all(len(row["beam"]) == 2 and row["beam"][0] == row["generated"] for row in rows)


@pytest.mark.slow
def test_report_numbers_match_eval_results_and_data_files(tiny_run, tmp_path):
    run = tmp_path / "graded"
    rows = graded_copy(tiny_run / "run", run, right_every=3, beam_rescues_every=4)
    page = parse_page(write_html_report(run / "eval_results.json"))
    assert page.sections == SECTIONS
    correct = [row["generated"] == row["reference"] for row in rows]
    low, high = wilson_interval(sum(correct), len(rows))
    rate = f"{100 * sum(correct) / len(rows):.1f}% ({sum(correct)} / {len(rows)}), 95% interval {100 * low:.1f}–{100 * high:.1f}%"
    assert rate in page.text and "Wilson score interval" in page.text
    rescued = sum(1 for row in rows if row["beam"][1] == row["reference"] != row["generated"])
    assert rescued > 0 and f"Right answer in the beam but not first: {rescued} / {len(rows)}" in page.text
    assert page.table("beam")[1:] == [["beam 1", str(sum(correct)), f"{100 * sum(correct) / 24:.1f}%", f"{100 * sum(correct) / 24:.1f}%"],
                                      ["beam 2", str(rescued), f"{100 * rescued / 24:.1f}%", f"{100 * (sum(correct) + rescued) / 24:.1f}%"],
                                      ["not in the beam", str(24 - sum(correct) - rescued), f"{100 * (24 - sum(correct) - rescued) / 24:.1f}%", ""]]

    targets = [len(row["reference"].split()) for row in rows]
    assert page.table("buckets", "target length")[1:] == accuracy_rows(targets, correct)
    inputs = [len(row["input"].split()) for row in rows]
    assert page.table("buckets", "input length")[1:] == accuracy_rows(inputs, correct)
    sample_stats = [json.loads(line) for line in (tiny_run / "data" / "test_sample_stats.jsonl").read_text().splitlines()]
    for name in ("problem.degree", "problem.num_terms", "answer.degree", "answer.num_terms"):
        category, field = name.split(".")
        values = [entry[category][field] for entry in sample_stats]
        assert page.table("buckets", name)[1:] == accuracy_rows(values, correct), name

    facts = dict(page.table("facts"))
    weights = torch.load(run / "pytorch_model.bin", weights_only=True) if (run / "pytorch_model.bin").exists() else None
    if weights is None:
        from safetensors.torch import load_file
        weights = load_file(run / "model.safetensors")
    assert facts["parameters (exported weights)"] == f"{sum(t.numel() for t in weights.values()):,}"
    assert facts["evaluated samples"] == "24" and facts["samples trained on"] == "160"  # 80 samples x 2 epochs
    assert float(facts["training time (steps, validation excluded)"].split()[0]) > 0
    files = {row[0]: row[1:] for row in page.table("files")[1:]}
    test_file = tiny_run / "data" / "test_raw.txt"
    assert files["data.test_dataset_path"] == [str(test_file), "24", hashlib.sha256(test_file.read_bytes()).hexdigest()]
    assert files["data.train_dataset_path"][1] == "80"
    assert "d_model: 16" in page.text and "num_beams: 2" in page.text  # the resolved configuration


@pytest.mark.slow
def test_run_without_statistics_gets_a_report_without_that_section(tiny_run, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(tiny_run / "data", data, ignore=shutil.ignore_patterns("*_sample_stats.jsonl"))
    run = tmp_path / "run"
    graded_copy(tiny_run / "run", run, right_every=2, beam_rescues_every=5)
    config = yaml.safe_load((run / "train.yaml").read_text())
    config["data"]["test_dataset_path"] = str(data / "test_raw.txt")
    (run / "train.yaml").write_text(yaml.safe_dump(config))
    page = parse_page(write_html_report(run / "eval_results.json"))
    assert page.sections == [name for name in SECTIONS if name != "statistics"]
    assert "no-statistics" in page.ids and "generated without a statistics_calculator" in page.text


@pytest.mark.slow
def test_compare_groups_seeds_and_lists_exactly_the_differing_keys(tiny_run, tmp_path, capsys):
    runs = {"small_seed1": (1, 16, 3), "small_seed2": (2, 16, 2), "wide_seed1": (1, 32, 4)}
    for name, (seed, width, right_every) in runs.items():
        graded_copy(tiny_run / "run", tmp_path / name, right_every=right_every, beam_rescues_every=7)
        config = yaml.safe_load((tmp_path / name / "train.yaml").read_text())
        config["train"].update(seed=seed, save_dir=str(tmp_path / name))
        config["model"]["d_model"] = width
        (tmp_path / name / "train.yaml").write_text(yaml.safe_dump(config))
    output = tmp_path / "comparison.html"
    assert main(["compare", str(tmp_path / "*_seed*"), "--group", "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    assert "Configuration keys that differ: model.d_model" in printed and "Varying inside an entry: train.seed" in printed

    groups = group_runs([str(tmp_path / "*_seed*")], by_config=True)
    assert sorted(sorted(run.name for run in group.runs) for group in groups) == [["small_seed1", "small_seed2"], ["wide_seed1"]]
    assert differing_keys(groups) == ["model.d_model"] and varying_within(groups) == ["train.seed"]
    small = next(group for group in groups if len(group.runs) == 2)
    rates = [1 / 3, 1 / 2]  # every 3rd / every 2nd of 24 right
    assert small.mean == pytest.approx(statistics.fmean(rates)) and small.spread == pytest.approx(statistics.stdev(rates))

    page = parse_page(output)
    assert page.sections == ["rates", "config", "curves", "buckets"]
    table = {row[0]: row for row in page.table("rates")[1:]}
    low, high = wilson_interval(8 + 12, 48)
    assert table[small.label][1:6] == ["2", "48", "41.7%", "± 11.8%", f"{100 * low:.1f}%–{100 * high:.1f}%"]
    assert page.table("differing")[1:] == [["model.d_model", *(("16" if len(g.runs) == 2 else "32") for g in groups)]]
    assert len(page.images) == 5  # train loss, eval loss, eval token accuracy, two success rates
    degree = page.table("buckets", "problem.degree")
    assert len(degree[0]) == 3  # the property, then one column per entry

    # without --group: each argument is an entry (a glob one entry of all it matches); seeds then differ too
    groups = group_runs([str(tmp_path / "small_seed1"), str(tmp_path / "small_seed2"), str(tmp_path / "wide_seed1")])
    assert [group.label for group in groups] == ["small_seed1", "small_seed2", "wide_seed1"]
    assert differing_keys(groups) == ["model.d_model", "train.seed"] and varying_within(groups) == []


def test_compare_names_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["compare", str(tmp_path), str(tmp_path / "nothing*")]) == 2
    assert f"{tmp_path}: no eval_results.json" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="no Chromium installed (Debian: apt-get install chromium)")
def test_pages_render_in_headless_chromium(tiny_run, tmp_path):
    report = tiny_run / "run" / "eval_report.html"
    seen = open_in_browser(report, tmp_path)
    assert seen["data-sections"].split(",") == SECTIONS
    assert seen["data-images"] == "111"  # three learning curves, each decoded by the browser
