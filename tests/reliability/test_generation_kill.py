"""``calt generate`` killed with SIGKILL leaves no file that looks finished, and a rerun writes the same bytes.

The run is killed at several points: while the train split is written, once train is finished and test is being
written, and, with two worker processes, where only the parent is killed (its workers must not outlive it).
After each kill every file under a final name must equal the one an uninterrupted run writes (the statistics YAML:
apart from its timings); anything else must carry a temporary ``.partial`` name. Then ``calt generate`` reruns
into the same folder and every data file must match the uninterrupted run byte for byte.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from calt.cli import main

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TIMINGS = ("total_time", "samples_per_second", "generation_time")
PARTIAL = ".partial"


def data_yaml(folder: Path, save_dir: str, n_jobs: int = 1) -> Path:
    """A data.yaml for the slowed default task: 400 train and 200 test samples in batches of 20."""
    config = {"dataset": {"generator": "slow_generation_task", "save_dir": save_dir, "num_train_samples": 400,
                          "num_test_samples": 200, "batch_size": 20, "n_jobs": n_jobs, "root_seed": 7,
                          "verbose": False, "backend": "sympy", "save_text": True, "save_json": True}}
    path = folder / f"{save_dir}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def without_timings(text: bytes) -> dict:
    return {k: v for k, v in yaml.safe_load(text).items() if k not in TIMINGS}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, bytes]:
    """The files of an uninterrupted run."""
    folder = tmp_path_factory.mktemp("reference")
    cwd = Path.cwd()
    os.chdir(folder)
    sys.path.insert(0, str(HERE))
    try:
        assert main(["generate", str(data_yaml(folder, "out"))]) == 0
    finally:
        sys.path.remove(str(HERE))
        os.chdir(cwd)
    out = files(folder / "out")
    assert {"train_raw.txt", "test_raw.txt", "train_data.jsonl", "test_data.jsonl", "train_stats.yaml"} <= set(out)
    return out


def start_generate(folder: Path, config: Path) -> subprocess.Popen:
    env = {**os.environ, "CALT_TEST_SAMPLE_DELAY": "0.004",
           "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO), os.environ.get("PYTHONPATH", "")])}
    command = "import sys; from calt.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen([sys.executable, "-c", command, "generate", str(config)], cwd=folder, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill_when(process: subprocess.Popen, out: Path, ready, timeout: float = 120) -> None:
    """SIGKILL ``process`` as soon as ``ready(out)`` holds; fail if it finishes or times out first."""
    deadline = time.monotonic() + timeout
    while not ready(out):
        assert process.poll() is None, f"finished before the kill point: {process.stderr.read().decode()[-2000:]}"
        assert time.monotonic() < deadline, "kill point never reached"
        time.sleep(0.002)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(30)
    process.stderr.close()


def size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


KILL_POINTS = {
    "mid-train": lambda out: size(out / f"train_raw.txt{PARTIAL}") > 0,
    "mid-test": lambda out: (out / "train_raw.txt").exists() and (out / f"test_raw.txt{PARTIAL}").exists(),
}


def check_nothing_looks_finished(out: Path, reference: dict[str, bytes]) -> list[str]:
    """Every file under a final name is the finished one; return the temporary files left."""
    left = []
    for name, content in files(out).items():
        if name.endswith(PARTIAL):
            left.append(name)
        elif name.endswith("_stats.yaml"):
            assert without_timings(content) == without_timings(reference[name]), name
        else:
            assert content == reference[name], f"{name} looks finished but differs from the uninterrupted run"
    return left


def rerun_and_compare(folder: Path, config: Path, reference: dict[str, bytes]) -> None:
    cwd = Path.cwd()
    os.chdir(folder)
    sys.path.insert(0, str(HERE))
    try:
        assert main(["generate", str(config)]) == 0
    finally:
        sys.path.remove(str(HERE))
        os.chdir(cwd)
    rerun = files(folder / config.stem)
    assert sorted(rerun) == sorted(reference), "the rerun left other files than an uninterrupted run"
    for name, content in rerun.items():
        if name.endswith("_stats.yaml"):
            assert without_timings(content) == without_timings(reference[name]), name
        else:
            assert content == reference[name], f"{name} differs from the uninterrupted run"


@pytest.mark.slow
@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_sigkill_leaves_nothing_that_looks_finished_and_a_rerun_matches(tmp_path, reference, point):
    config = data_yaml(tmp_path, "out")
    process = start_generate(tmp_path, config)
    kill_when(process, tmp_path / "out", KILL_POINTS[point])
    left = check_nothing_looks_finished(tmp_path / "out", reference)
    assert left, "the kill came after the run had finished: no partial file was left to check"
    assert not (tmp_path / "out" / ("train_raw.txt" if point == "mid-train" else "test_raw.txt")).exists()
    rerun_and_compare(tmp_path, config, reference)


def process_state(pid: int) -> tuple[str, int] | None:
    """(state letter, parent pid) of a process from /proc; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    state = process_state(pid)
    return state is not None and state[0] != "Z"


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is ``pid``."""
    states = {int(entry.name): process_state(int(entry.name)) for entry in Path("/proc").iterdir() if entry.name.isdigit()}
    return [child for child, state in states.items() if state is not None and state[0] != "Z" and state[1] == pid]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_sigkill_of_the_parent_ends_its_workers_and_a_rerun_matches(tmp_path, reference):
    config = data_yaml(tmp_path, "out", n_jobs=2)
    process = start_generate(tmp_path, config)
    workers: list[int] = []

    def workers_busy(out: Path) -> bool:
        workers[:] = children_of(process.pid)
        return len(workers) >= 2 and size(out / f"train_raw.txt{PARTIAL}") > 0

    kill_when(process, tmp_path / "out", workers_busy)
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, f"worker processes {workers} outlived their killed parent"
        time.sleep(0.05)
    assert check_nothing_looks_finished(tmp_path / "out", reference)
    rerun_and_compare(tmp_path, config, reference)
