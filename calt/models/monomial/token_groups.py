"""The monomial token groups of a vocabulary: coefficient fields, one exponent slot per variable, separators.

Expanded form spends ``k + n`` tokens on a monomial: ``k`` coefficient tokens (``C<int>``, or ``C<int>_<label>``
with one field per label for several moduli) and one exponent token per variable (``E<int>`` shared by all
variables, or ``E<name><int>`` per variable when ``variables`` is given). Ids in each group are ordered by value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import torch

from calt.config import ConfigError

COEFFICIENT = re.compile(r"C(-?\d+)(?:_(.+))?")
SHARED_EXPONENT = re.compile(r"E(\d+)")
DEFAULT_SEPARATORS = ("+", "||")


@dataclass(frozen=True)
class MonomialTokenGroups:
    """Token ids of each part of a monomial, as the model's heads classify them."""

    coeff_token_ids: list[list[int]]
    exp_token_ids: list[list[int]]
    separator_token_ids: list[int]


def coefficient_fields(vocab: Mapping[str, int]) -> list[list[int]]:
    """One id list per coefficient field (unlabelled ``C<int>`` first seen → its field), ordered by value."""
    fields: dict[str, list[tuple[int, int]]] = {}
    for token, token_id in sorted(vocab.items(), key=lambda item: item[1]):
        match = COEFFICIENT.fullmatch(token)
        if match:
            fields.setdefault(match.group(2) or "", []).append((int(match.group(1)), token_id))
    return [[token_id for _, token_id in sorted(pairs)] for pairs in fields.values()]


def exponent_slots(vocab: Mapping[str, int], num_variables: int | None, variables: Sequence[str] | None) -> list[list[int]]:
    """One id list per variable: ``E<name><int>`` tokens per name in ``variables``, else the shared ``E<int>``
    tokens repeated ``num_variables`` times (shared tokens carry no variable, so the count must be given)."""
    if variables:
        slots = []
        for name in variables:
            pattern = re.compile(rf"E{re.escape(str(name))}(\d+)")
            slot = sorted((int(m.group(1)), i) for token, i in vocab.items() if (m := pattern.fullmatch(token)))
            if not slot:
                raise ConfigError(f"model.variables: no exponent tokens 'E{name}<int>' for variable {name!r} in the "
                                  "vocabulary; add them to lexer.yaml or fix model.variables.")
            slots.append([i for _, i in slot])
        return slots
    if not num_variables:
        raise ConfigError("model.num_variables is required for model_type monomial (or model.variables): shared "
                          "'E<int>' exponent tokens do not say which variable they belong to, so the number of "
                          "exponents per monomial cannot be read from the vocabulary.")
    shared = sorted((int(m.group(1)), i) for token, i in vocab.items() if (m := SHARED_EXPONENT.fullmatch(token)))
    return [[i for _, i in shared] for _ in range(int(num_variables))]


def monomial_token_groups(vocab: Mapping[str, int], num_variables: int | None = None,
                          variables: Sequence[str] | None = None,
                          separators: Sequence[str] | None = None) -> MonomialTokenGroups:
    """The groups of ``vocab`` (a tokenizer's ``get_vocab()``); ConfigError naming the key or token on a gap.

    ``separators`` default to those of ``+`` and ``||`` the vocabulary has (the original's rule)."""
    coefficients = coefficient_fields(vocab)
    if not coefficients:
        raise ConfigError("model_type monomial: the vocabulary has no coefficient tokens ('C<int>' or "
                          "'C<int>_<label>'); the data must be in C/E expanded form (lexer.yaml vocab.range "
                          "coefficients: ['C', low, high]).")
    exponents = exponent_slots(vocab, num_variables, variables)
    if not exponents[0]:
        raise ConfigError("model_type monomial: the vocabulary has no exponent tokens ('E<int>'); the data must be "
                          "in C/E expanded form (lexer.yaml vocab.range exponents: ['E', 0, high]).")
    if separators is None:
        separators = [token for token in DEFAULT_SEPARATORS if token in vocab]
    missing = [token for token in separators if token not in vocab]
    if missing:
        raise ConfigError(f"model.monomial_separators: {missing} not in the vocabulary; add them to lexer.yaml "
                          "vocab.misc or remove them.")
    return MonomialTokenGroups(coefficients, exponents, [vocab[token] for token in separators])


def id_table(groups: list[list[int]], fill: int) -> torch.Tensor:
    """(groups, longest) class index → token id, padded with ``fill``."""
    table = torch.full((len(groups), max(len(g) for g in groups)), fill, dtype=torch.long)
    for row, ids in enumerate(groups):
        table[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
    return table


def class_table(groups: list[list[int]], vocab_size: int) -> torch.Tensor:
    """(groups, vocab) token id → class index in its group, -1 for tokens outside it."""
    table = torch.full((len(groups), vocab_size), -1, dtype=torch.long)
    for row, ids in enumerate(groups):
        table[row, torch.tensor(ids, dtype=torch.long)] = torch.arange(len(ids))
    return table
