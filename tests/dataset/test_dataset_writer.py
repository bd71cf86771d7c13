"""DatasetWriter: text/JSONL formats, atomic files, bad samples."""

import json

import pytest

from calt.dataset.utils.dataset_writer import DatasetWriter, prepare_save_dir


def test_text_and_jsonl_formats(tmp_path):
    samples = [
        ("x", "y"),
        (["a", "b"], ["c"]),
        ([["a", "b"], ["c", "d"]], [["e"], "f"]),
    ]
    with DatasetWriter(save_dir=tmp_path) as writer:
        writer.open("train")
        writer.save_batch(samples, tag="train")
    assert (tmp_path / "train_raw.txt").read_text().splitlines() == [
        "x # y",
        "a | b # c",
        "a | b || c | d # e || f",
    ]
    records = [json.loads(line) for line in (tmp_path / "train_data.jsonl").read_text().splitlines()]
    assert records[2] == {"problem": [["a", "b"], ["c", "d"]], "answer": [["e"], "f"]}
    assert DatasetWriter(save_dir=tmp_path).load_dataset_jsonl("train")[1] == (["a", "b"], ["c"])


def test_files_appear_only_when_the_split_is_closed(tmp_path):
    writer = DatasetWriter(save_dir=tmp_path)
    writer.open("train")
    writer.save_batch([("1", "2")], tag="train")
    assert not (tmp_path / "train_raw.txt").exists()
    assert (tmp_path / "train_raw.txt.partial").exists()
    writer.close("train")
    assert (tmp_path / "train_raw.txt").read_text() == "1 # 2\n"
    assert not list(tmp_path.glob("*.partial"))


def test_interrupted_write_keeps_previous_files_and_leaves_no_partial(tmp_path):
    with DatasetWriter(save_dir=tmp_path) as writer:
        writer.open("train")
        writer.save_batch([("old", "run")], tag="train")
    with pytest.raises(KeyboardInterrupt):
        with DatasetWriter(save_dir=tmp_path) as writer:
            writer.open("train")
            writer.save_batch([("new", "run")], tag="train")
            raise KeyboardInterrupt
    assert (tmp_path / "train_raw.txt").read_text() == "old # run\n"
    assert not list(tmp_path.glob("*.partial"))


def test_save_batch_without_open_replaces_then_appends(tmp_path):
    writer = DatasetWriter(save_dir=tmp_path, save_json=False)
    writer.save_batch([("a", "b")], tag="test", batch_idx=0)
    writer.save_batch([("c", "d")], tag="test", batch_idx=1)
    writer.save_batch([("e", "f")], tag="test", batch_idx=0)
    assert (tmp_path / "test_raw.txt").read_text() == "e # f\n"
    assert not (tmp_path / "test_data.jsonl").exists()


@pytest.mark.parametrize(
    "problem, answer, message",
    [("a # b", "c", "contains '#'"), ("a\nb", "c", "line break")],
)
def test_samples_that_would_break_the_text_format_are_refused(tmp_path, problem, answer, message):
    writer = DatasetWriter(save_dir=tmp_path)
    with pytest.raises(ValueError, match=message):
        writer.save_batch([(problem, answer)], tag="train")
    assert not (tmp_path / "train_raw.txt").exists()


def test_statistics_yaml_is_written_per_split(tmp_path):
    path = DatasetWriter(save_dir=tmp_path).save_final_statistics({"num_samples": 3}, tag="test")
    assert path.name == "test_stats.yaml" and path.read_text() == "num_samples: 3\n"


def test_prepare_save_dir_rejects_a_file(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("")
    with pytest.raises(NotADirectoryError, match="not a folder"):
        prepare_save_dir(blocker)
    with pytest.raises(PermissionError, match="cannot write dataset files"):
        prepare_save_dir(blocker / "sub")
