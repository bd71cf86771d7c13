"""Sage text in calt.io: TextToSage parsing, the FormatChecker, OOV tokens, display_with_diff."""

import json
import logging
from pathlib import Path

import pytest
import sage_cases
from sage.all__sagemath_singular import GF, QQ, ZZ, PolynomialRing
from sympy import symbols

from calt.io.preprocessor import ChainLoadPreprocessor, ExpandedFormLoadPreprocessor, NumberPolicy, UnifiedLexer
from calt.io.preprocessor.load_preprocessors.text_to_sage import TextToSageLoadPreprocessor
from calt.io.readers import read_samples
from calt.io.validation import FormatChecker, validate_dataset_tokens
from calt.io.visualization.comparison_vis import display_with_diff, parse_poly
from calt.io.vocabulary import VocabConfig

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "calt_x_1_5_0" / "sage"
R = PolynomialRing(ZZ, "x0, x1, x2")


# ---- TextToSageLoadPreprocessor --------------------------------------------------------------------
def test_text_to_sage_defaults_split_at_spaced_bar_into_lists():
    pre = TextToSageLoadPreprocessor(ring=R)
    assert pre.delimiter == " | "
    out = pre.process_sample("9*x0 + 5*x2 + 10 | x1^2 # -x0*x1\n")
    assert out == {"problem": [R("9*x0 + 5*x2 + 10"), R("x1^2")], "answer": [R("-x0*x1")]}
    assert all(p.parent() is R for p in out["problem"] + out["answer"])
    assert pre.process_sample("x0 # ") == {"problem": [R("x0")], "answer": []}


def test_text_to_sage_chained_with_expanded_form_gives_token_text():
    chain = ChainLoadPreprocessor(TextToSageLoadPreprocessor(ring=R), ExpandedFormLoadPreprocessor())
    problem, answer = chain.process_sample("2*x0^2 - x2 | x1 # 3")
    assert (problem, answer) == ("C2 E2 E0 E0 + C-1 E0 E0 E1 || C1 E0 E1 E0", "C3 E0 E0 E0")  # calt-x's output


class JoinedText:
    """The last link of a chain: Sage elements back to text (as str)."""

    def process_sample(self, parsed):
        return " | ".join(map(str, parsed["problem"])), " | ".join(map(str, parsed["answer"]))


def test_text_to_sage_line_that_does_not_parse_names_file_and_line(tmp_path):
    data = tmp_path / "train_raw.txt"
    data.write_text("x0 + 1 # x1\nx0 + # x1\n")
    chain = ChainLoadPreprocessor(TextToSageLoadPreprocessor(ring=R), JoinedText())
    assert read_samples(data, num_samples=1, load_preprocessor=chain).problems == ["x0 + 1"]
    with pytest.raises(ValueError, match=rf"{data}:2: cannot parse 'x0 \+' as an element of Multivariate"):
        read_samples(data, load_preprocessor=chain)


def test_text_to_sage_rejects_what_it_cannot_use():
    with pytest.raises(ValueError, match="needs ring"):
        TextToSageLoadPreprocessor()
    with pytest.raises(TypeError, match="reads text lines"):
        TextToSageLoadPreprocessor(ring=R).process_sample({"problem": "x0", "answer": "x1"})
    with pytest.raises(ValueError, match="no '#'"):
        TextToSageLoadPreprocessor(ring=R).process_sample("x0 | x1")


# ---- FormatChecker ---------------------------------------------------------------------------------
def test_format_checker_accepts_polynomials_numbers_and_nested_separators():
    lines = ["x^2 + y^2 # x^2 + y^2", "x + y | z + 1 # x + y | z + 1", "x^3 + 2*x*y || y^2 + z # 1/2*x", "", "217 # 7 | 31"]
    assert FormatChecker(variable_names="x, y, z").check_format(lines)
    assert FormatChecker(num_vars=3, variable_name="x").check_format(["x0 - 2.5*x2 # 3"])
    assert FormatChecker().check_format(["12 # 2 | 2 | 3"])


def test_format_checker_verdicts_match_calt_x():
    recorded = json.loads((FIXTURES / "format_checker.json").read_text(encoding="utf-8"))["verdicts"]
    assert {line: FormatChecker(variable_names="x, y, z").check_format([line]) for line in recorded} == recorded
    assert set(recorded) == set(sage_cases.FORMAT_CHECK_LINES)


def test_format_checker_reports_the_first_bad_line(caplog):
    checker = FormatChecker(variable_names="x, y")
    with caplog.at_level(logging.ERROR):
        assert not checker.check_format(["x # y", "x + w # y", "x ^ # y"])
    assert "Line 2" in caplog.text and "'x + w'" in caplog.text and "Line 3" not in caplog.text
    assert checker.check_format(["x # y", "x + w # y"], num_samples=1)
    assert not checker.check_format(["x y"])


def test_format_checker_argument_errors():
    with pytest.raises(ValueError, match="not both"):
        FormatChecker(variable_names="x", num_vars=2)
    with pytest.raises(ValueError, match="needs variable_name"):
        FormatChecker(num_vars=2)
    with pytest.raises(ValueError, match="repeats"):
        FormatChecker(variable_names="x, x")


# ---- validate_dataset_tokens -----------------------------------------------------------------------
def test_validate_dataset_tokens_lists_tokens_outside_the_vocabulary():
    vocab = VocabConfig(["C1", "C2", "E0", "E1", "+"], {"pad_token": "[PAD]"})
    lexer = UnifiedLexer(vocab, NumberPolicy(sign=True), strict=True)
    found = validate_dataset_tokens(lexer, vocab, ["C1 E0 + C7 E1", "C1 E1"], ["C2 E0 ; C9", "C1 E0"])
    assert found == [";", "C7", "C9"]
    assert validate_dataset_tokens(lexer, vocab, ["C1 E0 + C7 E1", "C1 E1"], ["C1", "C1"], max_samples=1) == ["C7"]


# ---- display_with_diff -----------------------------------------------------------------------------
LATEX = json.loads((FIXTURES / "display_with_diff.json").read_text(encoding="utf-8"))["latex"]


@pytest.mark.parametrize("name", sorted(sage_cases.DISPLAY_CASES))
def test_display_with_diff_renders_calt_x_latex(name, capsys):
    gold, pred, names = sage_cases.DISPLAY_CASES[name]
    tex = display_with_diff(gold, pred, var_order=None if names is None else list(symbols(names)))
    assert tex == LATEX[name]
    assert capsys.readouterr().out.strip() == tex


def test_sage_polynomial_strings_are_not_rendered_as_zero():
    tex = display_with_diff("4*x0+4*x1", "4*x0+4*x1")
    assert "4 x_{0} + 4 x_{1}" in tex and r"{}4\, x_{0} +4\, x_{1}" in tex and r"\cancel" not in tex


def test_display_with_diff_beyond_calt_x():
    """Where calt-x fails or misleads: variable names as strings, a wrong implicit 1, rational coefficients."""
    assert r"x\, y +\cancel{5}" in display_with_diff("x*y + 2", "x*y + 5", var_order=["x", "y"])
    assert r"\cancel{x_{0}}" in display_with_diff("2*x0", "x0")
    assert r"\cancel{1/3}\, x_{0}" in display_with_diff("1/2*x0", "1/3*x0")
    assert parse_poly("C3 E2 E0 + C-1 E0 E1") == parse_poly("3*x0^2 - x1")


def test_text_that_is_no_polynomial_is_an_error_naming_it():
    with pytest.raises(ValueError, match=r"cannot read 'C3 E1 \+ ,' as a polynomial"):
        display_with_diff("3*x0", "C3 E1 + ,")
    with pytest.raises(ValueError, match="cannot read .__import__"):
        parse_poly("__import__('os').getcwd()")


def test_gf_and_qq_rings_parse_their_own_text():
    ring = PolynomialRing(GF(7), "x, y", order="degrevlex")
    pre = TextToSageLoadPreprocessor(ring=PolynomialRing(QQ, "x, y"))
    element = ring.random_element()
    assert TextToSageLoadPreprocessor(ring=ring).process_sample(f"{element} # 1")["problem"] == [element]
    assert pre.process_sample("1/2*x - y # 0")["problem"][0].coefficients() == [1 / 2, -1]
