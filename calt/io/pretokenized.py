"""Pre-tokenized JSON Lines: one ``{"input_ids": [...], "target_ids": [...]}`` object per line.

``calt preprocess --pretokenize`` writes them (ids framed by ``<s>`` … ``</s>``, as the tokenizer frames
them), and a data path pointing at such a file is read as ids: no load preprocessor, lexer or tokenizer
runs at training time. Like calt-x, a JSONL file is pre-tokenized when its first record has ``input_ids``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import numpy as np
import yaml

from .token_store import TokenIdStore

META_FILE = "_meta.yaml"


def is_pretokenized_jsonl(path: str | Path) -> bool:
    """True when the first non-empty line of a .jsonl file is an object with ``input_ids``."""
    if Path(path).suffix.lower() != ".jsonl":
        return False
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    return isinstance(record, dict) and "input_ids" in record
    except (OSError, ValueError):
        return False
    return False


def vocab_digest(vocab: list[str]) -> str:
    """SHA-256 of the token list, ids in order: ids written with one vocabulary mean nothing in another."""
    return hashlib.sha256(json.dumps(list(vocab)).encode()).hexdigest()


def check_vocabulary(path: Path, vocab: list[str]) -> None:
    """Fail if the ``_meta.yaml`` beside ``path`` records another vocabulary than the one training uses."""
    meta_file = path.parent / META_FILE
    if not meta_file.is_file():
        return
    recorded = (yaml.safe_load(meta_file.read_text(encoding="utf-8")) or {}).get("vocab_sha256")
    if recorded and recorded != vocab_digest(vocab):
        raise ValueError(
            f"{path} was tokenized with another vocabulary than data.lexer_config gives now ({meta_file} records "
            "it); rebuild it with `calt preprocess --pretokenize --force`"
        )


def read_pretokenized(path: str | Path, limit: int | None, vocab_size: int, bos: int, eos: int
                      ) -> tuple[TokenIdStore, TokenIdStore, list[int]]:
    """Input and target ids of up to ``limit`` records (None or -1: all), and the line number of each.

    Every record needs ``input_ids`` and ``target_ids``: lists of ids below ``vocab_size`` that start with
    ``bos`` and end with ``eos``; any other record is an error naming the file and line.
    """
    path = Path(path)
    limit = None if limit is None or limit < 0 else limit
    records: list[dict] = []
    numbers: list[int] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if limit is not None and len(records) >= limit:
                break
            if not line.strip():
                continue
            record = _record(line, path, number)
            if "true" in line or "false" in line:  # JSON booleans pass numpy's integer check: look closer
                for name in ("input_ids", "target_ids"):
                    _ids(record, name, path, number, vocab_size, bos, eos)
            records.append(record)
            numbers.append(number)
    if not records:
        raise ValueError(f"{path}: no records; a pre-tokenized file holds one {{input_ids, target_ids}} object a line")
    stores = []
    for name in ("input_ids", "target_ids"):
        sequences = [record[name] for record in records]
        store = _checked_store(sequences, vocab_size, bos, eos)
        if store is None:  # some record is wrong: find the first and name it
            for record, number in zip(records, numbers):
                _ids(record, name, path, number, vocab_size, bos, eos)
        stores.append(store)
    return stores[0], stores[1], numbers


def _checked_store(sequences: list, vocab_size: int, bos: int, eos: int) -> TokenIdStore | None:
    """The sequences as a store when all are lists of at least 2 integer ids in range, framed by ``bos`` …
    ``eos`` (checked on the flat array at once); None otherwise."""
    if not all(type(s) is list and len(s) >= 2 for s in sequences):
        return None
    lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
    offsets = np.zeros(len(sequences) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    try:
        values = np.array(list(itertools.chain.from_iterable(sequences)))
    except (ValueError, TypeError):
        return None
    if values.dtype.kind not in "iu" or values.min() < 0 or values.max() >= vocab_size:
        return None
    if (values[offsets[:-1]] != bos).any() or (values[offsets[1:] - 1] != eos).any():
        return None
    return TokenIdStore(values.astype(np.int32), offsets)


def _record(line: str, path: Path, number: int) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}:{number}: invalid JSON: {error.msg}") from None
    if not isinstance(record, dict) or "input_ids" not in record or "target_ids" not in record:
        raise ValueError(f"{path}:{number}: a pre-tokenized record needs 'input_ids' and 'target_ids'; rebuild the "
                         "file with `calt preprocess --pretokenize --force`")
    return record


def _ids(record: dict, name: str, path: Path, number: int, vocab_size: int, bos: int, eos: int) -> list[int]:
    ids = record[name]
    if not isinstance(ids, list) or len(ids) < 2 or not all(type(i) is int for i in ids):
        raise ValueError(f"{path}:{number}: {name} must be a list of integer token ids framed by <s> and </s>")
    if ids[0] != bos or ids[-1] != eos:
        raise ValueError(f"{path}:{number}: {name} must start with <s> (id {bos}) and end with </s> (id {eos}), "
                         "as `calt preprocess --pretokenize` writes them")
    if min(ids) < 0 or max(ids) >= vocab_size:
        raise ValueError(f"{path}:{number}: {name} holds id {max(ids) if max(ids) >= vocab_size else min(ids)} "
                         f"outside the vocabulary (0..{vocab_size - 1}); was it tokenized with another lexer.yaml?")
    return ids


def decode_texts(store: TokenIdStore, id_to_token: list[str]) -> list[str]:
    """Each sequence as its tokens joined by spaces, without ``<s>`` and ``</s>`` (the lexed text)."""
    tokens = np.asarray(id_to_token, dtype=object)
    return [" ".join(tokens[store[i][1:-1]]) for i in range(len(store))]
