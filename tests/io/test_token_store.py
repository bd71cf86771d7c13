"""The token cache's files: numpy's format, memory-mapped on reading, complete only once its manifest exists."""

import subprocess
import sys

import numpy as np

from calt.io.token_store import TokenIdStore, column_path, load_stores, load_texts, save_stores


def store(sequences):
    return TokenIdStore.from_lists(sequences)


def test_stores_and_texts_round_trip(tmp_path):
    manifest = tmp_path / "train.txt.key.json"
    ids = store([[1, 5, 2], [1, 2], [1, 7, 7, 7, 2]])
    texts = {"problems": ["x^2 + 1", "", "√2 · 𝔽₁₇"], "line_numbers": np.array([3, 4, 9])}
    save_stores(manifest, {"input_ids": ids, "target_ids": ids.select(2)}, texts)
    loaded = load_stores(manifest)
    assert [list(loaded["input_ids"][i]) for i in range(3)] == [[1, 5, 2], [1, 2], [1, 7, 7, 7, 2]]
    assert len(loaded["target_ids"]) == 2
    assert isinstance(loaded["input_ids"].values, np.memmap)  # mapped, not read into memory
    assert load_texts(manifest, ("problems", "line_numbers")) == {"problems": texts["problems"], "line_numbers": [3, 4, 9]}
    assert load_texts(manifest, ("problems", "answers")) is None


def test_concatenate_keeps_every_sample_in_order():
    parts = [store([[1, 2], [3]]), store([[4, 5, 6]]).select(1), store([[7], [8, 9]])]
    joined = TokenIdStore.concatenate(parts)
    assert [list(joined[i]) for i in range(len(joined))] == [[1, 2], [3], [4, 5, 6], [7], [8, 9]]


def test_the_manifest_is_written_last(tmp_path, monkeypatch):
    """A write that dies before its manifest leaves no cache that a build would read."""
    manifest = tmp_path / "train.txt.key.json"
    import calt.io.token_store as token_store

    def fail(path, payload):
        raise OSError("disk full")

    monkeypatch.setattr(token_store, "write_json_atomic", fail)
    try:
        save_stores(manifest, {"input_ids": store([[1, 2]])})
    except OSError:
        pass
    assert column_path(manifest, "input_ids.values").is_file() and not manifest.exists()


def test_a_cached_build_does_not_import_pyarrow(data_cfg, gf17_files):
    """The cache costs no Arrow import (25 MiB of the data and training processes)."""
    from omegaconf import OmegaConf

    cfg = OmegaConf.to_yaml(OmegaConf.merge(data_cfg, {"cache_min_samples": 1}))
    script = ("import sys; from omegaconf import OmegaConf; from calt.io import IOPipeline\n"
              f"cfg = OmegaConf.create({cfg!r})\n"
              "for _ in range(2): IOPipeline.from_config(cfg).build()\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyarrow', 'pandas', 'datasets')))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert list((gf17_files / ".calt_cache").glob("train.txt.*.json"))
