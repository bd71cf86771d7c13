"""Behaviour of calt-x 1.5.0 names beyond their signatures: ``IOPipeline``'s vocabulary helpers and ``io_dict``,
the original's error texts (with calt's hint after them), and the HF ``Trainer`` arguments calt checks."""

from __future__ import annotations

import numpy as np
import pytest
from transformers import TrainerCallback

from calt.io import IOPipeline, StandardDataset, VocabConfig
from calt.lightning.eval_predictions import named_metrics, pad_and_stack

TRAIN = {"num_train_epochs": 1, "learning_rate": 1e-3, "batch_size": 2, "disable_tqdm": True, "report_to": "none"}
VOCAB = {"range": {"numbers": ["", 0, 16]}, "misc": [","], "special_tokens": {}}


@pytest.fixture
def files(tmp_path):
    (tmp_path / "train.txt").write_text("1,2 # 1,3\n4,5 # 4,9\n")
    (tmp_path / "test.txt").write_text("3,3 # 3,6\n")
    return tmp_path


def test_a_vocab_dict_becomes_a_vocab_config_and_build_keeps_the_io_dict(files):
    pipeline = IOPipeline(str(files / "train.txt"), str(files / "test.txt"), vocab_config=VOCAB)
    assert isinstance(pipeline.vocab_config, VocabConfig)
    assert pipeline.get_vocab_config(None) is None
    assert pipeline.get_vocab_config(pipeline.vocab_config) is pipeline.vocab_config
    io_dict = pipeline.build()
    assert pipeline.io_dict is io_dict and len(io_dict["train_dataset"]) == 2


def test_validate_tokens_names_the_unknown_tokens(files):
    pipeline = IOPipeline(str(files / "train.txt"), str(files / "test.txt"), vocab_config=VOCAB)
    pipeline.build()
    pipeline.validate_tokens(pipeline.io_dict["train_dataset"])  # known tokens: no error
    with pytest.raises(ValueError, match="Out-of-vocabulary tokens: .*'x'"):
        pipeline.validate_tokens(StandardDataset(["1,x"], ["1"]))


def test_the_original_error_texts_come_first(files):
    from calt.trainer import TrainerLoader, TrainerPipeline

    with pytest.raises(ValueError, match="^lexer_config must be provided"):
        IOPipeline.from_config({"train_dataset_path": str(files / "train.txt")})
    with pytest.raises(ValueError, match="^vocab_config must be provided to build the tokenizer"):
        IOPipeline(str(files / "train.txt"), str(files / "test.txt")).build()
    with pytest.raises(ValueError, match="^model is required to build trainer"):
        TrainerLoader(TRAIN | {"save_dir": str(files / "run")}).build_trainer()
    with pytest.raises(ValueError, match=r"^Trainer not built\. Call build\(\) first"):
        TrainerPipeline({"save_dir": str(files / "run")}).train()


@pytest.fixture
def tiny(files):
    from calt.models import ModelPipeline

    pipeline = IOPipeline(str(files / "train.txt"), str(files / "test.txt"), vocab_config=VOCAB)
    io_dict = pipeline.build()
    block = {"model_type": "generic", "num_encoder_layers": 1, "num_encoder_heads": 2, "num_decoder_layers": 1,
             "num_decoder_heads": 2, "d_model": 16, "encoder_ffn_dim": 32, "decoder_ffn_dim": 32,
             "max_sequence_length": 32}
    model = ModelPipeline.from_io_dict(block, io_dict).build()
    return model, io_dict, TRAIN | {"save_dir": str(files / "run")}


def test_trainer_takes_hf_arguments_or_says_why_not(tiny):
    from calt.trainer import Trainer

    model, io_dict, args = tiny
    trainer = Trainer(model_init=lambda: model, args=args, train_dataset=io_dict["train_dataset"],
                      data_collator=io_dict["data_collator"], processing_class=io_dict["tokenizer"],
                      callbacks=[TrainerCallback])  # a class is instantiated, as in HF
    assert trainer.model is model and isinstance(trainer.hf_callbacks.callbacks[0], TrainerCallback)
    with pytest.raises(ValueError, match="^Trainer: evaluation requires an eval_dataset"):
        trainer.evaluate_and_save_generation()
    with pytest.raises(TypeError, match="neither a transformers.TrainerCallback nor a lightning.Callback"):
        Trainer(model, args, callbacks=[object()])
    for extra in ({"compute_loss_func": lambda *a, **k: 0}, {"optimizers": (object(), None)}):
        with pytest.raises(NotImplementedError, match="train.optimizer"):
            Trainer(model, args, **extra)


def test_compute_metrics_results_must_be_numbers():
    labels = np.array([[1, 2], [3, -100]])
    assert named_metrics(lambda p: {"n": np.int64(3), "eval_x": 0.5}, labels, labels, "eval") == {"eval_n": 3.0, "eval_x": 0.5}
    with pytest.raises(TypeError, match="'names'.*must be a number"):
        named_metrics(lambda p: {"names": ["a"]}, labels, labels, "eval")


def test_rows_of_different_width_are_padded_with_minus_100():
    stacked = pad_and_stack([np.array([1, 2, 3]), np.array([4])])
    assert stacked.tolist() == [[1, 2, 3], [4, -100, -100]]
