from transformers import AutoTokenizer

from calt.io.tokenizer import get_tokenizer
from calt.io.vocabulary.config import VocabConfig


def _tokenizer():
    return get_tokenizer(VocabConfig().from_config({"range": {"n": ["", 0, 3]}, "misc": [","]}))


def test_ids_are_vocab_order_then_special_tokens():
    tok = _tokenizer()
    names = tok.convert_ids_to_tokens(list(range(len(tok))))
    assert names[:6] == ["[SEP]", "0", "1", "2", "3", ","]
    assert names[6:10] == ["[PAD]", "<s>", "</s>", "[CLS]"]
    assert (tok.pad_token_id, tok.bos_token_id, tok.eos_token_id) == (6, 7, 8)


def test_every_text_is_framed_by_bos_and_eos():
    tok = _tokenizer()
    ids = tok("1 , 2")["input_ids"]
    assert ids == [7, 2, 5, 3, 8]
    assert tok.decode(ids, skip_special_tokens=True) == "1 , 2"


def test_save_pretrained_round_trips_through_auto_tokenizer(tmp_path):
    tok = _tokenizer()
    tok.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    assert loaded("3 , 0")["input_ids"] == tok("3 , 0")["input_ids"]
    assert loaded.pad_token_id == tok.pad_token_id and len(loaded) == len(tok)
