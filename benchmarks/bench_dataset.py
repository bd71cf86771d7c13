"""Benchmark: dataset generation speed of calt's DatasetPipeline vs the original calt-x package.

Prints samples/s (train + test samples over the wall time of ``DatasetPipeline.run()``,
process start-up and file writing included) for GF(17) cumulative addition and
polynomial addition at n_jobs 1 and 2. The original runs the *same* generators, in a
subprocess of the reference environment. The generators below import nothing from
calt, so both packages can load this file.

    .venv/bin/python benchmarks/bench_dataset.py [--train 20000] [--test 1000] [--repeats 3]
                                             [--original-venv .bench/venv-original]

The original's environment is the one benchmarks/benchmark.py uses (created on first use).

Timings on a shared machine are noisy: the best of ``--repeats`` runs is reported.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from itertools import accumulate
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks" / "benchmark_workloads"))


# ---- the generators (module level, picklable, no calt imports) --------------------------
def gf17_addition(seed: int):
    """``13,1,8,16 # 13,14,5,4``: residues mod 17 and their prefix sums."""
    rng = random.Random(seed)
    values = [rng.randrange(17) for _ in range(rng.randint(2, 10))]
    return ",".join(map(str, values)), ",".join(map(str, accumulate(values, lambda a, b: (a + b) % 17)))


def polynomial_addition(seed: int):
    """Two random polynomials in ZZ[x, y] (degree <= 3, <= 4 terms) and their sum, in C/E form."""
    from sympy import ZZ
    from sympy.polys.rings import ring

    poly_ring = ring("x, y", ZZ, "grevlex")[0]
    rng = random.Random(seed)
    monomials = [(i, j) for i in range(4) for j in range(4 - i)]

    def random_poly():
        chosen = rng.sample(monomials, rng.randint(1, 4))
        return poly_ring.from_dict({m: rng.choice([c for c in range(-10, 11) if c]) for m in chosen})

    def expanded(poly):
        terms = [" ".join([f"C{int(c)}", *(f"E{e}" for e in m)]) for m, c in poly.terms()]
        return " + ".join(terms) or "C0"

    f, g = random_poly(), random_poly()
    return [expanded(f), expanded(g)], expanded(f + g)


GENERATORS = {"gf17_addition": gf17_addition, "polynomial_addition": polynomial_addition}


# ---- one timed run ----------------------------------------------------------------------
def time_pipeline(task: str, n_jobs: int, train: int, test: int, batch_size: int) -> float:
    """Run this process's ``calt.dataset.DatasetPipeline`` once and return samples/s."""
    from calt.dataset import DatasetPipeline

    warm_up_backend()
    with tempfile.TemporaryDirectory() as save_dir:
        pipeline = DatasetPipeline(
            instance_generator=GENERATORS[task],
            statistics_calculator=None,
            save_dir=save_dir,
            save_text=True,
            save_json=True,
            num_train_samples=train,
            num_test_samples=test,
            batch_size=batch_size,
            n_jobs=n_jobs,
            root_seed=0,
            verbose=False,
            backend="sympy",
        )
        began = time.perf_counter()
        pipeline.run()
        elapsed = time.perf_counter() - began
        assert len((Path(save_dir) / "train_raw.txt").read_text().splitlines()) == train
    return (train + test) / elapsed


def time_reference(python: Path, task: str, n_jobs: int, train: int, test: int, batch_size: int) -> float:
    """Time the original package on the same generator, in a subprocess of its environment."""
    command = [str(python), __file__, "--single", task, str(n_jobs), str(train), str(test), str(batch_size)]
    # run outside the repository so the reference interpreter imports its own calt
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
    return json.loads(output.stdout.strip().splitlines()[-1])["samples_per_second"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=int, default=20000, help="train samples per run (GF(17))")
    parser.add_argument("--test", type=int, default=1000, help="test samples per run")
    parser.add_argument("--poly-scale", type=float, default=0.25, help="fraction of --train for polynomial addition")
    parser.add_argument("--batch-size", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-reference", action="store_true", help="time only this package")
    parser.add_argument("--original-venv", type=Path, default=REPO / ".bench" / "venv-original",
                        help="virtual environment of calt-x (created when missing, as by benchmarks/benchmark.py)")
    parser.add_argument("--single", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:  # one run inside the reference environment
        task, n_jobs, train, test, batch_size = args.single[0], *map(int, args.single[1:])
        logging_off()
        print(json.dumps({"samples_per_second": time_pipeline(task, n_jobs, train, test, batch_size)}))
        return
    logging_off()
    reference_python = None
    if not args.skip_reference:
        from original_venv import ensure_original_venv

        reference_python = ensure_original_venv(args.original_venv.resolve(), "torch==2.13.0", [], True)
    print(f"{'task':<22}{'n_jobs':>7}{'calt (samples/s)':>19}{'calt-x 1.5 (samples/s)':>25}{'speed-up':>10}")
    for task in GENERATORS:
        train = args.train if task == "gf17_addition" else max(1, int(args.train * args.poly_scale))
        test = args.test if task == "gf17_addition" else max(1, int(args.test * args.poly_scale))
        for n_jobs in (1, 2):
            ours = max(time_pipeline(task, n_jobs, train, test, args.batch_size) for _ in range(args.repeats))
            if args.skip_reference:
                print(f"{task:<22}{n_jobs:>7}{ours:>19.0f}")
                continue
            reference = max(time_reference(reference_python, task, n_jobs, train, test, args.batch_size) for _ in range(args.repeats))
            print(f"{task:<22}{n_jobs:>7}{ours:>19.0f}{reference:>25.0f}{ours / reference:>9.1f}x")
    print(f"({train + test} polynomial / {args.train + args.test} GF(17) samples per run, best of {args.repeats};"
          " shared CPU, expect noise)")


def warm_up_backend() -> None:
    """Import the SymPy backend before timing (a one-time cost outside the generation loop)."""
    import calt.dataset as package

    if hasattr(package, "get_generator_class"):  # this package
        package.get_generator_class("sympy")
    else:  # calt-x 1.5
        package.get_backend_classes("sympy")


def logging_off() -> None:
    """Silence the original package's per-batch INFO logging so it does not distort the timing."""
    import logging

    logging.disable(logging.INFO)


if __name__ == "__main__":
    main()
