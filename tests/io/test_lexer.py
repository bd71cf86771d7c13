"""The lexer's documented rules, one table row per rule."""

import pytest

from calt.io.preprocessor import NumberPolicy

CASES = [
    # text, lexer options, tokens
    ("C-3 E2 + C10 E0", {}, ["C-3", "E2", "+", "C10", "E0"]),            # longest match over the vocab
    ("x*y^2", {}, ["x", "*", "y", "^", "2"]),                             # base tokens
    ("[1, 2] || (3)", {}, ["[", "1", ",", "2", "]", "||", "(", "3", ")"]),
    ("12345", {}, ["12345"]),                                             # longer than any vocab entry: whole
    ("3 -5", {"sign": True}, ["3", "-5"]),                                # attach_sign: -5 is one token
    ("3-5", {"sign": True}, ["3", "-", "5"]),                             # binary minus stays an operator
    ("(-5)", {"sign": True}, ["(", "-5", ")"]),
    ("3 -5", {"sign": False}, ["3", "-", "5"]),
    ("12345", {"digit_group": 1}, ["12", "3", "4", "5"]),               # groups: a vocab token ("12") wins
    ("12345", {"digit_group": 2}, ["12", "34", "5"]),
    ("1005", {"digit_group": 2}, ["10", "05"]),
    ("-12345", {"digit_group": 3, "sign": True}, ["-123", "45"]),         # sign kept on the first group
    ("-12345", {"digit_group": 3, "sign": False}, ["-", "123", "45"]),
    ("1.25", {"allow_float": True}, ["1", ".", "25"]),
    ("-0.5", {"allow_float": True, "sign": True}, ["-0", ".", "5"]),
    ("foo_1 x", {}, ["foo_1", "x"]),                                      # identifiers
    ("  x \t+\n y  ", {}, ["x", "+", "y"]),                               # whitespace skipped
    ("x ? y", {"strict": False}, ["x", "<unk>", "y"]),                   # non-strict: unk token (calt-x's default)
]


@pytest.mark.parametrize("text,options,expected", CASES)
def test_tokenize(make_lexer, text, options, expected):
    assert make_lexer(**options).tokenize(text) == expected


def test_strict_unknown_character_names_it_and_its_position(make_lexer):
    with pytest.raises(ValueError, match=r"Unknown character '\?' at position 2 in: x \? y"):
        make_lexer().tokenize("x ? y")


def test_float_off_makes_decimal_point_unknown(make_lexer):
    with pytest.raises(ValueError, match=r"'\.'"):
        make_lexer(allow_float=False, include_base_vocab=True).tokenize("1.5")


@pytest.mark.parametrize("digit_group,expected", [(1, ["0", "9"]), (2, ["00", "05", "99"]), (3, ["000", "042"])])
def test_digit_groups_add_zero_padded_tokens(make_lexer, digit_group, expected):
    vocab = make_lexer(digit_group=digit_group).vocab_config.get_vocab()
    assert all(token in vocab for token in expected)


def test_float_and_sign_add_point_and_negative_zero(make_lexer):
    vocab = make_lexer(sign=True, allow_float=True).vocab_config.get_vocab()
    assert "." in vocab and "-0" in vocab
    assert "-0" not in make_lexer(sign=False, allow_float=True).vocab_config.get_vocab()


def test_to_token_text_and_decode(make_lexer):
    lexer = make_lexer(sign=True)
    assert lexer.to_token_text("C-3 E2+x") == "C-3 E2 + x"
    assert lexer.encode("1,2") == "1 , 2"
    assert lexer.decode("C-3 E2 + x") == "C-3E2+x"


def test_number_policy_process_number():
    assert NumberPolicy(sign=True, digit_group=2).process_number("-1234") == ["-12", "34"]
    with pytest.raises(ValueError):
        NumberPolicy(digit_group=-1)


def test_fast_split_path_agrees_with_the_regex_rules(make_lexer):
    """Texts of digits and one-character tokens take a split-based path; it must lex like the rules."""
    import random

    lexer = make_lexer(vocab={"range": {"n": ["", 0, 30]}, "misc": [",", "x", "[SEP]"]}, allow_float=False)
    rng = random.Random(0)
    simple = ["1", "7", "23", "0", ",", " ", "+", "-", "(", ")"]  # the split path
    pieces = simple + ["|", "||", "[SEP]", "x", "[", "]", "\t"]  # mixed: mostly the regex path
    for trial in range(400):
        choices = simple if trial % 2 else pieces
        text = "".join(rng.choice(choices) for _ in range(rng.randint(1, 12)))
        assert lexer.raw_lexemes(text) == lexer.tokenize(text), text
