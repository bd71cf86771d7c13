"""Hostile-config cases for ``test_hostile_configs.py``: seeded mutations of the default configs, and a
runner that feeds a batch of them to ``calt.cli.main`` in one process.

Run as a script (``python hostile_cases.py SPEC.json RESULTS.json``) it executes every case of SPEC in
the spec's scratch folder and writes, per case, the exit status, the captured stderr, the files the case
created, changed or removed, and the seconds it took. A case that outlives its timeout is stopped by
SIGALRM (a ``BaseException``, so ``calt``'s own error handler cannot turn it into a clean error).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import os
import random
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DELETE = object()
"""Marker value: the mutation removes the key."""

TINY_MODEL = {"num_encoder_layers": 1, "num_encoder_heads": 2, "num_decoder_layers": 1, "num_decoder_heads": 2,
              "d_model": 16, "encoder_ffn_dim": 32, "decoder_ffn_dim": 32, "max_sequence_length": 32}
TINY_DATA = {"num_train_samples": 16, "num_test_samples": 4, "batch_size": 8, "n_jobs": 1, "verbose": False}
UNICODE_VALUES = ("Δx—模型🚀", "ñandú", "\u200b", "ℵ₀ ∑")
HUGE_VALUES = (10**12, 10**18, 2**64, 1e308, math.inf)
NEGATIVE_VALUES = (-1, -3, -10**6, -0.5, -math.inf)
WRONG_TYPE_VALUES = ("abc", True, {"k": 1}, 3.5, "12abc")
KINDS = ("wrong_type", "negative", "zero", "huge", "nan", "empty", "missing", "list", "unicode", "null", "path")


@dataclass
class Mutation:
    """One change to one config file: ``path`` inside ``target`` (train, data or lexer) set to ``value``."""

    target: str
    path: tuple[Any, ...]
    kind: str
    value: Any = None

    def key_name(self) -> str:
        """``block.key`` (train/data) or the lexer.yaml key path, as an error message should name it."""
        return ".".join(str(part) for part in self.path if not isinstance(part, int))

    def describe(self) -> str:
        shown = "<deleted>" if self.value is DELETE else repr(self.value)
        return f"{self.target}.yaml {'.'.join(map(str, self.path))} ({self.kind}) = {shown}"


@dataclass
class Case:
    """One ``calt`` command line, the folder it may write into, and the mutation it tests."""

    index: int
    mutation: Mutation
    argv: list[str]
    save_dir: str | None
    files: dict[str, dict] = field(default_factory=dict)


# ---- the keys a mutation may touch -------------------------------------------------------------------
def schema_keys() -> dict[str, list[tuple]]:
    """Every key path that may be mutated, per file: each schema field (present in the defaults or not),
    and every key of the default lexer.yaml down to list items."""
    from calt.config import DataConfig, DatasetConfig, TrainConfig, WandbConfig, fields_of
    from calt.models.generic.config_mapping import GenericModelBlock

    train = [("data", f.name) for f in fields_of(DataConfig) if f.name != "dataset_load_preprocessor"]
    train += [("model", f.name) for f in fields_of(GenericModelBlock)]
    train += [("train", f.name) for f in fields_of(TrainConfig) if f.name != "wandb"]
    train += [("train", "save_dir")]  # the alias the default train.yaml uses
    train += [("wandb", f.name) for f in fields_of(WandbConfig)]
    train += [("data",), ("model",), ("train",)]
    data = [("dataset", f.name) for f in fields_of(DatasetConfig)] + [("dataset",)]
    return {"train": train, "data": data}


def lexer_keys(lexer: dict) -> list[tuple]:
    """Key paths of lexer.yaml: its blocks, their keys and list items, plus schema keys it leaves out."""
    paths: list[tuple] = []

    def walk(node: Any, prefix: tuple) -> None:
        if prefix:
            paths.append(prefix)
        if isinstance(node, dict):
            for name, child in node.items():
                walk(child, (*prefix, name))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, (*prefix, index))

    walk(lexer, ())
    extra = [("vocab", "special_tokens", "pad_token"), ("vocab", "special_tokens", "eos_token"),
             ("vocab", "flags", "include_base_special_tokens"), ("vocab", "include_base_vocab"),
             ("vocab", "range", "extra")]
    return paths + [path for path in extra if path not in paths]


# ---- values ------------------------------------------------------------------------------------------
def is_path_key(path: tuple) -> bool:
    name = str(path[-1])
    return any(part in name for part in ("path", "dir", "lexer_config", "jsonl", "pickle", "generator"))


def hostile_value(rng: random.Random, kind: str, current: Any, path: tuple) -> Any:
    """A value of ``kind`` for the key at ``path`` whose default value is ``current``."""
    if kind == "wrong_type":
        return rng.choice([v for v in WRONG_TYPE_VALUES if type(v) is not type(current)] or WRONG_TYPE_VALUES)
    if kind == "negative":
        return rng.choice(NEGATIVE_VALUES)
    if kind == "zero":
        return rng.choice((0, 0.0))
    if kind == "huge":
        return rng.choice(HUGE_VALUES)
    if kind == "nan":
        return math.nan
    if kind == "empty":
        return rng.choice(("", [], {}))
    if kind == "missing":
        return DELETE
    if kind == "list":
        return [current, current] if current is not None else [1, 2]
    if kind == "unicode":
        return rng.choice(UNICODE_VALUES)
    if kind == "null":
        return None
    if kind == "path":
        leaf = "x.yaml" if "lexer" in str(path[-1]) else "x.txt" if "path" in str(path[-1]) else "x"
        return rng.choice((f"no/such/folder/{leaf}", f"ghost_{rng.randrange(10**6)}/deeper/{leaf}"))
    raise ValueError(f"unknown mutation kind {kind!r}")


def get_path(config: Any, path: tuple) -> Any:
    node = config
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node


def set_path(config: Any, path: tuple, value: Any) -> None:
    """Set (or, with ``DELETE``, remove) the key at ``path``, creating missing mappings on the way."""
    node = config
    for part in path[:-1]:
        if isinstance(node, list):
            node = node[part]
        else:
            if not isinstance(node.get(part), (dict, list)):
                node[part] = {}
            node = node[part]
    last = path[-1]
    if value is DELETE:
        if isinstance(node, list):
            del node[last]
        else:
            node.pop(last, None)
    else:
        node[last] = value


def make_mutations(seed: int, count: int, defaults: dict[str, dict]) -> list[Mutation]:
    """``count`` seeded mutations spread over train.yaml (55%), data.yaml (25%) and lexer.yaml (20%)."""
    rng = random.Random(seed)
    keys = {**schema_keys(), "lexer": lexer_keys(defaults["lexer"])}
    mutations = []
    for _ in range(count):
        target = rng.choices(("train", "data", "lexer"), weights=(55, 25, 20))[0]
        path = rng.choice(keys[target])
        kinds = [kind for kind in KINDS if kind != "path" or is_path_key(path)]
        kind = rng.choice(kinds)
        value = hostile_value(rng, kind, get_path(defaults[target], path), path)
        mutations.append(Mutation(target, path, kind, value))
    return mutations


# ---- cases -------------------------------------------------------------------------------------------
def base_configs(repo: Path, data_dir: str) -> dict[str, dict]:
    """The default configs, shrunk: a tiny model on the tiny generated data (see TINY_MODEL, TINY_DATA)."""
    configs = {name: yaml.safe_load((repo / "configs" / f"{name}.yaml").read_text()) for name in ("train", "data",
                                                                                                   "lexer")}
    configs["train"]["model"].update(TINY_MODEL)
    configs["train"]["data"].update(train_dataset_path=f"{data_dir}/train_raw.txt",
                                    test_dataset_path=f"{data_dir}/test_raw.txt")
    configs["train"]["train"].update(disable_tqdm=True)
    configs["data"]["dataset"].update(TINY_DATA)
    return configs


def build_case(index: int, mutation: Mutation, defaults: dict[str, dict]) -> Case:
    """The command line and config files of one mutation (each case writes into its own save_dir)."""
    folder = f"cases/c{index:03d}"
    configs = copy.deepcopy(defaults)
    if mutation.target == "data":
        configs["data"]["dataset"]["save_dir"] = f"{folder}/out"
    else:
        configs["train"]["train"]["save_dir"] = f"{folder}/out"
    if mutation.target == "lexer":
        configs["train"]["data"]["lexer_config"] = f"{folder}/lexer.yaml"
    set_path(configs[mutation.target], mutation.path, mutation.value)
    target = "data" if mutation.target == "data" else "train"
    save_dir = _save_dir(configs[target], "dataset" if target == "data" else "train")
    files = {f"{folder}/{target}.yaml": configs[target]}
    if mutation.target == "lexer":
        files[f"{folder}/lexer.yaml"] = configs["lexer"]
    if target == "data":
        argv = ["generate", f"{folder}/data.yaml"]
    else:
        argv = ["train", "--dryrun", "--no-report", f"{folder}/train.yaml"]
    return Case(index, mutation, argv, save_dir, files)


def _save_dir(config: Any, block: str) -> str | None:
    """The save_dir the mutated config names, when it names one (a string): the only folder it may write."""
    values = config.get(block) if isinstance(config, dict) else None
    if not isinstance(values, dict):
        return None
    value = values.get("save_dir", values.get("output_dir"))
    if block == "train" and "save_dir" not in values and "output_dir" not in values:
        value = _schema_default_output_dir()  # no folder named: the run writes into the documented default
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # the schema reads a number as the folder name it spells
    return value if isinstance(value, str) and value.strip() else None


def _schema_default_output_dir() -> str:
    """TrainConfig's default ``output_dir``, read from the schema (the folder a run without save_dir uses)."""
    import dataclasses

    from calt.config import TrainConfig

    return next(f.default for f in dataclasses.fields(TrainConfig) if f.name == "output_dir")


def write_case_files(root: Path, case: Case) -> None:
    for relative, content in case.files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")


# ---- running a batch ---------------------------------------------------------------------------------
class CaseTimeout(BaseException):
    """A case ran past its time limit (a BaseException: ``calt.cli.main`` must not report it as an error)."""


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """``{relative path: (size, mtime_ns)}`` of every file under ``root``."""
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            with contextlib.suppress(FileNotFoundError):
                stat = path.stat()
                out[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return out


def changed_files(before: dict, after: dict) -> list[str]:
    """Files created, modified or removed between two snapshots."""
    return sorted({p for p in after if before.get(p) != after[p]} | {p for p in before if p not in after})


def run_case(case: dict, root: Path, timeout: float) -> dict:
    """Run one case through ``calt.cli.main``; return its exit status, stderr and changed files."""
    from calt.cli import main

    def on_alarm(signum, frame):
        raise CaseTimeout(f"no result after {timeout} s")

    before = snapshot(root)
    err, out = io.StringIO(), io.StringIO()
    began = time.perf_counter()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            status = main(case["argv"])
    except CaseTimeout as exc:
        status, err_text = "timeout", f"{exc}\n{err.getvalue()}"
    except BaseException as exc:  # SystemExit and friends: reported as they are
        status, err_text = f"raised {type(exc).__name__}", f"{exc!r}\n{err.getvalue()}"
    else:
        err_text = err.getvalue()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return {"index": case["index"], "status": status, "stderr": err_text, "stdout_tail": out.getvalue()[-2000:],
            "changed": changed_files(before, snapshot(root)), "seconds": time.perf_counter() - began}


def main(spec_path: str, results_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    root = Path(spec["root"])
    os.chdir(root)
    import torch

    torch.set_num_threads(1)
    results = [run_case(case, root, spec["timeout"]) for case in spec["cases"]]
    Path(results_path).write_text(json.dumps(results))


if __name__ == "__main__":
    main(*sys.argv[1:])
