"""``calt preprocess`` and ``calt.io.preprocess``: the strings and pre-tokenized JSONL caches, with calt-x's
folder layout and names; when a cache is reused and when it is rebuilt."""

import importlib
import json
import sys

import pytest
from omegaconf import OmegaConf

from calt.cli import main
from calt.io import IOPipeline
from calt.io import preprocess as pp

TRAIN_YAML = "configs/gf17_addition/train.yaml"
PREPROCESSOR = '''
class Suffix:
    """Appends ``suffix`` to every answer."""

    def __init__(self, suffix=",0"):
        self.suffix = suffix

    def process_sample(self, line):
        problem, answer = line.split("#")
        return problem.strip(), answer.strip() + self.suffix
'''


@pytest.fixture
def cfg(gf17_files, data_cfg):
    """A train.yaml-shaped config whose data block is the tiny GF(17) task."""
    return OmegaConf.create({"data": OmegaConf.to_container(data_cfg)})


@pytest.fixture
def user_preprocessor(tmp_path, monkeypatch):
    name = f"prep_{tmp_path.name.replace('-', '_')}"
    path = tmp_path / f"{name}.py"
    path.write_text(PREPROCESSOR)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, path
    sys.modules.pop(name, None)


def records(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def cli(gf17_files, *extra):
    return main(["preprocess", TRAIN_YAML, f"data.lexer_config={gf17_files / 'lexer.yaml'}",
                 f"data.train_dataset_path={gf17_files / 'train.txt'}",
                 f"data.test_dataset_path={gf17_files / 'test.txt'}", *extra])


def test_cli_writes_the_strings_cache_beside_the_raw_files_and_reuses_it(gf17_files, capsys, monkeypatch):
    monkeypatch.chdir(pp.Path(__file__).parents[2])
    assert cli(gf17_files) == 0
    folder = gf17_files / "processed_degrevlex_raw"
    assert sorted(p.name for p in folder.iterdir()) == ["_hash.txt", "_meta.yaml", "test_processed.jsonl",
                                                        "train_processed.jsonl"]
    assert records(folder / "train_processed.jsonl")[0] == {"problem": "1,2,3", "answer": "1,3,6"}
    assert "writing cache" in capsys.readouterr().out
    assert cli(gf17_files) == 0
    assert "cache up to date" in capsys.readouterr().out
    assert cli(gf17_files, "--force") == 0
    assert "writing cache" in capsys.readouterr().out


def test_cli_pretokenize_writes_ids_that_train_like_the_raw_files(gf17_files, data_cfg, capsys, monkeypatch):
    monkeypatch.chdir(pp.Path(__file__).parents[2])
    assert cli(gf17_files, "--pretokenize", "--training-order", "lex") == 0
    folder = gf17_files / "processed_lex_raw_ids"
    first = records(folder / "train_ids.jsonl")[0]
    assert set(first) == {"input_ids", "target_ids"}
    raw = IOPipeline.from_config(data_cfg).build()
    ids = IOPipeline.from_config(OmegaConf.merge(data_cfg, {
        "train_dataset_jsonl": str(folder / "train_ids.jsonl"), "test_dataset_jsonl": str(folder / "test_ids.jsonl")
    })).build()
    for split in ("train_dataset", "test_dataset"):
        ours, theirs = ids[split].encoded(), raw[split].encoded()
        assert [list(ours.input_ids[i]) for i in range(len(ours.input_ids))] == \
               [list(theirs.input_ids[i]) for i in range(len(theirs.input_ids))]
        assert [list(ours.target_ids[i]) for i in range(len(ours.target_ids))] == \
               [list(theirs.target_ids[i]) for i in range(len(theirs.target_ids))]
        assert [t.replace(" ", "") for t in ids[split].target_texts] == raw[split].target_texts  # the lexed text
    assert first["input_ids"] == list(raw["train_dataset"].encoded().input_ids[0])
    assert "train on it: calt train" in capsys.readouterr().out


def test_cli_applies_train_yaml_load_preprocessor(gf17_files, user_preprocessor, monkeypatch):
    monkeypatch.chdir(pp.Path(__file__).parents[2])
    name, path = user_preprocessor
    assert cli(gf17_files, f"data.dataset_load_preprocessor={{class: {name}.Suffix, kwargs: {{suffix: ',16'}}}}") == 0
    cached = records(gf17_files / "processed_degrevlex_raw" / "train_processed.jsonl")
    assert [r["answer"] for r in cached] == ["1,3,6,16", "16,0,16", "5,16"]

    cfg = OmegaConf.create({"data": {"lexer_config": str(gf17_files / "lexer.yaml"),
                                     "train_dataset_path": str(gf17_files / "train.txt"),
                                     "test_dataset_path": str(gf17_files / "test.txt"),
                                     "dataset_load_preprocessor": {"class": f"{name}.Suffix",
                                                                   "kwargs": {"suffix": ",16"}}}})
    assert pp.maybe_use_processed_cache(cfg, None, "degrevlex", "raw")  # the spec in train.yaml is checked
    assert cfg.data.dataset_load_preprocessor is None  # its effect is in the cache
    path.write_text(PREPROCESSOR + "\n# edited\n")
    importlib.reload(importlib.import_module(name))
    cfg.data.dataset_load_preprocessor = {"class": f"{name}.Suffix", "kwargs": {"suffix": ",16"}}
    assert not pp.maybe_use_processed_cache(cfg, None, "degrevlex", "raw")


def test_an_edited_preprocessor_makes_the_cache_stale(cfg, gf17_files, user_preprocessor, capsys):
    name, path = user_preprocessor
    module = importlib.import_module(name)
    pp.run_preprocess(cfg, None, "degrevlex", "raw", module.Suffix())
    assert pp.maybe_use_processed_cache(OmegaConf.create(cfg), None, "degrevlex", "raw", load_preprocessor=module.Suffix())
    assert not pp.maybe_use_processed_cache(OmegaConf.create(cfg), None, "degrevlex", "raw",
                                            load_preprocessor=module.Suffix(",1"))  # another parameter

    path.write_text(PREPROCESSOR.replace("answer.strip() + self.suffix", "self.suffix[1:] + ',' + answer.strip()"))
    edited = importlib.reload(module).Suffix()
    assert not pp.maybe_use_processed_cache(OmegaConf.create(cfg), None, "degrevlex", "raw", load_preprocessor=edited)
    assert "STALE" in capsys.readouterr().out
    pp.run_preprocess(cfg, None, "degrevlex", "raw", edited)  # rebuilt, not reused
    answers = [r["answer"] for r in records(gf17_files / "processed_degrevlex_raw" / "train_processed.jsonl")]
    assert answers == ["0,1,3,6", "0,16,0", "0,5"]


def test_hash_covers_lexer_sampler_order_data_and_caller_bytes(cfg, gf17_files):
    base = pp.compute_config_hash(cfg, None, "degrevlex")
    assert pp.compute_config_hash(cfg, None, "degrevlex") == base
    sampler = OmegaConf.create({"sampler": {"symbols": "x, y", "field_str": "GF7"}})
    changed = [pp.compute_config_hash(cfg, sampler, "degrevlex"), pp.compute_config_hash(cfg, None, "lex"),
               pp.compute_config_hash(cfg, None, "degrevlex", b"user code")]
    (gf17_files / "train.txt").write_text("1,2 # 1,3\n")
    changed.append(pp.compute_config_hash(cfg, None, "degrevlex"))
    (gf17_files / "lexer.yaml").write_text((gf17_files / "lexer.yaml").read_text() + "# edited\n")
    changed.append(pp.compute_config_hash(cfg, None, "degrevlex"))
    assert len({base, *changed}) == 6


def test_build_io_pipeline_with_cache_prefers_ids_then_strings_then_raw(cfg, gf17_files, user_preprocessor, capsys):
    name, _ = user_preprocessor
    suffix = importlib.import_module(name).Suffix()
    pipeline, kind = pp.build_io_pipeline_with_cache(OmegaConf.create(cfg), None, "degrevlex", "raw", suffix)
    assert kind == "none" and pipeline.build()["train_dataset"].target_texts[0] == "1,3,6,0"
    pp.run_preprocess(cfg, None, "lex", "raw", suffix)
    pipeline, kind = pp.build_io_pipeline_with_cache(OmegaConf.create(cfg), None, "degrevlex", "raw", suffix)
    assert kind == "none" and "processed_lex_raw" in capsys.readouterr().out  # the other order's cache is named
    pp.run_preprocess(cfg, None, "degrevlex", "raw", suffix)
    pipeline, kind = pp.build_io_pipeline_with_cache(OmegaConf.create(cfg), None, "degrevlex", "raw", suffix)
    assert kind == "strings" and pipeline.build()["train_dataset"].target_texts[0] == "1,3,6,0"
    pp.preprocess_to_ids(cfg, None, "degrevlex", "raw", suffix)
    pipeline, kind = pp.build_io_pipeline_with_cache(OmegaConf.create(cfg), None, "degrevlex", "raw", suffix)
    assert kind == "pretokenized" and pipeline.build()["train_dataset"].target_texts[0] == "1 , 3 , 6 , 0"


def test_a_damaged_pretokenized_record_names_file_and_line(cfg, gf17_files):
    folder = pp.preprocess_to_ids(cfg, None, "degrevlex", "raw", None)
    lines = (folder / "train_ids.jsonl").read_text().splitlines()
    lines[1] = json.dumps({"input_ids": [0, 1], "target_ids": [1]})
    (folder / "train_ids.jsonl").write_text("\n".join(lines) + "\n")
    data = OmegaConf.merge(cfg.data, {"train_dataset_jsonl": str(folder / "train_ids.jsonl")})
    with pytest.raises(ValueError, match=r"train_ids.jsonl:2: input_ids must start with <s>"):
        IOPipeline.from_config(data).build()
    good = json.loads(lines[0])
    for bad, message in ((1.0, "list of integer token ids"), (True, "list of integer token ids"),
                         (999, "holds id 999 outside the vocabulary")):
        lines[1] = json.dumps({"input_ids": good["input_ids"], "target_ids": [good["target_ids"][0], bad,
                                                                              good["target_ids"][-1]]})
        (folder / "train_ids.jsonl").write_text("\n".join(lines) + "\n")
        with pytest.raises(ValueError, match=rf"train_ids.jsonl:2: target_ids.*{message}"):
            IOPipeline.from_config(data).build()


def test_cli_errors_name_what_is_missing(gf17_files, capsys, monkeypatch):
    monkeypatch.chdir(pp.Path(__file__).parents[2])
    assert main(["preprocess", TRAIN_YAML, f"data.train_dataset_path={gf17_files / 'nope.txt'}"]) != 0
    assert "data.train_dataset_path" in capsys.readouterr().err
    assert cli(gf17_files, "--lexer-format", "expanded") != 0
    assert "--data-config" in capsys.readouterr().err


def test_calt_train_checks_the_file_it_will_read(gf17_files):
    """A JSONL path in the data block is what IOPipeline reads, so a missing text path is no error then."""
    from calt.cli.commands import check_data_files
    from calt.config import ConfigError

    data = {"lexer_config": str(gf17_files / "lexer.yaml"), "train_dataset_path": str(gf17_files / "gone.txt"),
            "test_dataset_path": str(gf17_files / "test.txt")}
    with pytest.raises(ConfigError, match="data.train_dataset_path"):
        check_data_files(OmegaConf.create({"data": data}), "train.yaml")
    check_data_files(OmegaConf.create({"data": {**data, "train_dataset_jsonl": str(gf17_files / "train.txt")}}),
                     "train.yaml")
    with pytest.raises(ConfigError, match="data.train_dataset_jsonl"):
        check_data_files(OmegaConf.create({"data": {**data, "train_dataset_jsonl": str(gf17_files / "x.jsonl")}}),
                         "train.yaml")
