"""Lex and encode every sample once: texts → token ids, with file/line context on every error."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path

from .preprocessor.lexer import UnifiedLexer, UnknownCharacterError
from .readers import Samples
from .token_store import TokenIdStore
from .vocabulary.validator import UnknownTokens

import numpy as np

logger = logging.getLogger(__name__)
SEPARATOR = "\x00"  # joins texts for one-pass lexing; matched as its own lexeme
ENCODE_CHUNK = 16_384  # texts lexed in one pass: bounds the peak memory of a build, not its speed


class SampleEncoder:
    """Maps texts to ``<s> ids… </s>`` with a per-text cache (answers and short problems repeat)."""

    def __init__(self, lexer: UnifiedLexer, tokenizer) -> None:
        self.lexer = lexer
        self.vocab = tokenizer.get_vocab()
        self.bos, self.eos = tokenizer.bos_token_id, tokenizer.eos_token_id
        self.unk = tokenizer.unk_token_id
        self._cache: dict[str, tuple[list[int], list[str]]] = {}

    def encode(self, text: str) -> tuple[list[int], list[str]]:
        """Ids of ``text`` framed by <s> … </s>, and its out-of-vocabulary tokens."""
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        vocab, unk = self.vocab, self.unk
        lexemes = self.lexer.raw_lexemes(text)
        if lexemes is not None:  # fast path: every lexeme is a vocabulary token
            ids = list(map(vocab.get, lexemes))
            if None not in ids:
                result = ([self.bos, *ids, self.eos], [])
                self._remember(text, result)
                return result
        tokens = self.lexer.tokenize(text)
        ids = [vocab.get(t, unk) for t in tokens]
        # the lexer's own unk token (non-strict lexing of an unknown character) is not an OOV token
        lexer_unk = self.lexer.unk_token
        unknown = [t for t, i in zip(tokens, ids) if i == unk and t not in vocab and t != lexer_unk] if unk in ids else []
        result = ([self.bos, *ids, self.eos], unknown)
        self._remember(text, result)
        return result

    def nearest_token_hint(self, text: str, column: int) -> str:
        """``; 'C-27' is no token: the longest token it starts with, 'C-2', comes from vocab.range.coefficients``
        for the word around ``column`` of ``text`` (empty when no vocabulary token starts it)."""
        start = text.rfind(" ", 0, column) + 1
        end = text.find(" ", column)
        word = text[start:end if end >= 0 else len(text)]
        sources = self.lexer.vocab_config.token_sources
        starts = [token for token in sources if word.startswith(token)]
        if not starts:
            return ""
        token = max(starts, key=len)
        return (f"; {word!r} is no token: the longest token it starts with, {token!r}, comes from {sources[token]} "
                "(widen it?)")

    def unused_entries(self, stores: list[TokenIdStore]) -> list[str]:
        """The lexer.yaml entries (``vocab.range.<name>``, ``vocab.misc``) none of whose tokens the encoded texts
        hold: with out-of-vocabulary tokens, the likely wrong ones."""
        sources = self.lexer.vocab_config.token_sources
        seen_ids = set(np.unique(np.concatenate([store.values for store in stores])).tolist()) if stores else set()
        used = {sources[token] for token, token_id in self.vocab.items() if token_id in seen_ids and token in sources}
        return sorted(set(sources.values()) - used)

    def range_hints(self, missing: list[str]) -> list[str]:
        """For missing tokens of the form prefix + integer: the ``vocab.range`` entry with that prefix whose bounds
        leave them out, or, with no such entry, the range that would hold them."""
        groups: dict[str, list[int]] = {}
        for token in missing:
            match = re.fullmatch(r"(.*?)(-?\d+)", token)
            if match and match.group(1):
                groups.setdefault(match.group(1), []).append(int(match.group(2)))
        hints = []
        ranges = self.lexer.vocab_config.ranges
        for prefix, numbers in groups.items():
            names = [name for name, spec in ranges.items() if spec[0] == prefix]
            if names:
                low, high = ranges[names[0]][1:]
                hints.append(f"vocab.range.{names[0]} ({prefix}{low}..{prefix}{high}) leaves out {prefix}"
                             f"{min(numbers)}..{prefix}{max(numbers)}: widen it")
            else:
                hints.append(f"no vocab.range entry has the prefix {prefix!r} of {prefix}{min(numbers)}.."
                             f"{prefix}{max(numbers)}: add one, e.g. [{prefix!r}, {min(numbers)}, {max(numbers)}]")
        return hints

    def _remember(self, text: str, result: tuple[list[int], list[str]]) -> None:
        if len(self._cache) < 1_000_000:
            self._cache[text] = result

    def encode_all(self, texts: list[str]) -> TokenIdStore | None:
        """All texts by one regex pass and one vectorised id lookup per chunk of ``ENCODE_CHUNK`` texts (the
        lexeme strings of a whole split would peak at tens of bytes a token); None when a text needs the
        per-sample path (number rewriting, unknown or out-of-vocabulary tokens)."""
        lookup = {**self.vocab, SEPARATOR: -1}
        chunks = []
        for start in range(0, len(texts), ENCODE_CHUNK):
            chunk = self._encode_chunk(texts[start:start + ENCODE_CHUNK], lookup)
            if chunk is None:
                return None
            chunks.append(chunk)
        return TokenIdStore.concatenate(chunks)

    def _encode_chunk(self, texts: list[str], lookup: dict[str, int]) -> TokenIdStore | None:
        joined = SEPARATOR.join(texts)
        if joined.count(SEPARATOR) != len(texts) - 1:
            return None
        lexemes = self.lexer.raw_lexemes(joined)
        if lexemes is None:
            return None
        try:
            flat = np.fromiter(map(lookup.__getitem__, lexemes), dtype=np.int32, count=len(lexemes))
        except KeyError:  # an out-of-vocabulary lexeme: the per-sample path reports it
            return None
        del lexemes, joined
        counts = np.diff(np.concatenate(([-1], np.flatnonzero(flat == -1), [len(flat)]))) - 1
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(counts + 2, out=offsets[1:])
        values = np.empty(int(offsets[-1]), dtype=np.int32)
        starts = offsets[:-1]
        body = np.ones(len(values), dtype=bool)
        body[starts] = body[offsets[1:] - 1] = False
        values[starts], values[offsets[1:] - 1] = self.bos, self.eos
        values[body] = flat[flat != -1]
        return TokenIdStore(values, offsets)

    def encode_split(self, samples: Samples, split: str, validate: bool) -> tuple[TokenIdStore, TokenIdStore]:
        """Encode problems and answers of one split; OOV tokens fail when ``validate``, else are reported."""
        unknown = UnknownTokens()
        stores = []
        for texts in (samples.problems, samples.answers):
            fast = self.encode_all(texts) if texts else None
            if fast is not None:
                stores.append(fast)
                continue
            sequences = []
            for index, text in enumerate(texts):
                try:
                    ids, oov = self.encode(text)
                except UnknownCharacterError as error:
                    raise ValueError(
                        f"{samples.path}:{samples.line_numbers[index]}: unknown character {error.char!r} at "
                        f"column {error.column + 1} of {text!r}{self.nearest_token_hint(text, error.column)}; add it "
                        "to vocab.misc in lexer.yaml, or set strict: false to map it to the unk token"
                    ) from None
                if oov:
                    unknown.add(oov, (samples.path, samples.line_numbers[index]))
                sequences.append(ids)
            stores.append(TokenIdStore.from_lists(sequences))
        if unknown and validate:
            raise unknown.error(split, self.unused_entries(stores), self.range_hints(list(unknown.first_seen)))
        if unknown:
            logger.warning("%s: %d sample(s) hold tokens outside the vocabulary, mapped to %s:\n%s",
                           samples.path, unknown.samples, self.lexer.unk_token, unknown.describe())
        return stores[0], stores[1]


def cache_key(path: str, lexer_config: dict, vocab: list[str], num_samples: int | None, fmt: str,
              preprocessor: str | None = None) -> str:
    """Hash of the data file's content and everything that shapes its ids: the lexer configuration, the
    vocabulary, the sample limit, the format, and the load preprocessor's identity (``preprocessor_fingerprint``)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(json.dumps([lexer_config, vocab, num_samples, fmt, preprocessor], sort_keys=True,
                             default=str).encode())
    return digest.hexdigest()[:24]


def cache_path(path: str, key: str) -> Path:
    """The manifest of the id cache of ``path``: beside the data, in ``.calt_cache/`` (its columns beside it)."""
    source = Path(path)
    return source.parent / ".calt_cache" / f"{source.name}.{key}.json"
