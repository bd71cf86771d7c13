"""Sage dataset generation speed: calt's ``sagemath`` backend against calt-x 1.5.0's, same generator.

    .venv/bin/python benchmarks/bench_sage_dataset.py --calt-x-python /path/to/calt-x-venv/bin/python

Each library runs in its own interpreter (calt here, calt-x 1.5.0 in a venv that also has
passagemath) and writes ``--samples`` samples of a random polynomial sum over GF(7) in 2
variables at ``n_jobs`` 1 and 2. Both use the same per-sample seeds, so their files must be
identical; the script checks it. Prints samples/s per library and ``n_jobs``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT_SEED = 20
N_JOBS = (1, 2)


def polynomial_sum(seed: int):
    """Two random polynomials over GF(7) in x, y (degree <= 2, 3 terms) and their sum."""
    from sage.all__sagemath_singular import GF, PolynomialRing, set_random_seed

    set_random_seed(seed)
    ring = PolynomialRing(GF(7), "x, y", order="degrevlex")
    f, g = ring.random_element(degree=2, terms=3), ring.random_element(degree=2, terms=3)
    return [f, g], f + g


def measure(samples: int, n_jobs: int) -> dict:
    """Run this interpreter's ``calt.dataset.sagemath.DatasetGenerator`` once; seconds and file digest."""
    import logging

    logging.disable(logging.INFO)  # calt-x logs every batch
    import sage.all__sagemath_singular  # noqa: F401  (import time is not generation time)

    import calt
    from calt.dataset.sagemath import DatasetGenerator

    with tempfile.TemporaryDirectory() as folder:
        generator = DatasetGenerator(n_jobs=n_jobs, verbose=False, root_seed=ROOT_SEED)
        began = time.perf_counter()
        generator.run({"train": samples}, polynomial_sum, save_dir=folder, save_json=False)
        seconds = time.perf_counter() - began
        digest = hashlib.sha256((Path(folder) / "train_raw.txt").read_bytes()).hexdigest()
    return {"seconds": seconds, "sha256": digest, "calt": str(Path(calt.__file__).parent)}


def run_in(python: str, samples: int, n_jobs: int) -> dict:
    """``measure`` in another interpreter (a fresh process per run, as a user's script would be)."""
    command = [python, __file__, "--measure", str(samples), str(n_jobs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calt-x-python", help="python of a venv with calt-x 1.5.0 and passagemath")
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--measure", nargs=2, type=int, metavar=("SAMPLES", "N_JOBS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return
    libraries = {"calt": sys.executable}
    if args.calt_x_python:
        libraries["calt-x 1.5.0"] = args.calt_x_python
    print(f"{args.samples} samples, polynomial sum over GF(7)[x, y], root_seed {ROOT_SEED}")
    print(f"{'library':<14}{'n_jobs':>7}{'seconds':>10}{'samples/s':>12}")
    digests = set()
    for name, python in libraries.items():
        for n_jobs in N_JOBS:
            result = run_in(python, args.samples, n_jobs)
            if name != "calt" and "site-packages" not in result["calt"]:
                raise RuntimeError(f"{python} imported calt from {result['calt']}, not calt-x from its venv")
            digests.add(result["sha256"])
            rate = args.samples / result["seconds"]
            print(f"{name:<14}{n_jobs:>7}{result['seconds']:>10.2f}{rate:>12.0f}")
    print("identical train_raw.txt in every run:", "yes" if len(digests) == 1 else f"NO ({len(digests)} versions)")


if __name__ == "__main__":
    main()
