"""Check that every sample is a sequence of fixed-width monomials (C/E expanded form), naming the line if not.

A model that reads whole monomials (``model_type: monomial``) describes the layout it needs as plain data
(``expanded_form_layout()``): the token ids allowed in each slot of a monomial, the separators that may follow
a monomial, and the id that ends a sequence (EOS). Checked on the encoded ids of every sample at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .token_store import TokenIdStore


def check_expanded_form(dataset, slots: Sequence[Sequence[int]], separators: Sequence[int], end: int,
                        slot_names: Sequence[str], split: str = "data") -> None:
    """ValueError naming the file, line and token of the first sample of ``dataset`` (a built
    ``StandardDataset``) whose problem or answer is not ``monomial (separator monomial)* EOS``."""
    if getattr(dataset, "input_ids", None) is None or getattr(dataset, "target_ids", None) is None:
        return  # not encoded (text items): the model checks each batch instead
    width = len(slots) + 1
    vocab_size = max([end, *separators, *(i for slot in slots for i in slot)]) + 1
    allowed = np.zeros((width, vocab_size + 1), dtype=bool)  # the last column: every id beyond the groups
    for index, ids in enumerate(slots):
        allowed[index, list(ids)] = True
    allowed[width - 1, list(separators)] = True
    names = [*slot_names, "separator"]
    for side, store in (("problem", dataset.input_ids), ("answer", dataset.target_ids)):
        found = first_misfit(store, allowed, end)
        if found is not None:
            sample, token, why = found
            raise ValueError(_message(dataset, split, side, sample, token, why, names, width))


def first_misfit(store: TokenIdStore, allowed: np.ndarray, end: int) -> tuple[int, int, str] | None:
    """(sample, token position after BOS, what is wrong) of the first sequence that breaks the layout, or None."""
    width = allowed.shape[0]
    values = np.minimum(np.asarray(store.values, dtype=np.int64), allowed.shape[1] - 1)
    starts, stops = store.offsets[:-1] + 1, store.offsets[1:]  # after BOS, up to and including EOS
    lengths = stops - starts
    bad_length = np.flatnonzero((lengths < width) | (lengths % width != 0))
    sample_of = np.repeat(np.arange(len(lengths)), store.offsets[1:] - store.offsets[:-1])
    position = np.arange(len(values)) - starts[sample_of]
    body = (position >= 0) & (np.arange(len(values)) != stops[sample_of] - 1)
    fits = allowed[position.clip(min=0) % width, values]
    bad_token = np.flatnonzero(body & ~fits)
    ends_wrong = np.flatnonzero(np.asarray(store.values)[stops - 1] != end) if len(stops) else np.array([], int)
    candidates = []
    if len(bad_token):
        candidates.append((int(sample_of[bad_token[0]]), int(position[bad_token[0]]), "token"))
    if len(bad_length):
        candidates.append((int(bad_length[0]), int(lengths[bad_length[0]]), "length"))
    if len(ends_wrong):
        candidates.append((int(ends_wrong[0]), int(lengths[ends_wrong[0]]) - 1, "end"))
    return min(candidates) if candidates else None


def _message(dataset, split: str, side: str, sample: int, token: int, why: str, names: list[str], width: int) -> str:
    numbers = getattr(dataset, "line_numbers", None)
    path = getattr(dataset, "source_path", None) or split
    where = f"{path}:{numbers[sample]}" if numbers is not None else f"{path}: sample {sample + 1}"
    texts = dataset.input_texts if side == "problem" else dataset.target_texts
    tokens = dataset[sample]["input" if side == "problem" else "target"].split()
    layout = f"each monomial is {width} tokens: {', '.join(names)}"
    if why == "token" and token < len(tokens):
        problem = (f"token {token + 1} ({tokens[token]!r}) stands where the {names[token % width]} of monomial "
                   f"{token // width + 1} belongs")
    elif why == "end":
        problem = "it does not end after a whole monomial"
    else:
        problem = f"its {len(tokens)} tokens are not a whole number of monomials"
    return (f"{where}: the {side} {texts[sample]!r} is not in C/E expanded form for model_type monomial: {problem} "
            f"({layout}; '+'-style separators between monomials). Rewrite the sample as 'C<c> E<e1> .. E<en>' terms, "
            "or check model.num_variables / model.variables / model.monomial_separators against the data.")
