"""Side-by-side benchmark of calt (this repository) and the original HF-Trainer package calt-x, one command.

Every workload goes through the documented Python API (IOPipeline → ModelPipeline → TrainerPipeline, and the
model's generate), once per package, each in its own child process so that its peak memory is its own; the two
packages take turns. The result is one table: workload, original, calt, ratio, target, pass/fail.

    .venv/bin/python benchmarks/benchmark.py                    # full sizes (about 15 minutes on 2 CPU cores)
    .venv/bin/python benchmarks/benchmark.py --quick            # smaller sizes, within 10 minutes on 2 cores
    .venv/bin/python benchmarks/benchmark.py --only train,data --json bench.json
    .venv/bin/python benchmarks/benchmark.py --original-venv /work/refvenv   # reuse an existing calt-x environment

Workloads (CPU): ``train`` (GF(17) cumulative sums, generic d_model 256, 3+3 layers, 4 heads, ffn 1024, batch 64,
each package's default precision, no in-loop evaluation; then greedy generation of the trained model on the test set: speed and success rate),
``decode`` (both packages, each in a fresh process, decode the test set with the model the original trained in
``train``: the same weights, so the same work; calt loads it as a calt-x checkpoint and, as it resumes any calt-x
run, decodes in fp32; the answers are compared), ``decode_auto`` (the same, with calt at ``train.precision: auto``,
the precision it picks for its own runs: bf16-mixed on CPUs with AVX512-BF16 or AMX),
``generate`` (untrained model, max_length 128) and ``data`` (IOPipeline.build and one epoch of collated batches).
Trained generation also reports its model FLOPs and the fraction of the roofline: those FLOPs over the matmul
FLOP/s measured at the same layer shapes (benchmark_workloads/roofline.py). ``--calt-precision 32-true`` runs calt's
CPU workloads in fp32 (its default is bf16 where the CPU has AVX512-BF16 or AMX); ``--calt-compile`` trains calt with torch.compile.
With CUDA, ``gpu`` trains the 6+6/512 model in bf16-mixed with fused AdamW (calt) and reports samples/s, tokens/s,
peak memory and model-FLOPs utilisation. Timings on a shared machine are noisy: use --repeats and read the best.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "benchmark_workloads"))

from original_venv import ensure_original_venv  # noqa: E402
from report import markdown_table, table_rows  # noqa: E402
from task_data import write_task_files  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
WORKER = REPO / "benchmarks" / "benchmark_workloads" / "worker.py"
CPU_WORKLOADS = ("train", "decode", "decode_auto", "generate", "data")  # decode* read the original's model from train
DECODE_WORKLOADS = ("decode", "decode_auto")
ALL_WORKLOADS = (*CPU_WORKLOADS, "gpu")
SIDES = ("original", "calt")
SEED = 1234
CACHE_DIR = ".calt_cache"  # where calt keeps token ids it encoded, beside the data files

FULL_SIZES = {"train_lines": 20_000, "test_lines": 1_000, "gen_samples": 100, "data_lines": 200_000, "epochs": 1}
QUICK_SIZES = {"train_lines": 4_000, "test_lines": 200, "gen_samples": 100, "data_lines": 50_000, "epochs": 1}
CPU_MODEL = {"d_model": 256, "layers": 3, "heads": 4, "ffn": 1024, "batch_size": 64, "test_batch_size": 64}
GPU_MODEL = {"d_model": 512, "layers": 6, "heads": 8, "ffn": 2048}


def workload_list(text: str) -> list[str]:
    """Parse ``--only``: comma-separated names out of train, generate, data, gpu."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in ALL_WORKLOADS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown workload(s) {unknown or text!r}; choose from {', '.join(ALL_WORKLOADS)}, comma separated"
        )
    return names


def side_list(text: str) -> list[str]:
    """Parse ``--sides``: original, calt or both."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names or any(name not in SIDES for name in names):
        raise argparse.ArgumentTypeError(f"--sides takes original, calt or original,calt; got {text!r}")
    return names


def positive_int(text: str) -> int:
    """An integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; sizes left unset come from the full or --quick presets."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, finishes within 10 minutes on 2 cores")
    parser.add_argument("--only", type=workload_list, help="comma-separated workloads: train,decode,decode_auto,"
                        "generate,data,gpu (decode, decode_auto need the original's train of the same round)")
    parser.add_argument("--sides", type=side_list, default=list(SIDES), help="original,calt (default both)")
    parser.add_argument("--json", type=Path, help="write every measured number to this JSON file")
    parser.add_argument("--original-venv", type=Path, default=REPO / ".bench" / "venv-original",
                        help="virtual environment of calt-x with transformers<5 (created when missing)")
    parser.add_argument("--calt-python", type=Path, default=Path(sys.executable), help="interpreter with this calt")
    parser.add_argument("--no-install", action="store_true", help="fail instead of creating --original-venv")
    parser.add_argument("--torch-spec", default="torch==2.13.0", help="torch requirement installed first")
    parser.add_argument("--pip-arg", action="append", default=[], help="extra pip argument (repeatable)")
    parser.add_argument("--work-dir", type=Path, default=REPO / ".bench" / "run", help="data, configs and logs")
    parser.add_argument("--repeats", type=positive_int, default=1, help="rounds of every workload; best one reported")
    parser.add_argument("--timeout", type=positive_int, default=1800, help="seconds allowed per child process")
    for name in ("train_lines", "test_lines", "gen_samples", "data_lines", "epochs"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=positive_int, help=f"override {name}")
    parser.add_argument("--max-length", type=positive_int, default=128, help="generation max_length")
    parser.add_argument("--gpu-lines", type=positive_int, default=100_000, help="training lines of the GPU run")
    parser.add_argument("--gpu-batch-size", type=positive_int, default=256)
    parser.add_argument("--compile", action="store_true", help="GPU run of calt with torch.compile")
    parser.add_argument("--calt-precision", help="train.precision of calt's CPU runs (e.g. auto, 32-true; default: "
                                                  "calt's default)")
    parser.add_argument("--calt-compile", action="store_true", help="CPU training of calt with train.compile: true")
    parser.add_argument("--peak-tflops", type=float, help="device peak bf16 TFLOP/s when not in the known table")
    args = parser.parse_args(argv)
    args.work_dir, args.original_venv = args.work_dir.resolve(), args.original_venv.resolve()  # children run elsewhere
    return args


def sizes_from(args: argparse.Namespace) -> dict:
    """Preset sizes with the command line's overrides applied."""
    sizes = dict(QUICK_SIZES if args.quick else FULL_SIZES)
    for name in sizes:
        if getattr(args, name) is not None:
            sizes[name] = getattr(args, name)
    sizes["max_length"] = args.max_length
    return sizes


def cuda_available(python: Path) -> bool:
    """Whether ``python`` (calt's interpreter) sees a CUDA device."""
    probe = "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"
    return subprocess.run([str(python), "-c", probe], cwd="/", capture_output=True).returncode == 0


def original_model_dir(work_dir: Path, repeat: int) -> Path:
    """Where the original's ``train`` run of round ``repeat`` saves its trained model for ``decode``."""
    return work_dir / f"original-train-{repeat}" / "save"


def child_spec(workload: str, side: str, args: argparse.Namespace, sizes: dict, files: dict, run_dir: Path,
               repeat: int = 0) -> dict:
    """Everything the worker needs for one workload of one package."""
    spec = {**files, **CPU_MODEL, **sizes, "workload": workload, "side": side, "save_dir": str(run_dir / "save")}
    spec["save_trained_model"] = workload == "train" and side == "original"
    if workload in DECODE_WORKLOADS:
        spec["trained_model"] = str(original_model_dir(args.work_dir, repeat))
    spec["max_sequence_length"] = 2 * args.max_length  # room for BOS + max_length generated tokens
    if side == "calt" and workload in ("train", *DECODE_WORKLOADS, "generate"):
        precision = args.calt_precision or ("auto" if workload == "decode_auto" else None)
        extra = {"precision": precision} if precision else {}
        spec["train_extra"] = {**extra, "compile": True} if args.calt_compile and workload == "train" else extra
    if workload == "gpu":
        spec.update(GPU_MODEL, batch_size=args.gpu_batch_size, test_batch_size=args.gpu_batch_size)
        spec.update(train=files["gpu_train"], train_lines=args.gpu_lines, peak_tflops=args.peak_tflops)
        # The original's loader maps no precision key; fused AdamW is the best its documented config can ask for.
        extra = {"optimizer": "adamw_torch_fused"}
        if side == "calt":
            extra.update(precision="bf16-mixed", compile=args.compile)
        spec["train_extra"] = extra
    return spec


def run_child(python: Path, spec: dict, run_dir: Path, timeout: int, env_extra: dict | None = None) -> dict:
    """Run one workload in a child process; its peak RSS comes from wait4, so it is that process's alone.
    ``env_extra`` adds environment variables (OMP_NUM_THREADS when several children share the cores)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    spec_path, result_path, log_path = run_dir / "spec.json", run_dir / "result.json", run_dir / "log.txt"
    spec_path.write_text(json.dumps(spec, indent=2))
    result_path.unlink(missing_ok=True)
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "WANDB_SILENT": "true", **(env_extra or {})}
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    with open(log_path, "w") as log:
        process = subprocess.Popen([str(python), str(WORKER), str(spec_path), str(result_path)],
                                   cwd=run_dir, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            status, rusage = wait_with_timeout(process, timeout)
        finally:  # interrupted (Ctrl-C, SIGTERM): take the child down too, it would keep the cores busy
            if process.returncode is None:
                process.kill()
                process.wait()
    wall = time.perf_counter() - start
    if status != 0 or not result_path.exists():
        tail = log_path.read_text()[-3000:]
        print(f"  {spec['side']} {spec['workload']} failed (exit {status}); log {log_path}:\n{tail}", flush=True)
        return {"skipped": f"exit status {status}, see {log_path}"}
    result = json.loads(result_path.read_text())
    # Linux reports KiB; the load averages show how busy the shared machine was around this run.
    result.update(peak_rss_bytes=rusage.ru_maxrss * 1024, process_wall_seconds=wall,
                  load_average_before=load_before, load_average_after=os.getloadavg()[0])
    return result


def wait_with_timeout(process: subprocess.Popen, timeout: int):
    """Wait for ``process`` with os.wait4 (to get its own rusage); kill it after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        pid, status, rusage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, rusage
        if time.monotonic() > deadline:
            process.kill()
            _, status, rusage = os.wait4(process.pid, 0)
            process.returncode = -9
            return f"killed after {timeout} s", rusage
        time.sleep(0.2)


def summary_line(result: dict) -> str:
    """A one-line progress note for a finished child."""
    if "skipped" in result:
        return result["skipped"]
    workload = result["workload"]
    if workload == "train":
        generation = result["trained_generation"]
        return (f"{result['train_samples_per_s']:.1f} samples/s, trained generation {generation['seconds']:.2f} s, "
                f"success {100 * generation['success_rate']:.1f}%")
    if workload in DECODE_WORKLOADS:
        generation = result["trained_generation"]
        return f"the original's trained model: {generation['seconds']:.2f} s, success {100 * generation['success_rate']:.1f}%"
    if workload == "generate":
        return (f"pipeline {result['untrained_generation']['seconds']:.2f} s, full-length generate "
                f"{result['untrained_model_generate_full']['seconds']:.2f} s "
                f"{result['untrained_model_generate_full']['output_shape']}")
    if workload == "data":
        return f"build {result['build_seconds']:.2f} s + epoch {result['epoch_seconds']:.2f} s"
    return f"{result.get('train_samples_per_s', 0):.0f} samples/s, MFU {result.get('mfu')}"


def machine_description() -> str:
    """CPU model and count (and the load when the run ended), for the table's title."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")]
        model = names[0] if names else model
    load = f", load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{os.cpu_count()} x {model}{load}"


def main(argv: list[str] | None = None) -> int:
    """Prepare data and interpreters, run the workloads turn about, print (and save) the table."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(f"terminated by signal {signum}"))
    sizes = sizes_from(args)
    pythons = {"calt": args.calt_python}
    if "original" in args.sides:
        pythons["original"] = ensure_original_venv(args.original_venv, args.torch_spec, args.pip_arg, not args.no_install)
    workloads = args.only or [*CPU_WORKLOADS, "gpu"]
    if "gpu" in workloads and not cuda_available(args.calt_python):
        print("gpu: skipped, CUDA is not available to", args.calt_python, flush=True)
        workloads = [name for name in workloads if name != "gpu"]
    files = write_task_files(args.work_dir / "data", sizes["train_lines"], sizes["test_lines"], sizes["data_lines"], SEED)
    if "gpu" in workloads:
        files["gpu_train"] = write_task_files(args.work_dir / "data", args.gpu_lines, sizes["test_lines"],
                                              sizes["data_lines"], SEED)["train"]
    results: dict = {side: {} for side in args.sides}
    for repeat in range(args.repeats):
        order = args.sides if repeat % 2 == 0 else args.sides[::-1]
        for workload in workloads:
            for side in order:  # turn about: both packages run each workload before the next one starts
                run_dir = args.work_dir / f"{side}-{workload}-{repeat}"
                shutil.rmtree(args.work_dir / "data" / CACHE_DIR, ignore_errors=True)  # every build starts cold
                print(f"[{repeat + 1}/{args.repeats}] {workload:8s} {side:8s} ...", end=" ", flush=True)
                if workload in DECODE_WORKLOADS and not (original_model_dir(args.work_dir, repeat) / "config.json").is_file():
                    result = {"skipped": f"no model at {original_model_dir(args.work_dir, repeat)}: {workload} needs "
                                         f"the original's train run of the same round (--only train,{workload})"}
                else:
                    spec = child_spec(workload, side, args, sizes, files, run_dir, repeat)
                    result = run_child(pythons[side], spec, run_dir, args.timeout)
                print(summary_line(result), flush=True)
                results[side].setdefault(workload, []).append(result)
    rows = table_rows(results, sizes)
    machine = machine_description()
    title = f"calt vs original calt-x ({'QUICK sizes' if args.quick else 'full sizes'}; {machine}; best of {args.repeats})"
    print(f"\n{title}\n\n{markdown_table(rows)}\n", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"title": title, "sizes": sizes, "rows": rows, "results": results}, indent=2))
        print(f"numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
