"""``calt preprocess --lexer-format expanded``: TextToSage + ExpandedForm in the ring of data.yaml's ``sampler``
block, offline; the cache holds what the train.yaml chain gives at load time."""

import json
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from calt.cli import main
from calt.io import preprocess as pp
from calt.io.preprocessor.load_preprocessors.spec import build_load_preprocessor
from calt.io.readers import read_samples

REPO = Path(__file__).resolve().parents[2]
LINES = ["x0 + 2*x1 | -x2^2 # x0 + 2*x1 | x0 + 2*x1 - x2^2", "3*x0*x1 | x1 # 3*x0*x1 | 3*x0*x1 + x1"]


def test_parse_field_and_ring_of_a_sampler_block():
    assert str(pp.parse_field("GF7")) == "Finite Field of size 7" and str(pp.parse_field("QQ")) == "Rational Field"
    ring = pp.build_ring_from_sampler({"symbols": "x0, x1, x2", "field_str": "ZZ", "order": "lex"})
    assert ring.variable_names() == ("x0", "x1", "x2") and ring.term_order().name() == "lex"
    with pytest.raises(ValueError, match="field_str"):
        pp.parse_field("GF4")


def test_expanded_cache_matches_the_train_yaml_chain(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    for split in ("train", "test"):
        (tmp_path / f"{split}_raw.txt").write_text("\n".join(LINES) + "\n")
    (tmp_path / "data.yaml").write_text("sampler: {symbols: 'x0, x1, x2', field_str: ZZ, order: degrevlex}\n")
    assert main(["preprocess", "--config", "configs/polynomial_addition/train.yaml", f"data.train_dataset_path={tmp_path / 'train_raw.txt'}",
                 f"data.test_dataset_path={tmp_path / 'test_raw.txt'}", "data.dataset_load_preprocessor=null",
                 "--lexer-format", "expanded", "--data-config", str(tmp_path / "data.yaml")]) == 0
    cached = [json.loads(line) for line in (tmp_path / "processed_degrevlex_expanded" / "train_processed.jsonl").open()]
    chain = build_load_preprocessor(OmegaConf.load(REPO / "configs/polynomial_addition/train.yaml").data.dataset_load_preprocessor)
    expected = read_samples(tmp_path / "train_raw.txt", None, chain)
    assert [(r["problem"], r["answer"]) for r in cached] == list(zip(expected.problems, expected.answers))
    assert cached[0]["problem"] == "C1 E1 E0 E0 + C2 E0 E1 E0 | C-1 E0 E0 E2"
