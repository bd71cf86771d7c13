"""The example tasks of the decoder_only and encoder_classifier configs give right answers."""

from itertools import combinations

from calt.dataset.tasks import integer_addition_reversed, permutation_parity


def test_permutation_parity_is_the_sign_by_inversions():
    sizes = set()
    for seed in range(300):
        problem, answer = permutation_parity.instance_generator(seed)
        values = [int(v) for v in problem.split(",")]
        assert sorted(values) == list(range(len(values)))
        inversions = sum(a > b for a, b in combinations(values, 2))
        assert answer == ("+1" if inversions % 2 == 0 else "-1")
        sizes.add(len(values))
    assert sizes == set(range(permutation_parity.MIN_SIZE, permutation_parity.MAX_SIZE + 1))


def test_integer_addition_reversed_writes_every_number_ones_digit_first_in_fixed_widths():
    for seed in range(300):
        problem, answer = integer_addition_reversed.instance_generator(seed)
        left, right = problem.split("+")
        assert len(left) == len(right) == 5 and len(answer) == 6
        assert int(answer[::-1]) == int(left[::-1]) + int(right[::-1])
    assert integer_addition_reversed.instance_generator(0)[0] != integer_addition_reversed.instance_generator(1)[0]
