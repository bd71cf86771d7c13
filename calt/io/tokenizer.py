"""The word-level tokenizer: one id per vocabulary token, special tokens after, ``<s> … </s>`` framing."""

from __future__ import annotations

from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import WhitespaceSplit
from tokenizers.processors import TemplateProcessing
from transformers import PreTrainedTokenizerFast

from .preprocessor.lexer import DEFAULT_UNK
from .vocabulary.config import VocabConfig


def get_tokenizer(vocab_config: VocabConfig) -> PreTrainedTokenizerFast:
    """A fast tokenizer over ``vocab_config``: ids are the vocabulary in order, then the special tokens."""
    special = dict(vocab_config.get_special_tokens())
    special.setdefault("unk_token", DEFAULT_UNK)
    for key in ("pad_token", "bos_token", "eos_token"):
        if key not in special:
            raise ValueError(f"special_tokens needs {key!r} (or flags.include_base_special_tokens: true)")
    ids: dict[str, int] = {}
    for token in list(vocab_config.get_vocab()) + list(special.values()):
        ids.setdefault(token, len(ids))
    core = Tokenizer(WordLevel(ids, unk_token=special["unk_token"]))
    core.pre_tokenizer = WhitespaceSplit()
    bos, eos = special["bos_token"], special["eos_token"]
    core.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}", special_tokens=[(bos, ids[bos]), (eos, ids[eos])]
    )
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, **special)
    tokenizer.add_special_tokens({k: v for k, v in special.items() if k != "additional_special_tokens"})
    return tokenizer
