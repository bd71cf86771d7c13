"""Benchmark of calt.io: build (lex + encode) and one epoch of collated batches.

Writes N GF(17) cumulative-sum lines (``13,1,8,16 # 13,14,5,4``) into a temp folder, then prints:
cold build, cached build (Arrow, memory mapped) and batches of 64 per second — on one CPU core
(pin it with ``taskset -c 0``). Both wall-clock and CPU-time rates are printed: on a shared
machine the CPU-time rate is the closer estimate of one free core.
    python benchmarks/bench_io.py [--lines 200000] [--original /work/refvenv/bin/python]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LEXER = """vocab:
  range: {numbers: ["", 0, 16]}
  misc: [","]
  special_tokens: {}
  flags: {include_base_vocab: true, include_base_special_tokens: true}
number_policy: {attach_sign: false, digit_group: 0, allow_float: false}
strict: true
include_base_vocab: true
"""


def write_task(folder: Path, lines: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    rows = []
    for _ in range(lines):
        values = [rng.randrange(17) for _ in range(rng.randint(4, 12))]
        sums, total = [], 0
        for v in values:
            total = (total + v) % 17
            sums.append(total)
        rows.append(",".join(map(str, values)) + " # " + ",".join(map(str, sums)))
    (folder / "train.txt").write_text("\n".join(rows) + "\n")
    (folder / "test.txt").write_text("\n".join(rows[:100]) + "\n")
    (folder / "lexer.yaml").write_text(LEXER)


def bench_calt(folder: Path) -> None:
    import torch
    from torch.utils.data import DataLoader

    from calt.io import IOPipeline

    torch.set_num_threads(1)
    cfg = {"lexer_config": str(folder / "lexer.yaml"), "train_dataset_path": str(folder / "train.txt"),
           "test_dataset_path": str(folder / "test.txt"), "cache_min_samples": 1}
    for label in ("cold build", "cached build"):
        with Timer(label) as timer:
            io_dict = IOPipeline.from_config(cfg).build()
        timer.report(len(io_dict["train_dataset"]))
    loader = DataLoader(io_dict["train_dataset"].encoded(), batch_size=64, shuffle=True,
                        collate_fn=io_dict["data_collator"])
    with Timer("epoch, bs 64") as timer:
        seen = sum(batch["input_ids"].shape[0] for batch in loader)
    timer.report(seen)


class Timer:
    """Wall and CPU time of a block; on a shared machine the CPU-time rate is the one-core figure."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self) -> "Timer":
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def report(self, count: int, note: str = "") -> None:
        print(f"{self.label:14s} {count:>8d} samples  wall {self.wall:6.2f} s {count / self.wall:>10,.0f}/s  "
              f"cpu {self.cpu:6.2f} s {count / self.cpu:>10,.0f}/s{note}")


ORIGINAL = """
import sys, time
from calt.io.preprocessor import UnifiedLexer, NumberPolicy
from calt.io.vocabulary.config import VocabConfig
vc = VocabConfig([], {}).from_config({"range": {"n": ["", 0, 16]}, "misc": [","]})
lexer = UnifiedLexer(vc, NumberPolicy(sign=False, digit_group=0, allow_float=False))
lines = open(sys.argv[1]).read().splitlines()[:20000]
wall, cpu = time.perf_counter(), time.process_time()
for line in lines:
    p, a = line.split("#")
    lexer.encode(p); lexer.encode(a)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
n = len(lines)
print(f"{'original lexer':14s} {n:>8d} samples  wall {wall:6.2f} s {n / wall:>10,.0f}/s  "
      f"cpu {cpu:6.2f} s {n / cpu:>10,.0f}/s (per-item lexing)")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--original", help="python of a venv with calt-x, to time its per-item lexing")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_task(folder, args.lines)
        print(f"calt.io on {args.lines:,} GF(17) lines, one core")
        bench_calt(folder)
        if args.original:
            subprocess.run([args.original, "-c", ORIGINAL, str(folder / "train.txt")], check=True, cwd=tmp)


if __name__ == "__main__":
    sys.exit(main())
