import pytest

from calt.io.preprocessor import (
    ChainLoadPreprocessor,
    ExpandedFormLoadPreprocessor,
    LastElementLoadPreprocessor,
    ReversedOrderLoadPreprocessor,
    TextToSageLoadPreprocessor,
    TextToSympyLoadPreprocessor,
    UserCallableLoadPreprocessor,
)


def test_user_callable_gets_both_sides():
    pre = UserCallableLoadPreprocessor(lambda p, a: (p.upper(), a[::-1]))
    assert pre.process_sample("ab # 123") == ("AB", "321")
    assert pre.process_sample({"problem": "x", "solution": "y"}) == ("X", "y")


def test_last_element_and_reversed_order():
    assert LastElementLoadPreprocessor().process_sample("1,2 # 1,3") == ("1,2", "3")
    assert LastElementLoadPreprocessor().process_sample({"problem": [1, 2], "answer": [1, 3]}) == ("1 | 2", "3")
    assert ReversedOrderLoadPreprocessor().process_sample("1,2 # 1,3,6") == ("1,2", "6,3,1")


def test_sympy_text_to_expanded_form_chain():
    chain = ChainLoadPreprocessor(TextToSympyLoadPreprocessor("|", "x,y"), ExpandedFormLoadPreprocessor())
    problem, answer = chain.process_sample("x^2 + 3*y | x - y # 2*x*y")
    assert problem == "C1 E2 E0 + C3 E0 E1 || C1 E1 E0 + C-1 E0 E1"
    assert answer == "C2 E1 E1"


def test_expanded_form_of_zero_polynomial():
    pre = TextToSympyLoadPreprocessor("|", "x")
    assert ExpandedFormLoadPreprocessor().process_sample(pre.process_sample("x - x # 0")) == ("C0", "C0")


def test_chain_checks_the_final_shape():
    with pytest.raises(TypeError, match="input_text, target_text"):
        ChainLoadPreprocessor(TextToSympyLoadPreprocessor()).process_sample("x # x")
