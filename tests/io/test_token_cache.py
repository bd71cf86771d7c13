"""The token cache with a load preprocessor: a second build skips the preprocessor, and a changed
preprocessor (its source, its parameters) builds a new cache instead of serving stale texts."""

import importlib
import logging
import sys
import textwrap

import pytest
from omegaconf import OmegaConf

from calt.io import IOPipeline
from calt.io.preprocessor.load_preprocessors.identity import UnstableIdentity, preprocessor_fingerprint

PREPROCESSOR_SOURCE = '''
CALLS = []


class Suffix:
    """Appends {suffix} to every answer; counts its calls so a test can see whether it ran."""

    def __init__(self, suffix=",0"):
        self.suffix = suffix

    def process_sample(self, line):
        CALLS.append(line)
        problem, answer = line.split("#")
        return problem.strip(), answer.strip() + self.suffix
'''


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    """A user's load-preprocessor module on sys.path, rewritable by the test."""
    name = f"user_prep_{tmp_path.name.replace('-', '_')}"
    path = tmp_path / f"{name}.py"
    path.write_text(PREPROCESSOR_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, path
    sys.modules.pop(name, None)


def config(data_cfg, name, **kwargs):
    cfg = OmegaConf.merge(data_cfg, {"cache_min_samples": 1,
                                     "dataset_load_preprocessor": {"class": f"{name}.Suffix", "kwargs": kwargs}})
    return cfg


def build(cfg):
    return IOPipeline.from_config(cfg).build()["train_dataset"]


def ids(dataset):
    store = dataset.encoded().target_ids
    return [list(store[i]) for i in range(len(store))]


def test_second_build_reads_the_cache_without_running_the_preprocessor(data_cfg, gf17_files, user_module):
    name, _ = user_module
    first = build(config(data_cfg, name))
    module = importlib.import_module(name)
    calls = len(module.CALLS)
    assert calls >= 3 and first.target_texts == ["1,3,6,0", "16,0,0", "5,0"]
    assert len(list((gf17_files / ".calt_cache").glob("train.txt.*.json"))) == 1

    second = build(config(data_cfg, name))
    assert len(module.CALLS) == calls  # nothing was preprocessed again
    assert second.input_texts == first.input_texts and second.target_texts == first.target_texts
    assert ids(second) == ids(first)


def test_an_edited_preprocessor_invalidates_the_cache(data_cfg, gf17_files, user_module):
    name, path = user_module
    assert build(config(data_cfg, name)).target_texts[0] == "1,3,6,0"

    path.write_text(PREPROCESSOR_SOURCE.replace("answer.strip() + self.suffix", "self.suffix[1:] + ',' + answer.strip()"))
    importlib.reload(importlib.import_module(name))
    edited = build(config(data_cfg, name))
    assert edited.target_texts == ["0,1,3,6", "0,16,0", "0,5"]  # the new code ran: no stale texts
    assert len(list((gf17_files / ".calt_cache").glob("train.txt.*.json"))) == 2


def test_a_changed_parameter_invalidates_the_cache(data_cfg, user_module):
    name, _ = user_module
    assert build(config(data_cfg, name, suffix=",0")).target_texts[2] == "5,0"
    assert build(config(data_cfg, name, suffix=",16")).target_texts[2] == "5,16"


def test_the_fingerprint_covers_class_parameters_and_source(user_module):
    name, path = user_module
    module = importlib.import_module(name)
    base = preprocessor_fingerprint(module.Suffix())
    assert preprocessor_fingerprint(module.Suffix()) == base
    assert preprocessor_fingerprint(module.Suffix(",1")) != base
    path.write_text(PREPROCESSOR_SOURCE + "\n\ndef helper():\n    return 1\n")  # a helper of the module counts
    assert preprocessor_fingerprint(importlib.reload(module).Suffix()) != base


class NoText:
    """A parameter with no text form of its own: its repr is a memory address."""

    __slots__ = ()


def test_a_preprocessor_without_stable_identity_is_not_cached(data_cfg, gf17_files, caplog, user_module):
    name, _ = user_module
    module = importlib.import_module(name)
    pipeline = IOPipeline.from_config(OmegaConf.merge(data_cfg, {"cache_min_samples": 1}))
    pipeline.dataset_load_preprocessor = module.Suffix(suffix=",0")
    pipeline.dataset_load_preprocessor.extra = NoText()
    with pytest.raises(UnstableIdentity, match="no text form"):
        preprocessor_fingerprint(pipeline.dataset_load_preprocessor)
    with caplog.at_level(logging.WARNING):
        dataset = pipeline.build()["train_dataset"]
    assert dataset.target_texts[0] == "1,3,6,0"
    assert not list((gf17_files / ".calt_cache").glob("train.txt.*.json"))
    assert "token cache off" in caplog.text and "NoText" in caplog.text


def test_display_on_a_cache_hit_shows_the_raw_lines(data_cfg, user_module, capsys):
    name, _ = user_module
    build(config(data_cfg, name))
    IOPipeline.from_config(OmegaConf.merge(config(data_cfg, name), {"display_samples": 2})).build()
    out = capsys.readouterr().out
    assert "'1,2,3 # 1,3,6'" in out and "1,3,6,0" in out


def test_spec_errors_name_the_key(data_cfg):
    from calt.io.preprocessor.load_preprocessors.spec import LoadPreprocessorSpecError

    cases = [({"class": "NoSuchPreprocessor"}, "has no 'NoSuchPreprocessor'"),
             ({"klass": "x"}, "unknown key"),
             ({"class": "ReversedOrderLoadPreprocessor", "kwargs": {"delim": ","}}, "does not take kwargs"),
             ("no_such_module_xyz.Thing", "cannot import"),
             ([], "empty list")]
    for spec, message in cases:
        with pytest.raises(LoadPreprocessorSpecError, match=message) as info:
            IOPipeline.from_config(OmegaConf.merge(data_cfg, {"dataset_load_preprocessor": spec}))
        assert "data.dataset_load_preprocessor" in str(info.value)


def test_a_list_is_a_chain_and_the_run_config_keeps_the_spec(data_cfg):
    spec = [{"class": "ReversedOrderLoadPreprocessor", "kwargs": {"delimiter": ","}}]
    pipeline = IOPipeline.from_config(OmegaConf.merge(data_cfg, {"dataset_load_preprocessor": spec}))
    assert type(pipeline.dataset_load_preprocessor).__name__ == "ChainLoadPreprocessor"
    assert pipeline.build()["train_dataset"].target_texts[0] == "6,3,1"
    assert OmegaConf.to_container(pipeline.config)["dataset_load_preprocessor"] == spec


SAGE_LINE = "{a} | x0*x1 - 3*x2 | x2^2 # {b} | x0 + x1"


@pytest.mark.parametrize("order", ["degrevlex", "lex"])
def test_text_to_sage_chain_from_yaml_is_cached_per_ring(tmp_path, order):
    lexer = tmp_path / "lexer.yaml"
    lexer.write_text(textwrap.dedent("""\
        vocab:
          range: {c: ["C", -20, 20], e: ["E", 0, 4]}
          misc: ["+", "|"]
          special_tokens: {}
          flags: {include_base_vocab: true, include_base_special_tokens: true}
        number_policy: {attach_sign: true, digit_group: 0, allow_float: false}
        """))
    for split in ("train", "test"):
        (tmp_path / f"{split}.txt").write_text("\n".join(SAGE_LINE.format(a=f"{k}*x0^2 + x1", b=f"x2 - {k}")
                                                         for k in range(1, 6)) + "\n")
    ring = {"symbols": "x0, x1, x2", "field_str": "ZZ", "order": order}
    data = {"lexer_config": str(lexer), "train_dataset_path": str(tmp_path / "train.txt"),
            "test_dataset_path": str(tmp_path / "test.txt"), "cache_min_samples": 1,
            "dataset_load_preprocessor": [{"class": "TextToSageLoadPreprocessor", "kwargs": {"ring": ring}},
                                          {"class": "ExpandedFormLoadPreprocessor", "kwargs": {"delimiter": " | "}}]}
    first = IOPipeline.from_config(OmegaConf.create(data)).build()["train_dataset"]
    second = IOPipeline.from_config(OmegaConf.create(data)).build()["train_dataset"]
    assert first.input_texts == second.input_texts and ids(first) == ids(second)
    assert first.target_texts[0] == "C1 E0 E0 E1 + C-1 E0 E0 E0 | C1 E1 E0 E0 + C1 E0 E1 E0" or order == "lex"
    other = "lex" if order == "degrevlex" else "degrevlex"
    data["dataset_load_preprocessor"][0]["kwargs"]["ring"]["order"] = other
    IOPipeline.from_config(OmegaConf.create(data)).build()
    assert len(list((tmp_path / ".calt_cache").glob("train.txt.*.json"))) == 2  # the term order is in the key
