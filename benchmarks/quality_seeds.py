"""Exact-answer rate after N epochs of the GF(17) benchmark, over seeds: the original calt-x against calt variants.

    .venv/bin/python benchmarks/quality_seeds.py --original-venv /work/orig-venv            # 5 seeds x 3 variants
    ... --variants calt-grouped,calt-bf16 --seeds 1,2,3                                       # the bf16 quality gate
    ... --jobs 2                                                                              # two runs at a time

Every run is the ``train`` workload of benchmarks/benchmark.py (20,000 lines, generic d_model 256, 3+3 layers,
batch 64, 1,000 test samples, greedy generation) with its own seed: ``train.seed`` for shuffling, and for calt
also ``model.seed`` for the initial weights (the original draws its initial weights from an unseeded generator,
so its runs differ in both anyway). Variants:

- ``original``: calt-x 1.5.0 (HF Trainer, no length grouping: it maps no such key);
- ``calt-ungrouped``: calt in fp32 with ``group_by_length: false``: the original's arithmetic and batches;
- ``calt-grouped``: calt in fp32 with ``group_by_length: true`` (calt's default grouping);
- ``calt-bf16``: ``calt-grouped`` with ``precision: bf16-mixed``.

A run whose result.json exists is not run again, so an interrupted sweep continues where it stopped. The table
gives each variant's mean and its standard error (standard deviation over seeds / sqrt(n)), and the checks the
fidelity and bf16 issues ask for: calt ungrouped within one standard error of the original's mean, grouped no
worse, bf16 not lower than fp32 by more than one standard error.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmark_workloads"))

from benchmark import CPU_MODEL, SEED, machine_description, run_child  # noqa: E402
from original_venv import ensure_original_venv  # noqa: E402
from task_data import write_task_files  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
VARIANTS = {
    "original": ("original", {}),
    "calt-ungrouped": ("calt", {"group_by_length": False, "precision": "32-true"}),
    "calt-grouped": ("calt", {"group_by_length": True, "precision": "32-true"}),
    "calt-bf16": ("calt", {"group_by_length": True, "precision": "bf16-mixed"}),
}


def int_list(text: str) -> list[int]:
    """``1,2,3`` → [1, 2, 3]."""
    return [int(part) for part in text.split(",") if part.strip()]


def variant_list(text: str) -> list[str]:
    """Comma-separated names out of VARIANTS."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in VARIANTS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown variant(s) {unknown or text!r}; choose from {', '.join(VARIANTS)}")
    return names


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int_list, default=[1, 2, 3, 4, 5])
    parser.add_argument("--variants", type=variant_list, default=["original", "calt-ungrouped", "calt-grouped"])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--train-lines", type=int, default=20_000)
    parser.add_argument("--test-lines", type=int, default=1_000)
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time; the cores are split between them")
    parser.add_argument("--threads", type=int, help="torch threads of each run (default: cores / jobs)")
    parser.add_argument("--original-venv", type=Path, default=REPO / ".bench" / "venv-original")
    parser.add_argument("--calt-python", type=Path, default=Path(sys.executable))
    parser.add_argument("--work-dir", type=Path, default=REPO / ".bench" / "quality")
    parser.add_argument("--timeout", type=int, default=4 * 3600, help="seconds allowed per run")
    parser.add_argument("--json", type=Path, help="write every run's numbers and the summary to this file")
    parser.add_argument("--report-only", action="store_true", help="print the table of the runs already made")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.epochs < 1 or args.train_lines < 1 or args.test_lines < 1:
        parser.error("--jobs, --epochs, --train-lines and --test-lines take positive integers")
    args.work_dir = args.work_dir.resolve()
    return args


def run_spec(variant: str, seed: int, args: argparse.Namespace, files: dict, run_dir: Path) -> dict:
    """The worker's spec of one run: the benchmark's train workload with this variant's keys and this seed."""
    side, train_keys = VARIANTS[variant]
    sizes = {"train_lines": args.train_lines, "test_lines": args.test_lines, "epochs": args.epochs,
             "gen_samples": args.test_lines, "data_lines": 1, "max_length": 128}
    spec = {**files, **CPU_MODEL, **sizes, "workload": "train", "side": side, "save_dir": str(run_dir / "save")}
    spec["max_sequence_length"] = 2 * sizes["max_length"]
    spec["train_extra"] = {**train_keys, "seed": seed}
    if side == "calt":
        spec["model_extra"] = {"seed": seed}
    return spec


def run_one(variant: str, seed: int, args: argparse.Namespace, files: dict, pythons: dict) -> None:
    """Run (or skip, when already done) one variant at one seed."""
    run_dir = args.work_dir / f"{variant}-seed{seed}"
    if (run_dir / "result.json").exists():
        return
    threads = args.threads or max(1, (os.cpu_count() or 1) // args.jobs)
    start = time.time()
    result = run_child(pythons[VARIANTS[variant][0]], run_spec(variant, seed, args, files, run_dir), run_dir,
                       args.timeout, {"OMP_NUM_THREADS": str(threads)})
    status = "failed" if "skipped" in result else f"{100 * result['trained_generation']['success_rate']:.1f}%"
    print(f"{variant} seed {seed}: {status} ({time.time() - start:.0f} s)", flush=True)


def collect(args: argparse.Namespace) -> dict[str, dict[int, dict]]:
    """{variant: {seed: numbers}} of every finished run in the work folder."""
    runs: dict[str, dict[int, dict]] = {}
    for variant in VARIANTS:
        for seed in args.seeds:
            path = args.work_dir / f"{variant}-seed{seed}" / "result.json"
            if path.exists():
                result = json.loads(path.read_text())
                runs.setdefault(variant, {})[seed] = {
                    "success_percent": 100 * result["trained_generation"]["success_rate"],
                    "final_train_loss": result.get("final_train_loss"),
                    "train_seconds": result["train_seconds"],
                    "threads": result["environment"]["torch_threads"],
                }
    return runs


def mean_and_error(values: list[float]) -> tuple[float, float]:
    """Mean and its standard error (0 for a single value)."""
    mean = statistics.fmean(values)
    return mean, (statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else 0.0)


def summary(runs: dict[str, dict[int, dict]], seeds: list[int]) -> tuple[list[str], dict]:
    """The markdown table and the checks."""
    lines = ["| exact answers (%) | " + " | ".join(f"seed {s}" for s in seeds) + " | mean ± s.e. | train loss |",
             "|---|" + "---|" * (len(seeds) + 2)]
    stats = {}
    for variant, by_seed in runs.items():
        values = [by_seed[s]["success_percent"] for s in seeds if s in by_seed]
        losses = [by_seed[s]["final_train_loss"] for s in seeds
                  if s in by_seed and by_seed[s]["final_train_loss"] is not None]
        mean, error = mean_and_error(values)
        stats[variant] = {"mean": mean, "standard_error": error, "n": len(values)}
        cells = [f"{by_seed[s]['success_percent']:.1f}" if s in by_seed else "-" for s in seeds]
        loss = f"{statistics.fmean(losses):.3f}" if losses else "-"
        lines.append(f"| {variant} | " + " | ".join(cells) + f" | {mean:.1f} ± {error:.1f} | {loss} |")
    return lines, {"variants": stats, "checks": checks(stats)}


def checks(stats: dict) -> list[str]:
    """The comparisons the issues ask for, each as a sentence with its numbers."""
    out = []

    def compare(name: str, reference: str, label: str) -> None:
        if name in stats and reference in stats:
            a, b = stats[name], stats[reference]
            gap = a["mean"] - b["mean"]
            verdict = "pass" if gap >= -b["standard_error"] else "FAIL"
            out.append(f"{label}: {a['mean']:.1f} vs {b['mean']:.1f} (difference {gap:+.1f} points, "
                       f"{reference}'s s.e. {b['standard_error']:.1f}): {verdict}")

    compare("calt-ungrouped", "original", "calt ungrouped reaches the original's mean within one s.e.")
    compare("calt-grouped", "original", "calt grouped no worse than the original (within one s.e.)")
    compare("calt-bf16", "calt-grouped", "bf16 not lower than fp32 by more than one s.e.")
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    files = write_task_files(args.work_dir / "data", args.train_lines, args.test_lines, 1, SEED)
    if not args.report_only:
        pythons = {"calt": args.calt_python}
        if "original" in args.variants:
            pythons["original"] = ensure_original_venv(args.original_venv, "torch==2.13.0", [], True)
        jobs = [(variant, seed) for seed in args.seeds for variant in args.variants]
        with ThreadPoolExecutor(args.jobs) as pool:
            for future in [pool.submit(run_one, v, s, args, files, pythons) for v, s in jobs]:
                future.result()
    runs = collect(args)
    lines, result = summary({v: runs[v] for v in VARIANTS if v in runs}, args.seeds)
    title = (f"{args.epochs} epochs of {args.train_lines:,} lines, {args.test_lines:,} test samples; "
             f"{machine_description()}")
    print(f"\n{title}\n\n" + "\n".join(lines) + "\n\n" + "\n".join(result["checks"]), flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"title": title, "runs": runs, **result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
