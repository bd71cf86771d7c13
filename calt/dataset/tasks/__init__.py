"""Example tasks. Each module exposes ``instance_generator(seed) -> (problem, answer)`` and
``statistics_calculator(problem, answer)``, and has ``configs/<name>/{data,lexer,train}.yaml``.
A data.yaml names one with ``dataset.generator: calt.dataset.tasks.<name>``.
"""

TASKS = (
    "gf17_addition",
    "integer_factorization",
    "polynomial_addition",
    "polynomial_multiplication",
    "polynomial_gcd",
)
