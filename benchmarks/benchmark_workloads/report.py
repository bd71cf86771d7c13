"""The comparison table: one row per measured quantity, the original's and calt's value, their ratio and target."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

MIB = 2**20


@dataclass(frozen=True)
class Metric:
    """How to read one quantity out of a workload result and how to judge calt against the original."""

    label: str
    workload: str
    read: Callable[[dict], float | None]
    kind: str  # "faster" (higher is better), "quicker" (lower time is better), "memory", "quality", "info"
    target: float | None = None
    pair: Callable[[dict, dict], float | None] | None = None  # from (original's run, calt's run), shown as calt's


def metrics(sizes: dict) -> list[Metric]:
    """The rows of the table for the sizes that were run (their labels name those sizes)."""
    e, n, t, g, d = sizes["epochs"], sizes["train_lines"], sizes["test_lines"], sizes["gen_samples"], sizes["data_lines"]
    length = sizes["max_length"]
    return [
        Metric(f"training samples/s ({n:,} lines x {e} epoch)", "train", lambda r: r["train_samples_per_s"], "faster", 2.0),
        Metric(f"generation untrained, {g} samples, all {length} steps, model.generate (s)", "generate",
               lambda r: r["untrained_model_generate_full"]["seconds"], "quicker", 30.0),
        Metric("  untrained, evaluate_and_save_generation, stops at EOS (s)", "generate",
               lambda r: r["untrained_generation"]["seconds"], "quicker"),
        Metric("  untrained, mean tokens generated before EOS", "generate",
               lambda r: r["untrained_generation"]["mean_generated_tokens"], "info"),
        Metric(f"generation trained, {t:,} test samples (s)", "train",
               lambda r: r["trained_generation"]["seconds"], "quicker", 10.0),
        Metric("  trained generation: model GFLOP (encoder + decoder, cached decoding)", "train",
               lambda r: r["trained_generation"].get("model_gflop"), "info"),
        Metric("  trained generation: roofline s (GFLOP / matmul GFLOP/s at the same shapes)", "train",
               lambda r: r["trained_generation"].get("roofline_seconds"), "info"),
        Metric("  trained generation: fraction of the roofline (%)", "train",
               lambda r: 100 * r["trained_generation"]["fraction_of_roofline"]
               if r["trained_generation"].get("fraction_of_roofline") else None, "info"),
        Metric("  trained generation: mean tokens generated", "train",
               lambda r: r["trained_generation"].get("mean_generated_tokens"), "info"),
        Metric(f"generation trained, {t:,} test samples, the same weights (the original's model) in both, calt at "
               "train.precision auto (s)", "decode_auto", lambda r: r["trained_generation"]["seconds"], "quicker", 10.0),
        Metric("  same weights, auto: answers identical to the original's (%)", "decode_auto", lambda r: None, "info",
               pair=identical_answers),
        Metric("  same weights, calt in fp32 (as it resumes a calt-x run) (s)", "decode",
               lambda r: r["trained_generation"]["seconds"], "quicker"),
        Metric("  same weights: mean tokens generated", "decode",
               lambda r: r["trained_generation"].get("mean_generated_tokens"), "info"),
        Metric("  same weights: success rate (%)", "decode",
               lambda r: 100 * r["trained_generation"]["success_rate"], "info"),
        Metric("  same weights, fp32: answers identical to the original's (%)", "decode", lambda r: None, "info",
               pair=identical_answers),
        Metric(f"data: build + 1 epoch of batches of 64, {d:,} lines (s)", "data", lambda r: r["total_seconds"], "quicker", 10.0),
        Metric("  data: build (s)", "data", lambda r: r["build_seconds"], "quicker"),
        Metric("  data: epoch of batches (s)", "data", lambda r: r["epoch_seconds"], "quicker"),
        Metric("  data: second build of the same files (s)", "data", lambda r: r.get("rebuild_seconds"), "quicker"),
        Metric("peak RSS, training process (MiB)", "train", lambda r: r["peak_rss_bytes"] / MIB, "memory", 1.0),
        Metric("peak RSS, generation process (MiB)", "generate", lambda r: r["peak_rss_bytes"] / MIB, "memory", 1.0),
        Metric("peak RSS, data process (MiB)", "data", lambda r: r["peak_rss_bytes"] / MIB, "memory", 1.0),
        Metric(f"success rate after {e} epoch(s), {t:,} test samples (%)", "train",
               lambda r: 100 * r["trained_generation"]["success_rate"], "quality", 0.0),
        Metric("  generated-token accuracy after training (%)", "train",
               lambda r: 100 * r["trained_generation"]["generated_token_accuracy"], "info"),
        Metric("GPU training samples/s (6+6/512)", "gpu", lambda r: r.get("train_samples_per_s"), "faster", 2.0),
        Metric("GPU training tokens/s", "gpu", lambda r: r.get("train_tokens_per_s"), "faster"),
        Metric("GPU peak memory allocated (MiB)", "gpu",
               lambda r: r["peak_gpu_memory_bytes"] / MIB if "peak_gpu_memory_bytes" in r else None, "memory"),
        Metric("GPU model-FLOPs utilisation (%)", "gpu",
               lambda r: 100 * r["mfu"] if r.get("mfu") is not None else None, "info"),
    ]


def identical_answers(original: dict, calt: dict) -> float | None:
    """Percentage of test samples whose generated answer is the same text in both packages."""
    theirs, ours = original["trained_generation"].get("generated"), calt["trained_generation"].get("generated")
    if not theirs or not ours or len(theirs) != len(ours):
        return None
    return 100 * sum(a == b for a, b in zip(theirs, ours)) / len(theirs)


def best(values: list[float], kind: str) -> float | None:
    """Best of the repeats: the highest throughput, the shortest time, the largest memory (the conservative one)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return max(values) if kind in ("faster", "memory", "quality", "info") else min(values)


def success_margin(original: float, calt: float, samples: int) -> float:
    """Two standard errors (percentage points) of the difference of two success rates over ``samples`` each."""
    p, q = original / 100, calt / 100
    return 200 * math.sqrt((p * (1 - p) + q * (1 - q)) / max(1, samples))


def compare(metric: Metric, original: float | None, calt: float | None, test_samples: int) -> tuple[str, str, str]:
    """(ratio, target, verdict) of one row; the ratio reads 'how much better calt is' except for memory."""
    if original is None or calt is None:
        return "-", target_text(metric), "-"
    if metric.kind == "quality":
        margin = success_margin(original, calt, test_samples)
        verdict = "pass" if calt >= original - margin else "FAIL"
        return f"{calt - original:+.1f} pts", f">= orig - {margin:.1f} (2 s.e.)", verdict
    if metric.kind == "info" or original == 0 or calt == 0:
        return "-", target_text(metric), "-"
    ratio = {"faster": calt / original, "quicker": original / calt, "memory": calt / original}[metric.kind]
    if metric.target is None:
        return f"{ratio:.2f}x", "-", "-"
    ok = ratio <= metric.target if metric.kind == "memory" else ratio >= metric.target
    return f"{ratio:.2f}x", target_text(metric), "pass" if ok else "FAIL"


def target_text(metric: Metric) -> str:
    """The target as the table prints it."""
    if metric.target is None:
        return "-"
    if metric.kind == "quality":
        return ">= orig - 2 s.e."
    if metric.kind == "memory":
        return f"<= {metric.target:.1f}x of orig"
    return f">= {metric.target:g}x"


def number(value: float | None) -> str:
    """A value with as many digits as it deserves."""
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) >= 1 else f"{value:.3f}"


def table_rows(results: dict, sizes: dict) -> list[dict]:
    """One dict per row with the raw numbers, for the JSON file and the printed table."""
    rows = []
    for metric in metrics(sizes):
        values = {}
        for side in ("original", "calt"):
            runs = results.get(side, {}).get(metric.workload, [])
            values[side] = best([metric.read(run) for run in runs if "skipped" not in run], metric.kind)
        if metric.pair is not None:
            pairs = zip(*(results.get(side, {}).get(metric.workload, []) for side in ("original", "calt")))
            found = [metric.pair(a, b) for a, b in pairs if "skipped" not in a and "skipped" not in b]
            values = {"original": None, "calt": min((v for v in found if v is not None), default=None)}
        if values["original"] is None and values["calt"] is None:
            continue
        ratio, target, verdict = compare(metric, values["original"], values["calt"], sizes["test_lines"])
        rows.append({"workload": metric.label, **values, "ratio": ratio, "target": target, "verdict": verdict})
    return rows


def markdown_table(rows: list[dict]) -> str:
    """The rows as a Markdown table (pasteable into the README)."""
    header = ["workload", "original", "calt", "calt vs original", "target", "pass/fail"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        cells = [row["workload"], number(row["original"]), number(row["calt"]), row["ratio"], row["target"], row["verdict"]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
