"""The default task's generator: correct derivatives, in the vocabulary of configs/lexer.yaml."""

import random

import sympy

from calt.dataset.tasks.polynomial_derivative import instance_generator, statistics_calculator
from calt.io.preprocessor import NumberPolicy, UnifiedLexer
from calt.io.vocabulary import VocabConfig


def _to_sympy(text, x):
    total = 0
    for term in text.split(" + "):
        coeff, exponent = term.split()
        total += int(coeff[1:]) * x ** int(exponent[1:])
    return total


def test_answers_are_derivatives_in_descending_order():
    x = sympy.Symbol("x")
    for seed in random.Random(0).sample(range(10**6), 300):
        problem, answer = instance_generator(seed)
        assert sympy.expand(sympy.diff(_to_sympy(problem, x), x) - _to_sympy(answer, x)) == 0, (problem, answer)
        exponents = [int(term.split()[1][1:]) for term in answer.split(" + ")]
        assert exponents == sorted(exponents, reverse=True)
    assert instance_generator(7) == instance_generator(7)


def test_constant_input_gives_the_zero_polynomial():
    answers = {instance_generator(seed)[1] for seed in range(2000) if " + " not in instance_generator(seed)[0]
               and instance_generator(seed)[0].endswith("E0")}
    assert answers == {"C0 E0"}


def test_statistics_count_terms_and_degree():
    stats = statistics_calculator("C3 E4 + C-2 E1 + C5 E0", "C12 E3 + C-2 E0")
    assert stats == {"problem": {"num_terms": 3, "degree": 4}, "answer": {"num_terms": 2, "degree": 3}}


def test_every_sample_lexes_with_the_default_lexer_config(repo_root):
    vocab = VocabConfig().from_config(repo_root / "configs" / "lexer.yaml")
    lexer = UnifiedLexer(vocab, NumberPolicy(sign=True, allow_float=False), strict=True)
    tokens = set(vocab.get_vocab())
    for seed in range(3000):
        for text in instance_generator(seed):
            assert set(lexer.tokenize(text)) <= tokens, text
