"""lexer.yaml's vocab block is checked entry by entry, and a data/vocabulary mismatch names the suspect entry."""

import pytest

from calt.io.encoding import SampleEncoder
from calt.io.pipeline import build_lexer
from calt.io.readers import Samples
from calt.io.tokenizer import get_tokenizer
from calt.config import ConfigError


def lexer_yaml(**vocab):
    return {"vocab": {"range": {"coefficients": ["C", -9, 9], "exponents": ["E", 0, 4]}, "misc": ["+"], **vocab},
            "number_policy": {"attach_sign": True, "digit_group": 0, "allow_float": False}}


@pytest.mark.parametrize("vocab,message", [
    ({"range": {"c": [3, 0, 5]}}, r"vocab.range.c: the prefix must be a string"),
    ({"range": {"c": ["C", 0, 10**18]}}, r"vocab.range.c: \[0, 1000000000000000000\] makes .* tokens, more than"),
    ({"range": {"c": ["C\u200b", 0, 5]}}, r"vocab.range.c: the prefix 'C\\u200b' holds .* invisible character"),
    ({"range": {"c": ["C", 5, True]}}, r"vocab.range.c: min and max must be integers"),
    ({"special_tokens": {"pad_token": [1, 2]}}, r"vocab.special_tokens.pad_token must be a non-empty string"),
    ({"special_tokens": ["<pad>"]}, r"vocab.special_tokens must be a mapping"),
    ({"misc": [None]}, r"vocab.misc\[0\] must be a string; got None"),
    ({"misc": ["a\nb"]}, r"vocab.misc\[0\] 'a\\nb' holds a line break"),
    ({"flags": {"include_base_vocab": "yes"}}, r"vocab.flags.include_base_vocab must be true or false"),
])
def test_bad_vocab_entries_name_the_file_and_entry(vocab, message):
    with pytest.raises(ConfigError, match=f"lexer.yaml: {message}"):
        build_lexer(lexer_yaml(**vocab), "lexer.yaml")


def encode(config, problems):
    vocab, lexer = build_lexer(config, "lexer.yaml")
    samples = Samples(problems=problems, answers=["C1 E0"] * len(problems), path="train_raw.txt",
                      line_numbers=list(range(1, len(problems) + 1)))
    return SampleEncoder(lexer, get_tokenizer(vocab)).encode_split(samples, "train", validate=True)


def test_a_range_no_sample_uses_is_named_when_tokens_are_missing():
    config = lexer_yaml()
    config["vocab"]["range"]["exponents"] = ["X", 0, 4]  # the data says E
    with pytest.raises(ValueError, match=r"vocab.range.exponents of lexer.yaml matches no token of this data"):
        encode(config, ["C3 E2 + C-1 E0"])


def test_a_word_cut_short_names_the_range_of_its_longest_token():
    with pytest.raises(ValueError, match=r"'C-27' is no token: the longest token it starts with, 'C-2', comes "
                                         r"from vocab.range.coefficients"):
        encode(lexer_yaml(), ["C-27 E2"])


def test_tokens_a_range_leaves_out_name_the_range_to_widen():
    config = lexer_yaml()
    config["vocab"]["range"]["exponents"] = ["E", 0, 0]
    with pytest.raises(ValueError, match=r"vocab.range.exponents \(E0..E0\) leaves out E2..E3: widen it"):
        encode(config, ["C3 E2 + C-1 E0", "C1 E3"])


def test_tokens_no_range_holds_suggest_the_range_to_add():
    config = lexer_yaml()
    del config["vocab"]["range"]["exponents"]
    with pytest.raises(ValueError, match=r"no vocab.range entry has the prefix 'E' of E0..E2: add one, e.g. "
                                         r"\['E', 0, 2\]"):
        encode(config, ["C3 E2 + C-1 E0"])
