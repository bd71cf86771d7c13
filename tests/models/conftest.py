"""Shared fixtures for calt.models tests: the real word-level tokenizer and tiny model blocks."""

from __future__ import annotations

import pytest
import torch
from calt.io.tokenizer import get_tokenizer
from calt.io.vocabulary.config import VocabConfig


@pytest.fixture(scope="session")
def tokenizer():
    """Word-level tokenizer over numbers 0..16 and a few operators (28 ids, specials last)."""
    vocab = VocabConfig().from_config({"range": {"numbers": ["", 0, 16]}, "misc": ["+", "*", "^", "x", "y"]})
    return get_tokenizer(vocab)


@pytest.fixture(autouse=True)
def single_torch_thread():
    """Tiny models run fastest on one thread; on a shared 2-core machine, two threads mostly wait on each other.
    Restored after each test, so nothing outside these tests is affected."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
