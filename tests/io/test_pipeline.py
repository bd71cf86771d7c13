import json
import logging
import pickle

import pytest
import torch
from omegaconf import OmegaConf

from calt.io import IOPipeline, LastElementLoadPreprocessor


def test_build_returns_io_dict_and_lexed_items(data_cfg):
    pipeline = IOPipeline.from_config(data_cfg)
    io_dict = pipeline.build()
    assert set(io_dict) == {"train_dataset", "test_dataset", "tokenizer", "data_collator"}
    train = io_dict["train_dataset"]
    assert len(train) == 3 and pipeline.train_dataset is train
    assert train[0] == {"input": "1 , 2 , 3", "target": "1 , 3 , 6"}
    assert train.input_texts[1] == "16,1" and train.target_texts[1] == "16,0"


def test_collator_shapes_and_label_padding_for_both_item_kinds(data_cfg):
    io_dict = IOPipeline.from_config(data_cfg).build()
    ds, collate, tok = io_dict["train_dataset"], io_dict["data_collator"], io_dict["tokenizer"]
    from_text = collate([ds[0], ds[2]])
    from_ids = collate([ds.encoded()[0], ds.encoded()[2]])
    for key in from_text:
        assert torch.equal(from_text[key], from_ids[key]), key
    target = tok("1 , 3 , 6")["input_ids"]
    assert from_ids["decoder_input_ids"][0].tolist() == target[:-1]
    assert from_ids["labels"][0].tolist() == target[1:]
    assert from_ids["labels"][1].tolist() == tok("5")["input_ids"][1:] + [-100] * 4
    assert from_ids["attention_mask"][1].tolist() == [1, 1, 1, 0, 0, 0, 0]


def test_jsonl_and_pickle_inputs(gf17_files, data_cfg):
    rows = [{"problem": [1, 2], "answer": [1, 3]}, {"problem": "4", "answer": "4"}]
    (gf17_files / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    with open(gf17_files / "train.pkl", "wb") as handle:
        pickle.dump([("1,2", "1,3"), ("4", "4")], handle)
    base = OmegaConf.to_container(data_cfg)
    jsonl = IOPipeline.from_config({**base, "use_jsonl": True, "train_dataset_jsonl": str(gf17_files / "train.jsonl"),
                                    "test_dataset_jsonl": str(gf17_files / "train.jsonl")}).build()
    assert jsonl["train_dataset"].input_texts == ["1 | 2", "4"]
    pkl = IOPipeline.from_config({**base, "use_pickle": True, "train_dataset_pickle": str(gf17_files / "train.pkl"),
                                  "test_dataset_pickle": str(gf17_files / "train.pkl")}).build()
    assert pkl["train_dataset"][0] == {"input": "1 , 2", "target": "1 , 3"}


def test_load_preprocessor_assigned_between_from_config_and_build(data_cfg):
    pipeline = IOPipeline.from_config(data_cfg)
    pipeline.dataset_load_preprocessor = LastElementLoadPreprocessor()
    ds = pipeline.build()["train_dataset"]
    assert ds.target_texts == ["6", "0", "5"]


def test_num_samples_limits_each_split(data_cfg):
    data_cfg.num_train_samples = 2
    assert len(IOPipeline.from_config(data_cfg).build()["train_dataset"]) == 2


def test_second_build_hits_the_token_cache(data_cfg, gf17_files):
    data_cfg.cache_min_samples = 1
    first = IOPipeline.from_config(data_cfg).build()["train_dataset"]
    caches = list((gf17_files / ".calt_cache").glob("train.txt.*.json"))
    assert len(caches) == 1
    second = IOPipeline.from_config(data_cfg).build()["train_dataset"]
    for store in ("input_ids", "target_ids"):
        cached, fresh = getattr(second.encoded(), store), getattr(first.encoded(), store)
        assert [list(cached[i]) for i in range(len(fresh))] == [list(fresh[i]) for i in range(len(fresh))]
    (gf17_files / "train.txt").write_text("1 # 1\n")  # new content → new key, no stale ids
    assert len(IOPipeline.from_config(data_cfg).build()["train_dataset"]) == 1


def test_display_samples_prints_raw_and_lexed(data_cfg, capsys):
    data_cfg.display_samples = 1
    IOPipeline.from_config(data_cfg).build()
    out = capsys.readouterr().out
    assert "'1,2,3 # 1,3,6'" in out and "1 , 2 , 3" in out  # the raw line, then the tokens


# --- bad input -------------------------------------------------------------------------------
def test_missing_lexer_config_is_a_value_error(data_cfg):
    del data_cfg["lexer_config"]
    with pytest.raises(ValueError, match="lexer_config"):
        IOPipeline.from_config(data_cfg)


def test_missing_data_file_names_it(data_cfg):
    data_cfg.train_dataset_path = "/nonexistent/train.txt"
    with pytest.raises(FileNotFoundError, match="/nonexistent/train.txt"):
        IOPipeline.from_config(data_cfg).build()


def test_lines_without_hash_are_reported_with_line_numbers(data_cfg, gf17_files, caplog):
    (gf17_files / "train.txt").write_text("1 # 1\nno separator\n2 # 2\nagain none\n")
    with caplog.at_level(logging.WARNING):
        ds = IOPipeline.from_config(data_cfg).build()["train_dataset"]
    assert len(ds) == 2
    assert "skipped 2 line(s)" in caplog.text and "lines 2, 4" in caplog.text


def test_a_split_with_no_samples_is_an_error_naming_the_file(data_cfg, gf17_files):
    (gf17_files / "test.txt").write_text("nothing here\n")
    with pytest.raises(ValueError, match="test.txt"):
        IOPipeline.from_config(data_cfg).build()


def test_strict_unknown_character_names_file_line_and_column(data_cfg, gf17_files):
    (gf17_files / "train.txt").write_text("1 # 1\n1;2 # 3\n")
    with pytest.raises(ValueError, match=r"train.txt:2: unknown character ';' at column 2"):
        IOPipeline.from_config(data_cfg).build()


def test_out_of_vocabulary_tokens_with_validation_list_tokens_and_first_sample(data_cfg, gf17_files):
    (gf17_files / "test.txt").write_text("1 # 1\n2 # 99\n3 # 99,42\n")
    with pytest.raises(ValueError, match=r"'99' first in .*test.txt:2[\s\S]*'42' first in .*test.txt:3"):
        IOPipeline.from_config(data_cfg).build()


def test_unknown_keys_suggest_the_closest_valid_one(data_cfg, gf17_files):
    data_cfg.num_train_sample = 3
    with pytest.raises(ValueError, match="did you mean 'num_train_samples'"):
        IOPipeline.from_config(data_cfg)
    del data_cfg["num_train_sample"]
    (gf17_files / "lexer.yaml").write_text("vocab: {misc: [',']}\nnumber_policy: {digit_groups: 2}\n")
    with pytest.raises(ValueError, match="did you mean 'digit_group'"):
        IOPipeline.from_config(data_cfg)
    (gf17_files / "lexer.yaml").write_text("vocab: {misc: [',']}\nstrickt: true\n")
    with pytest.raises(ValueError, match="did you mean 'strict'"):
        IOPipeline.from_config(data_cfg)


def test_range_with_min_above_max_and_zero_samples_are_errors(data_cfg, gf17_files):
    (gf17_files / "lexer.yaml").write_text("vocab: {range: {n: ['', 5, 1]}}\n")
    with pytest.raises(ValueError, match="min 5 is greater than max 1"):
        IOPipeline.from_config(data_cfg)
    with pytest.raises(ValueError, match="num_train_samples"):
        IOPipeline(num_train_samples=0)


def test_dataloader_batches_match_the_collated_items(data_cfg):
    from torch.utils.data import DataLoader

    io_dict = IOPipeline.from_config(data_cfg).build()
    encoded, collate = io_dict["train_dataset"].encoded(), io_dict["data_collator"]
    batch = next(iter(DataLoader(encoded, batch_size=3, shuffle=False, collate_fn=collate)))
    expected = collate([encoded[0], encoded[1], encoded[2]])
    assert set(batch) == set(expected)
    for key in expected:
        assert torch.equal(batch[key], expected[key]), key


def test_load_file_reads_text_and_jsonl(gf17_files):
    from calt.io import StandardDataset

    ds = StandardDataset.load_file(str(gf17_files / "train.txt"), max_samples=2)
    assert ds.input_texts == ["1,2,3", "16,1"] and ds[1] == {"input": "16,1", "target": "16,0"}
    (gf17_files / "d.jsonl").write_text(json.dumps({"problem": "1", "solution": "2"}) + "\n")
    assert StandardDataset.load_file(str(gf17_files / "d.jsonl")).target_texts == ["2"]


def test_relative_lexer_config_resolves_against_base_dir(data_cfg, gf17_files, monkeypatch, tmp_path_factory):
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    data_cfg.lexer_config = "lexer.yaml"
    with pytest.raises(FileNotFoundError, match="lexer.yaml"):
        IOPipeline.from_config(data_cfg)
    pipeline = IOPipeline.from_config(data_cfg, base_dir=gf17_files)
    assert pipeline.config.lexer_config == str((gf17_files / "lexer.yaml").resolve())
    assert len(pipeline.build()["train_dataset"]) == 3


def test_pickle_path_without_use_pickle_or_pkl_name_is_refused(data_cfg, gf17_files):
    with open(gf17_files / "train.bin", "wb") as handle:
        pickle.dump([("1", "1")], handle)
    data_cfg.train_dataset_pickle = str(gf17_files / "train.bin")
    with pytest.raises(ValueError, match="use_pickle"):
        IOPipeline.from_config(data_cfg).build()
    data_cfg.use_pickle = True
    data_cfg.test_dataset_pickle = str(gf17_files / "train.bin")
    assert IOPipeline.from_config(data_cfg).build()["train_dataset"].input_texts == ["1"]
