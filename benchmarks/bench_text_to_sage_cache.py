"""Build time of a TextToSage dataset without and with calt's caches (needs ``calt[sage]``).

    .venv/bin/python benchmarks/bench_text_to_sage_cache.py [--lines 100000]

Writes ``--lines`` training lines ``f1 | f2 | f3 # f1 + f2 | f1 + f2 + f3`` over ZZ[x0, x1, x2] (plus 1000 test
lines) and builds them with the load preprocessor TextToSage then ExpandedForm, as
configs/polynomial_addition/train.yaml reads its data:

1. uncached: ``IOPipeline.build()`` parses every line with Sage (and writes the Arrow token cache);
2. token cache: the same build again, served by that cache (keyed by content, lexer and preprocessor);
3. pre-tokenized: ``preprocess_to_ids`` (what ``calt preprocess --pretokenize`` runs) once, timed with its
   interpreter start-up, then a build on the ids JSONL.

Each build runs in a fresh interpreter, as a training start would. Prints seconds per build.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LEXER = REPO / "configs" / "polynomial_addition" / "lexer.yaml"
CHAIN = [{"class": "TextToSageLoadPreprocessor",
          "kwargs": {"delimiter": " | ", "ring": {"symbols": "x0, x1, x2", "field_str": "ZZ"}}},
         {"class": "ExpandedFormLoadPreprocessor", "kwargs": {"delimiter": " | "}}]


def polynomial(rng: random.Random) -> dict[tuple[int, int, int], int]:
    """1 to 3 terms of total degree 1 to 3, coefficients in [-10, 10] without 0."""
    monomials = [(a, b, c) for a in range(4) for b in range(4) for c in range(4) if 1 <= a + b + c <= 3]
    return {m: rng.choice([k for k in range(-10, 11) if k]) for m in rng.sample(monomials, rng.randint(1, 3))}


def text(poly: dict[tuple[int, int, int], int]) -> str:
    terms = [f"{c}*" + "*".join(f"x{i}^{e}" for i, e in enumerate(m) if e) for m, c in poly.items() if c]
    return " + ".join(terms).replace("+ -", "- ") or "0"


def add(*polys: dict) -> dict:
    total: dict = {}
    for poly in polys:
        for m, c in poly.items():
            total[m] = total.get(m, 0) + c
    return total


def write_lines(path: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as handle:
        for _ in range(count):
            f, g, h = (polynomial(rng) for _ in range(3))
            handle.write(f"{text(f)} | {text(g)} | {text(h)} # {text(add(f, g))} | {text(add(f, g, h))}\n")


def build(data: dict) -> float:
    """Seconds of ``IOPipeline.from_config(data).build()`` in a fresh interpreter (imports not counted)."""
    code = ("import json, sys, time; import calt.io; import sage.all__sagemath_singular\n"
            "from calt.io import IOPipeline\n"
            "began = time.perf_counter(); io = IOPipeline.from_config(json.loads(sys.argv[1])).build()\n"
            "print(json.dumps({'seconds': time.perf_counter() - began, 'train': len(io['train_dataset'])}))")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(data)], capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        write_lines(folder / "train_raw.txt", args.lines, 1)
        write_lines(folder / "test_raw.txt", 1000, 2)
        data = {"lexer_config": str(LEXER), "train_dataset_path": str(folder / "train_raw.txt"),
                "test_dataset_path": str(folder / "test_raw.txt"), "dataset_load_preprocessor": CHAIN,
                "cache_min_samples": 1}  # calt caches from 50000 samples on; here every size is cached
        rows = [("uncached (Sage parse + expand + lex)", build(data)), ("token cache hit", build(data))]
        began = time.perf_counter()
        code = ("import json, sys; from calt.io.preprocess import preprocess_to_ids\n"
                "preprocess_to_ids({'data': json.loads(sys.argv[1])}, None, 'degrevlex', 'raw', None, force=True)")
        subprocess.run([sys.executable, "-c", code, json.dumps(data)], check=True, cwd=REPO, capture_output=True)
        rows.append(("preprocess_to_ids (calt preprocess --pretokenize), once", time.perf_counter() - began))
        ids = folder / "processed_degrevlex_raw_ids"
        pretokenized = {**data, "dataset_load_preprocessor": None, "train_dataset_jsonl": str(ids / "train_ids.jsonl"),
                        "test_dataset_jsonl": str(ids / "test_ids.jsonl")}
        rows.append(("build on the pre-tokenized JSONL", build(pretokenized)))
    print(f"TextToSage + ExpandedForm over ZZ[x0, x1, x2]: {args.lines} train + 1000 test lines")
    for name, seconds in rows:
        print(f"{name:55s} {seconds:8.2f} s")


if __name__ == "__main__":
    main()
