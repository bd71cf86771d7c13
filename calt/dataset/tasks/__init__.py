"""Example tasks. Each module exposes ``instance_generator(seed) -> (problem, answer)`` and
``statistics_calculator(problem, answer)``, and has ``configs/<name>/{data,lexer,train}.yaml``.
A data.yaml names one with ``dataset.generator: calt.dataset.tasks.<name>``.
"""

CALT_X_EXAMPLES = (  # calt-x 1.5's examples, with its definitions
    "gf17_addition",
    "integer_factorization",
    "polynomial_addition",
    "eigvec_3x3",
    "integer_polynomial_factorization",
    "rational_polynomial_factorization",
    "polynomial_reduction",
    "groebner_gf7",
)
SAGE_TASKS = ("polynomial_addition", "integer_polynomial_factorization", "rational_polynomial_factorization",
              "polynomial_reduction", "groebner_gf7")  # backend: sagemath; need calt[sage]
CALT_TASKS = (  # calt's own tasks (SymPy)
    "gf17_addition_long",
    "integer_factorization_5digit",
    "polynomial_pair_addition",
    "polynomial_multiplication",
    "polynomial_gcd",
    "permutation_parity",  # model_type: encoder_classifier
    "integer_addition_reversed",  # model_type: decoder_only
)
TASKS = CALT_X_EXAMPLES + CALT_TASKS
