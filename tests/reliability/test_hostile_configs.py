"""Hostile configs: 330 seeded mutations of the default train.yaml, data.yaml and lexer.yaml.

Each mutation (a wrong type, a negative number, zero, a huge value, NaN, an empty value, a missing key or
block, a list where a scalar belongs, unicode, null, a path into folders that do not exist) goes through
``calt train --dryrun --no-report`` (train.yaml and lexer.yaml, which train.yaml reaches through
``data.lexer_config``) or ``calt generate`` (data.yaml). Every one must run (exit 0) or exit with status 2
and one ``calt: error:`` line that names the mutated key; no traceback, no hang (a per-case timeout), and
no file created, changed or removed outside the case's save_dir (the scratch folder's tree is compared
before and after each case; the documented token cache beside the data, ``.calt_cache/``, is the one
exception).

Every case runs in full. To keep the test near a minute on two cores the base configs are shrunk: a
1-layer ``d_model: 16`` model, 16 training and 4 test samples generated once (``--dryrun`` then trains two
steps of 8), and the cases run in batches, each batch in one subprocess that calls ``calt.cli.main`` per
case with stderr captured (``hostile_cases.py``). ``CALT_HOSTILE_SEED`` picks other mutations.

Beside the random ones, the run holds ``ONCE_ESCAPED``: mutations that hung, wrote outside save_dir or gave an
error naming no key before calt checked them, so the test is known to fail where those checks are missing.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from hostile_cases import DELETE, Mutation, base_configs, build_case, make_mutations, write_case_files

REPO = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("hostile_cases.py")
SEED = int(os.environ.get("CALT_HOSTILE_SEED", 19))  # another seed explores other mutations
NUM_MUTATIONS = 330
BATCHES = 2
CASE_TIMEOUT_S = 60
ALIASES = {"train.save_dir": "train.output_dir", "train.output_dir": "train.save_dir"}
TOKEN_CACHE = ".calt_cache"
FREE_FORM_BLOCKS = ("vocab.range", "vocab.special_tokens", "vocab.flags")  # lexer.yaml blocks of user-named entries


def run_batches(template: Path, cases: list, tmp_path: Path, batches: int = BATCHES) -> list[dict]:
    """Run ``cases`` in ``batches`` subprocesses of ``hostile_cases.py``, each in its own copy of the scratch
    folder ``template`` (so one batch's writes never show up in another's tree); return every result."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}

    def run(batch: int) -> list[dict]:
        root = tmp_path / f"batch{batch}"
        shutil.copytree(template, root)
        mine = cases[batch::batches]
        for case in mine:
            write_case_files(root, case)
        spec = {"root": str(root), "timeout": CASE_TIMEOUT_S,
                "cases": [{"index": c.index, "argv": c.argv} for c in mine]}
        spec_path, results_path = tmp_path / f"spec{batch}.json", tmp_path / f"results{batch}.json"
        spec_path.write_text(json.dumps(spec))
        completed = subprocess.run([sys.executable, str(RUNNER), str(spec_path), str(results_path)], env=env,
                                   capture_output=True, text=True, timeout=CASE_TIMEOUT_S * len(mine))
        assert completed.returncode == 0, completed.stderr[-3000:]
        return json.loads(results_path.read_text())

    with ThreadPoolExecutor(batches) as pool:
        return [result for batch in pool.map(run, range(batches)) for result in batch]


def outcome(case, result: dict) -> tuple[str, str]:
    """("ran" | "clean error" | "other", why) of one case."""
    stray = [p for p in result["changed"] if not allowed_write(p, case.save_dir)]
    if stray:
        return "other", f"wrote outside save_dir {case.save_dir!r}: {stray[:5]}"
    stderr = result["stderr"]
    if "Traceback" in stderr or "Traceback" in result["stdout_tail"]:
        return "other", f"traceback:\n{stderr[-1500:]}"
    if result["status"] == 0:
        return "ran", ""
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("calt: error:")]
    if result["status"] != 2 or len(errors) != 1 or lines[-1] != errors[0]:
        return "other", f"status {result['status']}, stderr:\n{stderr[-1500:]}"
    names = {case.mutation.key_name(), ALIASES.get(case.mutation.key_name(), "")} - {""}
    parent = ".".join(map(str, case.mutation.path[:-1]))
    if case.mutation.kind == "missing" and parent in FREE_FORM_BLOCKS:  # a deleted entry of a free-form block no
        names.add(parent)  # longer exists: the error can only name the block to add it to
    if not any(name in errors[0] for name in names):
        return "other", f"error does not name {sorted(names)}: {errors[0]}"
    return "clean error", ""


def allowed_write(relative: str, save_dir: str | None) -> bool:
    """A case may write under its own save_dir, and the documented token cache beside the data."""
    if TOKEN_CACHE in Path(relative).parts:
        return True
    if save_dir is None:
        return False
    folder = os.path.normpath(save_dir)
    return os.path.normpath(relative) == folder or os.path.normpath(relative).startswith(folder + os.sep)


def scratch_with_tiny_data(tmp_path: Path) -> tuple[Path, dict[str, dict]]:
    """A scratch folder holding data.yaml, lexer.yaml and the tiny generated data; the shrunk default configs."""
    from calt.cli import main

    root = tmp_path / "scratch"
    root.mkdir()
    defaults = base_configs(REPO, "data")
    (root / "data.yaml").write_text(yaml.safe_dump(defaults["data"]))
    (root / "lexer.yaml").write_text(yaml.safe_dump(defaults["lexer"]))
    defaults["train"]["data"]["lexer_config"] = "lexer.yaml"
    cwd = Path.cwd()
    os.chdir(root)
    try:
        assert main(["generate", "data.yaml", "dataset.save_dir=data"]) == 0  # the tiny data, once
    finally:
        os.chdir(cwd)
    return root, defaults


NULL_MEANS_DEFAULT = Mutation("data", ("dataset", "backend"), "null", None)  # once an error naming no key; now runs
ONCE_ESCAPED = [  # mutations that, before calt checked them, hung, wrote outside save_dir or named no key
    Mutation("data", ("dataset", "num_train_samples"), "huge", 10**12),  # generated for ever
    Mutation("data", ("dataset", "save_dir"), "empty", ""),
    Mutation("data", ("dataset", "generator"), "unicode", "Δx—模型🚀"),
    Mutation("train", ("model", "num_decoder_layers"), "huge", 2**64),  # built layers for ever
    Mutation("train", ("train", "output_dir"), "negative", -10**6),  # beside save_dir: wrote into ./-1000000
    Mutation("train", ("train", "save_dir"), "empty", ""),  # wrote into the current folder
    Mutation("train", ("train", "strategy"), "zero", 0),
    Mutation("train", ("train", "devices"), "list", [1, 2]),
    Mutation("train", ("train", "adam_beta1"), "nan", math.nan),
    Mutation("train", ("train", "seed"), "negative", -1),
    Mutation("train", ("train", "precision"), "wrong_type", 3.5),
    Mutation("train", ("model", "dropout"), "negative", -0.5),
    Mutation("train", ("data",), "huge", math.inf),
    Mutation("train", ("data", "test_dataset_jsonl"), "huge", 1e308),
    Mutation("lexer", ("vocab", "special_tokens", "pad_token"), "list", [1, 2]),
    Mutation("lexer", ("vocab", "range", "exponents", 0), "unicode", "ℵ₀ ∑"),
    Mutation("lexer", ("vocab", "range", "coefficients", 1), "negative", -3),
    Mutation("lexer", ("vocab", "range", "exponents", 2), "huge", 10**18),
]


@pytest.mark.slow
def test_every_hostile_config_runs_or_fails_with_one_line_naming_the_key(tmp_path, capsys):
    root, defaults = scratch_with_tiny_data(tmp_path)
    began = time.perf_counter()
    mutations = make_mutations(SEED, NUM_MUTATIONS, defaults)
    cases = [build_case(index, mutation, defaults) for index, mutation in enumerate(mutations)]
    fixed = [build_case(NUM_MUTATIONS + index, mutation, defaults)
             for index, mutation in enumerate([*ONCE_ESCAPED, NULL_MEANS_DEFAULT])]
    results = {result["index"]: result for result in run_batches(root, cases + fixed, tmp_path)}
    assert sorted(results) == [case.index for case in cases + fixed]
    expected = {case.index: "ran" if case.mutation is NULL_MEANS_DEFAULT else "clean error" for case in fixed}
    escaped = [f"{case.mutation.describe()}: {outcome(case, results[case.index])}" for case in fixed
               if outcome(case, results[case.index])[0] != expected[case.index]]
    assert not escaped, "mutations that once escaped:\n" + "\n".join(escaped)

    outcomes = {case.index: outcome(case, results[case.index]) for case in cases}
    counts = Counter(kind for kind, _ in outcomes.values())
    seconds = sorted((results[i]["seconds"], i) for i in results)[-3:]
    ran_seconds = [results[i]["seconds"] for i, (kind, _) in outcomes.items() if kind == "ran"]
    with capsys.disabled():
        print(f"\nhostile configs: {len(cases)} mutations -> ran {counts['ran']}, clean error "
              f"{counts['clean error']}, other {counts['other']}; {time.perf_counter() - began:.0f} s in {BATCHES} "
              f"batches, {sum(ran_seconds):.0f} s of it in the runs; slowest cases "
              f"{[(round(s, 1), i) for s, i in seconds]}")
    failures = [f"case {case.index}: {case.mutation.describe()}: {outcomes[case.index][1]}"
                for case in cases if outcomes[case.index][0] == "other"]
    assert not failures, f"{len(failures)} cases failed:\n" + "\n\n".join(failures)
    kinds = Counter(c.mutation.kind for c in cases)
    assert len(kinds) >= 10 and all(c.mutation.value is not DELETE or c.mutation.kind == "missing" for c in cases)




def test_the_outcome_check_flags_tracebacks_other_statuses_unnamed_keys_and_stray_writes():
    case = build_case(0, Mutation("train", ("train", "seed"), "negative", -1), {
        "train": {"data": {}, "model": {}, "train": {}}, "data": {"dataset": {}}, "lexer": {}})
    error = "calt: error: cases/c000/train.yaml: train.seed must be in [0, 4294967295]; got -1"
    clean = {"status": 2, "stderr": error + "\n", "stdout_tail": "", "changed": []}
    assert outcome(case, clean) == ("clean error", "")
    assert outcome(case, {**clean, "status": 0})[0] == "ran"
    broken = [
        {**clean, "stderr": "Traceback (most recent call last):\n  ...\nValueError: x\n" + error},
        {**clean, "status": 1},
        {**clean, "status": "timeout"},
        {**clean, "stderr": "calt: error: something failed\n"},
        {**clean, "stderr": error + "\nmore\n"},
        {**clean, "changed": ["elsewhere/file.txt"]},
        {**clean, "status": 0, "changed": ["cases/c000/out/../../x"]},
    ]
    assert [outcome(case, result)[0] for result in broken] == ["other"] * len(broken)


@pytest.mark.slow
def test_calt_train_closes_its_wandb_run_so_nothing_changes_after_it_returns(tmp_path, monkeypatch):
    """Lightning leaves the W&B run open until the process exits: a second `calt train` in the same process would
    log into it, and its files would change after the first returned (a mutation deleting wandb.no_wandb found it)."""
    from calt.cli import main

    root, defaults = scratch_with_tiny_data(tmp_path)
    case = build_case(0, Mutation("train", ("wandb", "no_wandb"), "missing", DELETE), defaults)
    write_case_files(root, case)
    monkeypatch.chdir(root)
    monkeypatch.delenv("WANDB_MODE", raising=False)
    assert main(case.argv) == 0
    import wandb

    assert wandb.run is None
    written = sorted(path for path in (root / case.save_dir / "wandb").rglob("*") if path.is_file())
    assert any(path.suffix == ".wandb" for path in written)
    before = {path: path.read_bytes() for path in written}
    print("a line an open W&B run would capture into its output.log")
    time.sleep(1.0)
    assert {path: path.read_bytes() for path in written} == before
