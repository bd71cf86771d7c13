"""Offline preprocessing (``calt preprocess``): raw ``problem # answer`` files → a JSON Lines cache.

The load preprocessor (a Sage parse, a basis change, ...) runs once, offline, instead of at every
training start, and training can then run where it is not even installed:

    data/<task>/train_raw.txt
    data/<task>/processed_<order>_<format>/{train,test}_processed.jsonl    {"problem": str, "answer": str}
    data/<task>/processed_<order>_<format>_ids/{train,test}_ids.jsonl      {"input_ids": [...], "target_ids": [...]}
    ... each folder with _hash.txt (validity) and _meta.yaml (how it was built)

The functions keep calt-x 1.5.0's names and arguments. ``_hash.txt`` covers what calt-x's covers
(lexer.yaml, the data.yaml ``sampler`` block, the training order, caller bytes; the vocabulary for ids)
plus the content of both raw files, so regenerated data invalidates the cache too. The load
preprocessor's identity (class, parameters, source: ``preprocessor_fingerprint``) is recorded in
``_meta.yaml`` and checked before a cache is used: against the preprocessor the caller passes, else the one
train.yaml's ``data.dataset_load_preprocessor`` names; an edited preprocessor makes the cache stale.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from calt.atomic import atomic_path, write_text_atomic
from calt.config import DataConfig, parse_block

from .encoding import SampleEncoder
from .preprocessor.load_preprocessors.identity import UnstableIdentity, preprocessor_fingerprint
from .preprocessor.load_preprocessors.spec import build_load_preprocessor
from .pretokenized import META_FILE, vocab_digest
from .readers import read_samples

PREPROCESS_VERSION = "calt-v1"
PRETOK_VERSION = "calt-v1"
HASH_FILE = "_hash.txt"
LEXER_FORMATS = ("raw", "expanded")


# --- hashes and folders ---------------------------------------------------------------------------
def _data(cfg: Any) -> Any:
    data = cfg.get("data") if isinstance(cfg, Mapping) or hasattr(cfg, "get") else None
    if data is None:
        raise ValueError("the config has no data block (pass the whole train.yaml config)")
    return data


def _sampler(data_cfg: Any) -> dict | None:
    if data_cfg is None or data_cfg.get("sampler") is None:
        return None
    sampler = data_cfg.get("sampler")
    if not isinstance(sampler, dict):
        from omegaconf import OmegaConf

        sampler = OmegaConf.to_container(sampler, resolve=True)
    return sampler


def _hash(parts: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
        digest.update(b"\x00")
    return digest.hexdigest()


def _file_digest(path: str | Path) -> bytes:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest().encode()


def _common_parts(cfg: Any, data_cfg: Any, training_order: str, extra_hash_bytes: bytes) -> list[bytes]:
    data = _data(cfg)
    sampler = _sampler(data_cfg)
    return [
        Path(data.get("lexer_config")).resolve().read_bytes(),
        json.dumps(sampler, sort_keys=True).encode() if sampler is not None else b"",
        training_order.encode(),
        _file_digest(data.get("train_dataset_path")),
        _file_digest(data.get("test_dataset_path")),
        extra_hash_bytes,
    ]


def compute_config_hash(cfg: Any, data_cfg: Any, training_order: str, extra_hash_bytes: bytes = b"") -> str:
    """SHA-256 over everything that shapes the preprocessed strings (see the module docstring)."""
    return _hash([PREPROCESS_VERSION.encode(), *_common_parts(cfg, data_cfg, training_order, extra_hash_bytes)])


def compute_pretok_hash(cfg: Any, data_cfg: Any, training_order: str, tokenizer: Any,
                        extra_hash_bytes: bytes = b"") -> str:
    """As ``compute_config_hash``, plus the tokenizer's vocabulary (ids change with it)."""
    vocab = json.dumps(tokenizer.get_vocab(), sort_keys=True).encode()
    return _hash([PRETOK_VERSION.encode(), *_common_parts(cfg, data_cfg, training_order, extra_hash_bytes), vocab])


def get_cache_dir(raw_train_path: str | Path, training_order: str, lexer_format: str) -> Path:
    """``<folder of the raw train file>/processed_<order>_<format>``."""
    return Path(raw_train_path).parent / f"processed_{training_order}_{lexer_format}"


def get_pretok_cache_dir(raw_train_path: str | Path, training_order: str, lexer_format: str) -> Path:
    """``<folder of the raw train file>/processed_<order>_<format>_ids``."""
    return Path(raw_train_path).parent / f"processed_{training_order}_{lexer_format}_ids"


# --- writers ------------------------------------------------------------------------------------
def _write_lines(path: Path, lines: Iterable[str]) -> None:
    """Write ``lines`` to ``path`` atomically (a reader never sees half a cache file)."""
    with atomic_path(path) as temporary, open(temporary, "w", encoding="utf-8") as handle:
        handle.writelines(lines)


def _is_current(cache_dir: Path, expected: str, files: Iterable[str]) -> bool:
    hash_file = cache_dir / HASH_FILE
    return (hash_file.is_file() and hash_file.read_text().strip() == expected
            and all((cache_dir / name).is_file() for name in files))


def _fingerprint(load_preprocessor: Any) -> str | None:
    if load_preprocessor is None:
        return None
    try:
        return preprocessor_fingerprint(load_preprocessor)
    except UnstableIdentity:
        return None


def _meta(cfg: Any, training_order: str, lexer_format: str, load_preprocessor: Any, counts: dict) -> dict:
    return {
        "created_at": datetime.now(timezone.utc).isoformat(),
        "training_order": training_order,
        "lexer_format": lexer_format,
        "lexer_config": str(_data(cfg).get("lexer_config")),
        "load_preprocessor": type(load_preprocessor).__name__ if load_preprocessor is not None else None,
        "load_preprocessor_sha256": _fingerprint(load_preprocessor),
        **counts,
    }


def _build(cache_dir: Path, expected: str, files: dict[str, tuple[str, Any]], meta: dict, tag: str) -> None:
    """Write each ``name: (raw path, line maker)`` file, then _meta.yaml, then _hash.txt (last, so an
    interrupted run never leaves a folder that looks valid)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    (cache_dir / HASH_FILE).unlink(missing_ok=True)
    for name, (raw_path, make_lines) in files.items():
        started = time.perf_counter()
        lines = make_lines(raw_path)
        _write_lines(cache_dir / name, lines)
        meta[f"n_{name.split('_')[0]}"] = len(lines)
        print(f"[{tag}]   {name}: {len(lines)} samples in {time.perf_counter() - started:.1f}s")
    write_text_atomic(cache_dir / META_FILE, yaml.safe_dump(meta, sort_keys=False))
    write_text_atomic(cache_dir / HASH_FILE, expected)


def run_preprocess(cfg: Any, data_cfg: Any, training_order: str, lexer_format: str, load_preprocessor: Any,
                   force: bool = False, extra_hash_bytes: bytes = b"") -> Path:
    """Write ``{train,test}_processed.jsonl`` (the load preprocessor's strings) unless a valid cache exists
    (``force`` rebuilds it); return the cache folder."""
    data = _data(cfg)
    load_preprocessor = _preprocessor(cfg, load_preprocessor)
    cache_dir = get_cache_dir(data.get("train_dataset_path"), training_order, lexer_format)
    expected = compute_config_hash(cfg, data_cfg, training_order, extra_hash_bytes)
    names = ("train_processed.jsonl", "test_processed.jsonl")
    if not force and _is_current(cache_dir, expected, names) and _same_preprocessor(cache_dir, load_preprocessor):
        print(f"[preprocess] cache up to date at {cache_dir} (hash {expected[:12]}...)")
        return cache_dir
    print(f"[preprocess] writing cache -> {cache_dir} (order={training_order}, format={lexer_format}, "
          f"load_preprocessor={type(load_preprocessor).__name__ if load_preprocessor is not None else None})")

    def strings(raw_path: str) -> list[str]:
        samples = read_samples(raw_path, None, load_preprocessor, "text")
        return [json.dumps({"problem": p, "answer": a}) + "\n" for p, a in zip(samples.problems, samples.answers)]

    files = {names[0]: (data.get("train_dataset_path"), strings), names[1]: (data.get("test_dataset_path"), strings)}
    meta = {"preprocess_version": PREPROCESS_VERSION, **_meta(cfg, training_order, lexer_format, load_preprocessor, {})}
    _build(cache_dir, expected, files, meta, "preprocess")
    print(f"[preprocess] done. hash={expected[:12]}...")
    return cache_dir


def _lexer_and_tokenizer(cfg: Any):
    """The lexer and tokenizer ``IOPipeline.from_config`` builds from the same data block."""
    from .pipeline import build_lexer, load_lexer_config, resolve_lexer_path
    from .tokenizer import get_tokenizer

    lexer_path = resolve_lexer_path(_data(cfg).get("lexer_config"))
    _, lexer = build_lexer(load_lexer_config(lexer_path), str(lexer_path))
    return lexer, get_tokenizer(lexer.vocab_config)


def preprocess_to_ids(cfg: Any, data_cfg: Any, training_order: str, lexer_format: str, load_preprocessor: Any,
                      force: bool = False, extra_hash_bytes: bytes = b"") -> Path:
    """Write ``{train,test}_ids.jsonl``: the load preprocessor, lexer and tokenizer applied offline (ids framed
    by <s> … </s>), unless a valid cache exists (``force`` rebuilds it); return the cache folder."""
    data = _data(cfg)
    load_preprocessor = _preprocessor(cfg, load_preprocessor)
    settings = parse_block(DataConfig, data, "data")
    cache_dir = get_pretok_cache_dir(data.get("train_dataset_path"), training_order, lexer_format)
    lexer, tokenizer = _lexer_and_tokenizer(cfg)
    expected = compute_pretok_hash(cfg, data_cfg, training_order, tokenizer, extra_hash_bytes)
    names = ("train_ids.jsonl", "test_ids.jsonl")
    if not force and _is_current(cache_dir, expected, names) and _same_preprocessor(cache_dir, load_preprocessor):
        print(f"[preprocess-ids] cache up to date at {cache_dir} (hash {expected[:12]}...)")
        return cache_dir
    encoder = SampleEncoder(lexer, tokenizer)
    print(f"[preprocess-ids] writing cache -> {cache_dir} (order={training_order}, format={lexer_format}, "
          f"vocab size {len(tokenizer.get_vocab())})")

    def ids(split: str):
        def make(raw_path: str) -> list[str]:
            samples = read_samples(raw_path, None, load_preprocessor, "text")
            inputs, targets = encoder.encode_split(samples, split, getattr(settings, f"validate_{split}_tokens"))
            return [json.dumps({"input_ids": inputs[i].tolist(), "target_ids": targets[i].tolist()}) + "\n"
                    for i in range(len(inputs))]
        return make

    id_to_token = sorted(encoder.vocab, key=encoder.vocab.__getitem__)
    files = {names[0]: (data.get("train_dataset_path"), ids("train")),
             names[1]: (data.get("test_dataset_path"), ids("test"))}
    meta = {"pretok_version": PRETOK_VERSION, **_meta(cfg, training_order, lexer_format, load_preprocessor, {}),
            "tokenizer_vocab_size": len(id_to_token), "vocab_sha256": vocab_digest(id_to_token)}
    _build(cache_dir, expected, files, meta, "preprocess-ids")
    print(f"[preprocess-ids] done. hash={expected[:12]}...")
    return cache_dir


# --- readers ------------------------------------------------------------------------------------
def _preprocessor(cfg: Any, load_preprocessor: Any) -> Any:
    """The preprocessor passed, else the one train.yaml's ``data.dataset_load_preprocessor`` names (or None)."""
    if load_preprocessor is not None:
        return load_preprocessor
    return build_load_preprocessor(_data(cfg).get("dataset_load_preprocessor"))


def _same_preprocessor(cache_dir: Path, load_preprocessor: Any) -> bool:
    """True unless a preprocessor is given and the cache records another one (or none it can compare)."""
    if load_preprocessor is None:
        return True
    meta_file = cache_dir / META_FILE
    recorded = (yaml.safe_load(meta_file.read_text()) or {}).get("load_preprocessor_sha256") if meta_file.is_file() else None
    current = _fingerprint(load_preprocessor)
    return current is not None and recorded == current


def _use(cfg: Any, cache_dir: Path, train_name: str, test_name: str) -> None:
    data = _data(cfg)
    data["train_dataset_jsonl"] = str(cache_dir / train_name)
    data["test_dataset_jsonl"] = str(cache_dir / test_name)
    if data.get("dataset_load_preprocessor") is not None:  # its effect is in the cache already
        data["dataset_load_preprocessor"] = None


def maybe_use_processed_cache(cfg: Any, data_cfg: Any, training_order: str, lexer_format: str,
                              extra_hash_bytes: bytes = b"", load_preprocessor: Any = None) -> bool:
    """Point ``cfg.data`` at a valid strings cache and return True; False (cfg untouched) when there is none."""
    data = _data(cfg)
    cache_dir = get_cache_dir(data.get("train_dataset_path"), training_order, lexer_format)
    names = ("train_processed.jsonl", "test_processed.jsonl")
    if not (cache_dir / HASH_FILE).is_file():
        return False
    load_preprocessor = _preprocessor(cfg, load_preprocessor)
    if not _is_current(cache_dir, compute_config_hash(cfg, data_cfg, training_order, extra_hash_bytes), names) or \
            not _same_preprocessor(cache_dir, load_preprocessor):
        print(f"[preprocess] cache at {cache_dir} is STALE; falling back to the raw files")
        return False
    _use(cfg, cache_dir, *names)
    return True


def maybe_use_pretokenized_cache(cfg: Any, data_cfg: Any, training_order: str, lexer_format: str,
                                 extra_hash_bytes: bytes = b"", load_preprocessor: Any = None) -> bool:
    """Point ``cfg.data`` at a valid pre-tokenized cache and return True; False (cfg untouched) otherwise."""
    data = _data(cfg)
    cache_dir = get_pretok_cache_dir(data.get("train_dataset_path"), training_order, lexer_format)
    names = ("train_ids.jsonl", "test_ids.jsonl")
    if not (cache_dir / HASH_FILE).is_file():
        return False
    load_preprocessor = _preprocessor(cfg, load_preprocessor)
    _, tokenizer = _lexer_and_tokenizer(cfg)
    expected = compute_pretok_hash(cfg, data_cfg, training_order, tokenizer, extra_hash_bytes)
    if not _is_current(cache_dir, expected, names) or not _same_preprocessor(cache_dir, load_preprocessor):
        print(f"[preprocess-ids] cache at {cache_dir} is STALE; falling back")
        return False
    _use(cfg, cache_dir, *names)
    return True


def build_io_pipeline_with_cache(cfg: Any, data_cfg: Any, training_order: str, lexer_format: str,
                                 load_preprocessor: Any, extra_hash_bytes: bytes = b"") -> tuple[Any, str]:
    """An ``IOPipeline`` on the best valid cache: ``"pretokenized"``, then ``"strings"``, else ``"none"`` (the raw
    files with ``load_preprocessor``). Returns ``(io_pipeline, kind)``."""
    from .pipeline import IOPipeline

    if maybe_use_pretokenized_cache(cfg, data_cfg, training_order, lexer_format, extra_hash_bytes, load_preprocessor):
        return IOPipeline.from_config(_data(cfg)), "pretokenized"
    if maybe_use_processed_cache(cfg, data_cfg, training_order, lexer_format, extra_hash_bytes, load_preprocessor):
        return IOPipeline.from_config(_data(cfg)), "strings"
    _warn_if_other_order_cache_exists(cfg, training_order)
    pipeline = IOPipeline.from_config(_data(cfg))
    if load_preprocessor is not None:
        pipeline.dataset_load_preprocessor = load_preprocessor
    return pipeline, "none"


def _warn_if_other_order_cache_exists(cfg: Any, training_order: str) -> None:
    folder = Path(_data(cfg).get("train_dataset_path")).parent
    others = sorted(p.name for p in folder.glob("processed_*") if not p.name.startswith(f"processed_{training_order}_"))
    if others:
        print(f"[preprocess] no cache for training order {training_order!r}, but {others} exist; build one with "
              f"`calt preprocess ... --training-order {training_order}` or train with the order they were built for")


# --- the source ring of calt-x's data.yaml `sampler` block -----------------------------------------
def parse_field(field_str: str) -> Any:
    """``"QQ"``, ``"RR"``, ``"ZZ"`` or ``"GF<p>"`` / ``"GF(p)"`` → the Sage field."""
    from .preprocessor.load_preprocessors.text_to_sage import polynomial_ring

    return polynomial_ring("x", field_str).base_ring()


def build_ring_from_sampler(sampler_cfg: Any) -> Any:
    """The polynomial ring of a data.yaml ``sampler`` block: its ``symbols`` (default ``"x,y"``),
    ``field_str`` (default ``"QQ"``) and ``order`` (default ``"degrevlex"``); other keys are the generator's."""
    from .preprocessor.load_preprocessors.text_to_sage import polynomial_ring

    sampler = dict(sampler_cfg) if isinstance(sampler_cfg, Mapping) else _sampler({"sampler": sampler_cfg})
    return polynomial_ring(sampler.get("symbols", "x,y"), sampler.get("field_str", "QQ"),
                           sampler.get("order", "degrevlex"))


def expanded_load_preprocessor(data_cfg: Any) -> Any:
    """``--lexer-format expanded``: TextToSage (ring of data.yaml's ``sampler`` block) then ExpandedForm."""
    from .preprocessor.load_preprocessors import (
        ChainLoadPreprocessor,
        ExpandedFormLoadPreprocessor,
        TextToSageLoadPreprocessor,
    )

    sampler = _sampler(data_cfg)
    if sampler is None:
        raise ValueError("--lexer-format expanded needs --data-config: a data.yaml with a `sampler` block "
                         "(symbols, field_str, order) that names the ring of the raw polynomials")
    ring = build_ring_from_sampler(sampler)
    return ChainLoadPreprocessor(TextToSageLoadPreprocessor(delimiter="|", ring=ring),
                                 ExpandedFormLoadPreprocessor(delimiter=" | "))
