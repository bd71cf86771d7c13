"""The vocabulary of a task and its validation."""

from .config import BASE_SPECIAL_TOKENS, BASE_VOCAB, VocabConfig, get_base_special_tokens, get_base_vocab

__all__ = ["BASE_SPECIAL_TOKENS", "BASE_VOCAB", "VocabConfig", "get_base_special_tokens", "get_base_vocab"]
