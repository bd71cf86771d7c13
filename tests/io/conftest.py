import pytest

from calt.io.preprocessor import NumberPolicy, UnifiedLexer
from calt.io.vocabulary.config import VocabConfig

GF17_LEXER_YAML = """\
vocab:
  range: {numbers: ["", 0, 16]}
  misc: [",", "|"]
  special_tokens: {}
  flags: {include_base_vocab: true, include_base_special_tokens: true}
number_policy: {attach_sign: false, digit_group: 0, allow_float: false}
strict: true
include_base_vocab: true
"""


@pytest.fixture
def make_lexer():
    def make(vocab=None, sign=False, digit_group=0, allow_float=True, strict=True, include_base_vocab=True):
        vocab = vocab or {"range": {"n": ["", 0, 20], "c": ["C", -10, 10], "e": ["E", 0, 5]}, "misc": ["x", "y", ","]}
        return UnifiedLexer(VocabConfig().from_config(vocab), NumberPolicy(sign, digit_group, allow_float),
                            strict=strict, include_base_vocab=include_base_vocab)
    return make


@pytest.fixture
def gf17_files(tmp_path):
    """A tiny GF(17) cumulative-sum task on disk: lexer.yaml, train and test text files."""
    (tmp_path / "lexer.yaml").write_text(GF17_LEXER_YAML)
    (tmp_path / "train.txt").write_text("1,2,3 # 1,3,6\n16,1 # 16,0\n5 # 5\n")
    (tmp_path / "test.txt").write_text("4,4 # 4,8\n")
    return tmp_path


@pytest.fixture
def data_cfg(gf17_files):
    from omegaconf import OmegaConf
    return OmegaConf.create({
        "lexer_config": str(gf17_files / "lexer.yaml"),
        "train_dataset_path": str(gf17_files / "train.txt"),
        "test_dataset_path": str(gf17_files / "test.txt"),
    })
