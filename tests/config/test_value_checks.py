"""Value checks of the block schemas: ranges, NaN, empty paths, an alias set beside its key, train.devices."""

import math

import pytest

from calt.config import ConfigError, DatasetConfig, TrainConfig, parse_block


def train(**values):
    return parse_block(TrainConfig, values, "train", require=False)


@pytest.mark.parametrize("values,message", [
    ({"adam_beta1": 1.0}, r"train.adam_beta1 must be in \[0, 1\); got 1.0"),
    ({"adam_beta2": math.nan}, r"train.adam_beta2 must be a number; got NaN"),
    ({"learning_rate": "nan"}, r"train.learning_rate must be a number; got 'nan'"),
    ({"num_train_epochs": 0}, r"train.num_train_epochs must be in \(0, inf\); got 0.0"),
    ({"num_train_epochs": math.inf}, r"train.num_train_epochs must be in \(0, inf\); got inf"),
    ({"seed": -1}, r"train.seed must be in \[0, 4294967295\]; got -1"),
    ({"seed": 10**400}, r"train.seed must be in \[0, 4294967295\]"),
    ({"batch_size": 0}, r"train.batch_size must be in \[1, inf\); got 0"),
    ({"max_steps": -2}, r"train.max_steps must be in \[-1, inf\); got -2"),
    ({"save_dir": ""}, r"train.output_dir must not be empty"),
    ({"output_dir": "a", "save_dir": "b"}, r"train.save_dir and train.output_dir are the same key and both are set"),
    ({"devices": [1, -1]}, r"train.devices must be auto, -1"),
    ({"devices": "two"}, r"train.devices must be auto, -1"),
    ({"precision": 3.5}, r"train.precision must be one of .*got '3.5'"),
])
def test_bad_values_name_the_key_and_what_it_accepts(values, message):
    with pytest.raises(ConfigError, match=message):
        train(**values)


def test_good_values_pass_and_an_alias_may_repeat_its_key():
    block = train(adam_beta1=0, max_steps=-1, seed=4294967295, output_dir="x", save_dir="x", devices="0,1",
                  precision=16, num_train_epochs="2")
    assert (block.adam_beta1, block.output_dir, block.devices, block.precision, block.num_train_epochs) == \
        (0.0, "x", "0,1", "16", 2.0)


def test_dataset_counts_and_workers():
    base = {"save_dir": "d", "num_train_samples": 1, "num_test_samples": 1, "batch_size": 1, "n_jobs": 1,
            "root_seed": 0}
    with pytest.raises(ConfigError, match=r"dataset.num_test_samples must be in \[0, inf\); got -3"):
        parse_block(DatasetConfig, {**base, "num_test_samples": -3}, "dataset")
    with pytest.raises(ConfigError, match="dataset.n_jobs must be -1 .* or a positive integer; got 0"):
        parse_block(DatasetConfig, {**base, "n_jobs": 0}, "dataset")
    with pytest.raises(ConfigError, match="dataset.save_dir must not be empty"):
        parse_block(DatasetConfig, {**base, "save_dir": "  "}, "dataset")
    assert parse_block(DatasetConfig, {**base, "n_jobs": -1, "backend": None}, "dataset").backend == "sagemath"
