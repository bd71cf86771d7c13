"""benchmarks/benchmark.py: command line, sizes, data files and the verdicts of its table (nothing here is timed)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def benchmark():
    """The benchmark script imported as a module (its helpers come from benchmarks/benchmark_workloads)."""
    sys.path.insert(0, str(SCRIPTS))
    try:
        yield importlib.import_module("benchmark")
    finally:
        sys.path.remove(str(SCRIPTS))


def test_help_lists_the_options():
    result = subprocess.run([sys.executable, str(SCRIPTS / "benchmark.py"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for option in ("--quick", "--only", "--json", "--original-venv", "--compile"):
        assert option in result.stdout


def test_unknown_workload_is_rejected_with_the_valid_names():
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "benchmark.py"), "--only", "train,speed"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "speed" in result.stderr and "train, decode, decode_auto, generate, data, gpu" in result.stderr


def test_quick_sizes_are_smaller_and_overrides_win(benchmark):
    full = benchmark.sizes_from(benchmark.parse_args([]))
    quick = benchmark.sizes_from(benchmark.parse_args(["--quick", "--epochs", "2"]))
    assert full["train_lines"] == 20_000 and full["data_lines"] == 200_000 and full["gen_samples"] == 100
    assert quick["train_lines"] < full["train_lines"] and quick["data_lines"] < full["data_lines"]
    assert quick["epochs"] == 2


def test_only_and_sides_parse_into_lists(benchmark):
    args = benchmark.parse_args(["--only", "data, train", "--sides", "calt", "--original-venv", "/x/venv"])
    assert args.only == ["data", "train"] and args.sides == ["calt"] and args.original_venv == Path("/x/venv")
    with pytest.raises(SystemExit):
        benchmark.parse_args(["--repeats", "0"])


def test_task_files_are_seeded_cumulative_sums_mod_17(tmp_path):
    sys.path.insert(0, str(SCRIPTS / "benchmark_workloads"))
    try:
        task_data = importlib.import_module("task_data")
    finally:
        sys.path.remove(str(SCRIPTS / "benchmark_workloads"))
    files = task_data.write_task_files(tmp_path / "a", 50, 10, 30, seed=7)
    again = task_data.write_task_files(tmp_path / "b", 50, 10, 30, seed=7)
    lines = Path(files["train"]).read_text().splitlines()
    assert len(lines) == 50 and lines == Path(again["train"]).read_text().splitlines()
    for line in lines:
        problem, answer = (part.strip() for part in line.split("#"))
        values, sums = [int(v) for v in problem.split(",")], [int(v) for v in answer.split(",")]
        assert sums == [sum(values[: i + 1]) % 17 for i in range(len(values))]
    assert Path(files["test"]).read_text().splitlines() != lines[:10]  # the test split has its own seed


def test_table_judges_speed_memory_and_quality(benchmark):
    report = importlib.import_module("report")
    sizes = {"train_lines": 100, "test_lines": 1000, "gen_samples": 10, "data_lines": 100, "epochs": 1, "max_length": 8}
    original = {"train": [{"train_samples_per_s": 100.0, "peak_rss_bytes": 400 * 2**20,
                           "trained_generation": {"seconds": 10.0, "success_rate": 0.10, "generated_token_accuracy": 0.5}}]}
    calt = {"train": [{"train_samples_per_s": 120.0, "peak_rss_bytes": 300 * 2**20,
                       "trained_generation": {"seconds": 0.5, "success_rate": 0.02, "generated_token_accuracy": 0.4}}]}
    rows = {row["workload"].split(" (")[0]: row for row in report.table_rows({"original": original, "calt": calt}, sizes)}
    assert rows["training samples/s"]["ratio"] == "1.20x" and rows["training samples/s"]["verdict"] == "FAIL"  # target 2x
    assert rows["generation trained, 1,000 test samples"]["verdict"] == "pass"  # 20x quicker
    assert rows["peak RSS, training process"]["verdict"] == "pass"
    success = next(row for label, row in rows.items() if label.startswith("success rate"))
    assert success["verdict"] == "FAIL" and success["ratio"] == "-8.0 pts"  # beyond two standard errors
    assert "data: build + 1 epoch of batches of 64, 100 lines" not in rows  # no data runs, no row


def test_same_weights_rows_compare_time_and_answers_one_by_one(benchmark):
    """decode_auto and decode: both packages decode the original's model, calt at its own runs' precision (judged
    against the 10x target) and in fp32 (as it resumes a calt-x run; shown, not judged); each with the share of
    samples whose answer is the same in both."""
    report = importlib.import_module("report")
    sizes = {"train_lines": 100, "test_lines": 4, "gen_samples": 10, "data_lines": 100, "epochs": 1, "max_length": 8}

    def decode(fp32_seconds, auto_seconds, generated):
        return {workload: [{"trained_generation": {"seconds": seconds, "success_rate": 0.25, "generated": generated}}]
                for workload, seconds in (("decode", fp32_seconds), ("decode_auto", auto_seconds))}

    results = {"original": decode(12.0, 12.0, ["1 , 2", "3", "4 , 4", "5"]),
               "calt": decode(2.0, 1.0, ["1 , 2", "3", "4", "5"])}
    rows = {row["workload"].strip(): row for row in report.table_rows(results, sizes)}
    auto = next(row for label, row in rows.items() if "the same weights" in label and "auto" in label)
    assert (auto["ratio"], auto["target"], auto["verdict"]) == ("12.00x", ">= 10x", "pass")
    fp32 = rows["same weights, calt in fp32 (as it resumes a calt-x run) (s)"]
    assert (fp32["ratio"], fp32["target"], fp32["verdict"]) == ("6.00x", "-", "-")
    for label in ("same weights, auto: answers identical to the original's (%)",
                  "same weights, fp32: answers identical to the original's (%)"):
        assert rows[label]["original"] is None and rows[label]["calt"] == 75.0


def test_flops_formula_and_peaks():
    sys.path.insert(0, str(SCRIPTS / "benchmark_workloads"))
    try:
        flops = importlib.import_module("flops")
    finally:
        sys.path.remove(str(SCRIPTS / "benchmark_workloads"))
    assert flops.peak_tflops("NVIDIA H100 80GB HBM3") == 989.0
    assert flops.peak_tflops("NVIDIA H100 PCIe") == 756.0
    assert flops.peak_tflops("NVIDIA A100-SXM4-40GB") == 312.0
    assert flops.peak_tflops("Some Future GPU") is None
    # One layer each, d=1, f=1, V=1, S=T=1: encoder 6*(4+2)+12 = 48, decoder 6*((8+2)+1)+12*2 = 90.
    assert flops.training_flops_per_sample(1, 1, 1, 1, 1, 1) == 138
    assert flops.model_flops_utilisation(494.5e12, "H100 SXM") == pytest.approx(0.5)


def test_missing_original_venv_without_install_says_what_to_do(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "benchmark.py"), "--no-install", "--original-venv", str(tmp_path / "none")],
        capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert str(tmp_path / "none") in result.stderr and "--original-venv" in result.stderr


def test_token_counts_of_a_line_include_bos_and_eos(tmp_path):
    sys.path.insert(0, str(SCRIPTS / "benchmark_workloads"))
    try:
        worker = importlib.import_module("worker")
    finally:
        sys.path.remove(str(SCRIPTS / "benchmark_workloads"))
    path = tmp_path / "lines.txt"
    path.write_text("13,1,8,16 # 13,14,5,4\n0,11 # 0,11\n")
    assert worker.tokens_per_line(str(path)) == [(9, 9), (5, 5)]


def test_generation_flops_and_roofline_fraction():
    sys.path.insert(0, str(SCRIPTS / "benchmark_workloads"))
    try:
        flops, roofline = importlib.import_module("flops"), importlib.import_module("roofline")
    finally:
        sys.path.remove(str(SCRIPTS / "benchmark_workloads"))
    # d=f=V=L=1, S=1, 2 steps: encoder 2*(4+2)+4 = 16, memory 4; decoder 2*2*((6+2)+1) + 4*(1+1) + 4*(2+1) = 56.
    assert flops.generation_flops(1, 1, 1, 1, 1, 2) == {"encoder": 20, "decoder": 56}
    shapes = roofline.linear_shapes(8, 2, 16, 5, encoder=False)
    assert len(shapes) == 13 and shapes[-1] == (8, 5)
    result = roofline.generation_roofline(8, 1, 16, 5, [3, 4], [2, 5], batch_size=2, seconds=1.0)
    assert result["model_gflop"] == pytest.approx(result["encoder_gflop"] + result["decoder_gflop"])
    assert 0 < result["fraction_of_roofline"] == pytest.approx(result["roofline_seconds"])
