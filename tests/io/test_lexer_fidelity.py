"""calt's lexer gives calt-x 1.5.0's tokens, vocabulary extension and NumberPolicy errors.

Every expected value in tests/fixtures/calt_x_1_5_0/lexer_cases.json was recorded by running
calt-x 1.5.0 itself: ``tests/fixtures/calt_x_1_5_0/make_lexer_cases.py``, run with the
interpreter of a venv holding calt-x==1.5.0 (not calt). Error messages are compared on the
original's text; calt may append a hint after it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from calt.io.preprocessor import NumberPolicy, UnifiedLexer
from calt.io.vocabulary.config import VocabConfig

RECORD = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "calt_x_1_5_0" / "lexer_cases.json").read_text(encoding="utf-8")
)
CONFIGS = RECORD["configs"]
CASES = RECORD["cases"]


def test_fixture_was_recorded_with_calt_x_1_5_0():
    assert RECORD["recorded_with"] == "calt-x 1.5.0"
    assert len(CASES) >= 40


def make_lexer(name: str) -> UnifiedLexer:
    cfg = CONFIGS[name]
    policy = cfg["number_policy"]
    return UnifiedLexer(
        VocabConfig().from_config(copy.deepcopy(cfg["vocab"])),
        NumberPolicy(sign=policy["attach_sign"], digit_group=policy["digit_group"], allow_float=policy["allow_float"]),
        strict=cfg["strict"],
        include_base_vocab=cfg["include_base_vocab"],
    )


LEXERS: dict[str, UnifiedLexer] = {}


def lexer_for(name: str) -> UnifiedLexer:
    if name not in LEXERS:
        LEXERS[name] = make_lexer(name)
    return LEXERS[name]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['config']}:{c['text']!r}" for c in CASES])
def test_tokens_match_the_original(case):
    lexer = lexer_for(case["config"])
    if "error" in case:
        assert case["error"] == "ValueError"  # calt raises UnknownCharacterError, a ValueError
        with pytest.raises(ValueError) as raised:
            lexer.tokenize(case["text"])
        assert str(raised.value).startswith(case["message"])
    else:
        assert lexer.tokenize(case["text"]) == case["tokens"]


@pytest.mark.parametrize("case", [c for c in CASES if "tokens" in c and CONFIGS[c["config"]]["strict"]],
                         ids=lambda c: f"{c['config']}:{c['text']!r}")
def test_fast_lexeme_path_agrees(case):
    """``raw_lexemes`` (the encoder's fast path) is either not applicable or gives the same tokens."""
    lexemes = lexer_for(case["config"]).raw_lexemes(case["text"])
    assert lexemes is None or lexemes == case["tokens"]


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_vocabulary_is_extended_like_the_original(name):
    extended = lexer_for(name).vocab_config
    assert extended.get_vocab() == RECORD["extended_vocab"][name]["vocab"]
    assert extended.get_special_tokens() == RECORD["extended_vocab"][name]["special_tokens"]


@pytest.mark.parametrize("row", RECORD["process_number"], ids=lambda r: f"{r['policy']}:{r['number']}")
def test_process_number_matches_the_original(row):
    assert NumberPolicy(**row["policy"]).process_number(row["number"]) == row["tokens"]


@pytest.mark.parametrize("row", RECORD["policy_errors"], ids=lambda r: str(r["policy"]))
def test_number_policy_validation_messages(row):
    with pytest.raises(ValueError) as raised:
        NumberPolicy(**row["policy"])
    assert str(raised.value) == row["message"]


def test_lexer_leaves_the_callers_vocab_config_untouched():
    vocab = VocabConfig().from_config({"range": {"n": ["", 0, 5]}, "misc": ["x"]})
    before = (list(vocab.get_vocab()), dict(vocab.get_special_tokens()))
    lexer = UnifiedLexer(vocab, NumberPolicy(sign=True, digit_group=2, allow_float=True))
    assert (vocab.get_vocab(), vocab.get_special_tokens()) == before
    assert lexer.vocab_config is not vocab and "-0" in lexer.vocab_config.get_vocab() and "99" in lexer.vocab_config.get_vocab()


@pytest.mark.parametrize("text", ["1x", "abc", "", "+", "1-2", "1e5"])
def test_process_number_rejects_what_is_not_a_number_literal(text):
    with pytest.raises(ValueError, match="not a number literal"):
        NumberPolicy().process_number(text)
