"""A sample that is not in C/E expanded form fails before training, naming its file and line."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from calt.io import IOPipeline
from calt.io.expanded_form import check_expanded_form

LEXER = """\
vocab:
  range:
    coefficients: ["C", 0, 6]
    exponents: ["E", 0, 3]
  misc: ["+", "|", "x"]
"""
GOOD = ["C1 E0 E1 + C2 E1 E0 | C3 E1 E1 # C3 E1 E1 + C1 E0 E1", "C4 E2 E0 | C1 E0 E0 # C4 E2 E0 + C1 E0 E0"]


def build(tmp_path, train_lines, test_lines=GOOD[:1]):
    (tmp_path / "lexer.yaml").write_text(LEXER)
    (tmp_path / "train.txt").write_text("\n".join(train_lines) + "\n")
    (tmp_path / "test.txt").write_text("\n".join(test_lines) + "\n")
    data = {"lexer_config": str(tmp_path / "lexer.yaml"), "train_dataset_path": str(tmp_path / "train.txt"),
            "test_dataset_path": str(tmp_path / "test.txt")}
    return IOPipeline.from_config(OmegaConf.create(data)).build()


def layout(io_dict, num_variables=2):
    vocab = io_dict["tokenizer"].get_vocab()
    exponents = [vocab[f"E{e}"] for e in range(4)]
    return {"slots": [[vocab[f"C{c}"] for c in range(7)], *[exponents] * num_variables],
            "separators": [vocab["+"], vocab["|"]], "end": io_dict["tokenizer"].eos_token_id,
            "slot_names": ["coefficient", *(f"exponent {v + 1}" for v in range(num_variables))]}


def test_expanded_samples_pass(tmp_path):
    io_dict = build(tmp_path, GOOD)
    check_expanded_form(io_dict["train_dataset"], **layout(io_dict))


@pytest.mark.parametrize(("line", "message"), [
    ("C1 E0 E1 + C2 E1 # C3 E1 E1", r"the problem 'C1 E0 E1 \+ C2 E1' .*its 6 tokens are not a whole number"),
    ("C1 E0 E1 # C3 E1 E1 + x", r"the answer 'C3 E1 E1 \+ x'.*token 5 \('x'\) stands where the coefficient of "
                                r"monomial 2"),
    ("C1 E0 E1 # E1 C3 E1", r"the answer 'E1 C3 E1' .*token 1 \('E1'\) stands where the coefficient of monomial 1"),
    ("C1 E0 E1 # C3 E1 E1 +", r"the answer 'C3 E1 E1 \+'"),
])
def test_a_non_expanded_sample_names_its_line(tmp_path, line, message):
    io_dict = build(tmp_path, [*GOOD, line])
    with pytest.raises(ValueError, match=rf"train.txt:3: (?:{message})"):
        check_expanded_form(io_dict["train_dataset"], **layout(io_dict), split="train")


def test_wrong_number_of_variables_is_reported(tmp_path):
    io_dict = build(tmp_path, GOOD)
    with pytest.raises(ValueError, match=r"train.txt:1: the problem .* not in C/E expanded form"):
        check_expanded_form(io_dict["train_dataset"], **layout(io_dict, num_variables=3))


@pytest.mark.slow
def test_training_a_monomial_model_stops_at_the_bad_line(tmp_path):
    """The LightningModule checks the data before the first batch (``calt train`` and ``calt fit`` alike)."""
    from calt.models import ModelPipeline
    from calt.trainer import TrainerPipeline

    io_dict = build(tmp_path, [*GOOD, "C1 E0 E1 # C3 E1 E1 + x"], test_lines=["C1 E0 # C1 E0 E1"])
    model_block = OmegaConf.create(dict(model_type="monomial", num_encoder_layers=1, num_encoder_heads=2,
                                        num_decoder_layers=1, d_model=16, encoder_ffn_dim=32, max_sequence_length=8,
                                        num_variables=2, monomial_separators=["+", "|"]))
    model = ModelPipeline.from_io_dict(model_block, io_dict).build()
    train = OmegaConf.create({"save_dir": str(tmp_path / "run"), "num_train_epochs": 1, "batch_size": 2, "learning_rate": 1e-3,
                              "disable_tqdm": True, "wandb": {"no_wandb": True}})
    pipeline = TrainerPipeline.from_io_dict(train, model, io_dict).build()
    with pytest.raises(ValueError, match=r"train.txt:3: the answer 'C3 E1 E1 \+ x'"):
        pipeline.train()
