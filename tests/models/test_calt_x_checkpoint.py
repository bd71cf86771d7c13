"""A save_dir written by the original package (calt-x 1.5.0, generic model) loads into calt and answers the same.

The fixture tests/fixtures/calt_x_1_5_0/checkpoint_generic/ was made by running calt-x 1.5.0 (torch 2.13.0,
transformers 4.57.6) on its documented script; its expected logits and greedy ids were recorded by that same
run (see make_checkpoint.py and the README there). Nothing here runs the original.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from calt.models.loading import load_model_and_tokenizer
from calt.models.generic import Transformer, TransformerConfig
from calt.models.generic import calt_x_compat
from calt.models.generic.calt_x_compat import CaltXCheckpointError

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "calt_x_1_5_0" / "checkpoint_generic"
SAVE_DIR = FIXTURE / "save_dir"
LOGIT_TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def expected():
    return torch.load(FIXTURE / "expected_outputs.pt", weights_only=True)


def logits_of(model, expected) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(input_ids=expected["input_ids"], attention_mask=expected["attention_mask"],
                     decoder_input_ids=expected["decoder_input_ids"],
                     decoder_attention_mask=expected["decoder_attention_mask"]).logits


def greedy_of(model, expected) -> torch.Tensor:
    return model.generate(expected["input_ids"], attention_mask=expected["attention_mask"],
                          max_length=expected["generate_max_length"])


def assert_same_answers(model, tokenizer, expected) -> None:
    """Logits within 1e-4 of the original's at every position, and the same greedy ids and texts."""
    gap = (logits_of(model, expected) - expected["logits"]).abs().max().item()
    assert gap <= LOGIT_TOLERANCE, f"largest logit gap {gap:.3g}"
    generated = greedy_of(model, expected)
    assert torch.equal(generated, expected["generated_ids"])
    assert tokenizer.batch_decode(generated, skip_special_tokens=True) == expected["generated_texts"]


def copy_save_dir(tmp_path: Path) -> Path:
    target = tmp_path / "save_dir"
    shutil.copytree(SAVE_DIR, target)
    return target


def test_from_pretrained_reproduces_the_original_outputs(expected):
    model = Transformer.from_pretrained(SAVE_DIR)
    tokenizer = AutoTokenizer.from_pretrained(SAVE_DIR)
    # the original's position table has 2 * max_input_len rows, and so has its length limit
    assert model.config.max_input_len == 32
    assert (model.config.vocab_size, model.config.pad_token_id, model.config.bos_token_id) == (23, 19, 20)
    assert_same_answers(model, tokenizer, expected)


def test_dropout_acts_where_the_originals_does(expected):
    """Mean train-mode loss over 400 dropout draws (p 0.1), same weights and batch: equal within 4 standard
    errors. An extra dropout on the embeddings (as calt had) raised it by about 0.04 here, 37 standard errors."""
    model = Transformer.from_pretrained(SAVE_DIR)
    batch = {key: expected[key] for key in ("input_ids", "attention_mask", "decoder_input_ids",
                                            "decoder_attention_mask", "labels")}
    model.train()
    torch.manual_seed(1)
    with torch.no_grad():
        losses = torch.tensor([float(model(**batch).loss) for _ in range(400)], dtype=torch.float64)
    ours, ours_se = float(losses.mean()), float(losses.std() / 20)
    theirs, theirs_se = expected["train_mode_loss_mean"], expected["train_mode_loss_se"]
    assert abs(ours - theirs) <= 4 * (ours_se**2 + theirs_se**2) ** 0.5, (ours, theirs)


def test_auto_classes_load_the_original_save_dir(expected):
    from calt.models.generic import register_generic_with_auto_classes

    register_generic_with_auto_classes()
    model = AutoModelForSeq2SeqLM.from_pretrained(SAVE_DIR)
    assert type(model) is Transformer
    assert_same_answers(model, AutoTokenizer.from_pretrained(SAVE_DIR), expected)


def test_model_and_tokenizer_subfolders_are_found(tmp_path, expected):
    """The layout calt-x's load_from_checkpoint looks for first: save_dir/model and save_dir/tokenizer."""
    root = tmp_path / "run"
    (root / "model").mkdir(parents=True)
    (root / "tokenizer").mkdir()
    for path in SAVE_DIR.iterdir():
        folder = "tokenizer" if path.name.startswith(("tokenizer", "special_tokens")) else "model"
        shutil.copy(path, root / folder / path.name)
    assert calt_x_compat.locate_model_and_tokenizer(root) == (root / "model", root / "tokenizer")
    model, tokenizer = load_model_and_tokenizer(root)
    assert_same_answers(model, tokenizer, expected)


def test_flat_save_dir_is_found(expected):
    assert calt_x_compat.locate_model_and_tokenizer(SAVE_DIR) == (SAVE_DIR, SAVE_DIR)
    model, tokenizer = load_model_and_tokenizer(SAVE_DIR)
    assert_same_answers(model, tokenizer, expected)


def test_load_from_checkpoint_rebuilds_the_run_with_the_original_weights(tmp_path, monkeypatch, expected):
    """calt.trainer.utils.load_from_checkpoint(save_dir) -> (io_pipeline, model, trainer_pipeline), as the
    original's: train.yaml in save_dir, data paths relative to the working directory."""
    from calt.trainer.utils import load_from_checkpoint

    shutil.copytree(FIXTURE / "data", tmp_path / "data")
    shutil.copy(FIXTURE / "lexer.yaml", tmp_path / "lexer.yaml")
    save_dir = copy_save_dir(tmp_path)
    monkeypatch.chdir(tmp_path)
    _, model, pipeline = load_from_checkpoint(str(save_dir))
    assert_same_answers(model, pipeline.tokenizer, expected)
    batch = pipeline.data_collator([pipeline.eval_dataset[i] for i in range(len(expected["input_ids"]))])
    for key in ("input_ids", "attention_mask", "decoder_input_ids", "decoder_attention_mask", "labels"):
        assert torch.equal(batch[key], expected[key]), key


def test_evaluation_writes_the_texts_and_success_rate_the_original_wrote(tmp_path, monkeypatch):
    """resume_from_checkpoint → build → evaluate_and_save_generation on the original's save_dir: every row's
    ``generated`` and ``reference`` text is the one calt-x wrote for it (eval_results_original.json, recorded by
    record_eval_results.py: ``"1, 1, 1"``, HF's clean-up of tokenization spaces included), and so is the rate."""
    from calt.trainer import TrainerPipeline

    summary = json.loads((FIXTURE / "eval_results_original_summary.json").read_text())
    original = json.loads((FIXTURE / "eval_results_original.json").read_text())
    shutil.copytree(FIXTURE / "data", tmp_path / "data")
    shutil.copy(FIXTURE / "lexer.yaml", tmp_path / "lexer.yaml")
    save_dir = copy_save_dir(tmp_path)
    monkeypatch.chdir(tmp_path)
    pipeline = TrainerPipeline.resume_from_checkpoint(str(save_dir)).build()
    success_rate = pipeline.evaluate_and_save_generation(max_length=summary["max_length"])
    written = [*save_dir.glob("eval_results.json"), *save_dir.glob("eval_results/step_*.json")]
    ours = json.loads(max(written, key=lambda path: path.stat().st_mtime_ns).read_text())
    assert [(row["generated"], row["reference"]) for row in ours] == [
        (row["generated"], row["reference"]) for row in original]
    assert success_rate == summary["success_rate"]


def test_saved_again_by_calt_it_loads_as_a_calt_model(tmp_path, expected):
    model = Transformer.from_pretrained(SAVE_DIR)
    model.save_pretrained(tmp_path / "calt_layout")
    assert calt_x_compat.checkpoint_folder(tmp_path / "calt_layout") is None
    again = Transformer.from_pretrained(tmp_path / "calt_layout")
    assert again.config.max_input_len == model.config.max_input_len
    assert torch.equal(logits_of(again, expected), logits_of(model, expected))


def test_safetensors_weights_load_too(tmp_path, expected):
    """calt-x with save_safetensors: true writes model.safetensors instead of pytorch_model.bin."""
    from safetensors.torch import save_file

    save_dir = copy_save_dir(tmp_path)
    weights = torch.load(save_dir / "pytorch_model.bin", weights_only=True)
    save_file({key: value.contiguous() for key, value in weights.items()}, str(save_dir / "model.safetensors"))
    (save_dir / "pytorch_model.bin").unlink()
    assert_same_answers(Transformer.from_pretrained(save_dir), AutoTokenizer.from_pretrained(save_dir), expected)


def test_the_config_alone_translates():
    config = TransformerConfig.from_pretrained(SAVE_DIR)
    assert config.max_input_len == 32 and config.decoder_attention_heads == 2 and config.decoder_ffn_dim == 32
    assert not hasattr(config, "norm_first") and not hasattr(config, "batch_first")


def edited_weights(save_dir: Path, edit) -> None:
    path = save_dir / "pytorch_model.bin"
    state = torch.load(path, weights_only=True)
    edit(state)
    torch.save(state, path)


def test_a_missing_weight_is_an_error_naming_it(tmp_path):
    save_dir = copy_save_dir(tmp_path)
    edited_weights(save_dir, lambda state: state.pop("transformer.decoder.layers.0.norm3.bias"))
    with pytest.raises(CaltXCheckpointError, match=r"missing .*transformer\.decoder\.layers\.0\.norm3\.bias"):
        Transformer.from_pretrained(save_dir)


def test_an_unexpected_weight_is_an_error_naming_it(tmp_path):
    save_dir = copy_save_dir(tmp_path)
    edited_weights(save_dir, lambda state: state.__setitem__("transformer.encoder.extra.weight", torch.zeros(2)))
    with pytest.raises(CaltXCheckpointError, match=r"unexpected .*transformer\.encoder\.extra\.weight"):
        Transformer.from_pretrained(save_dir)


def test_a_weight_of_the_wrong_shape_is_an_error_naming_it(tmp_path):
    save_dir = copy_save_dir(tmp_path)
    edited_weights(save_dir, lambda state: state.__setitem__("lm_head.weight", torch.zeros(24, 16)))
    with pytest.raises(CaltXCheckpointError, match=r"lm_head\.weight has shape \(24, 16\)"):
        Transformer.from_pretrained(save_dir)


def test_weights_of_more_layers_than_the_config_says_are_an_error(tmp_path):
    save_dir = copy_save_dir(tmp_path)

    def add_layer(state):
        for key in [k for k in state if k.startswith("transformer.encoder.layers.0.")]:
            state[key.replace("layers.0.", "layers.1.")] = state[key].clone()

    edited_weights(save_dir, add_layer)
    with pytest.raises(CaltXCheckpointError, match=r"encoder\.layers\.1\..*num_encoder_layers"):
        Transformer.from_pretrained(save_dir)


@pytest.mark.parametrize("key, value, message", [
    ("norm_first", False, "pre-norm only"),
    ("use_positional_embedding", "rope", "rope"),
    ("input_embedding_type", "my_embedding", "plain token embedding"),
    ("tie_word_embeddings", True, "lm_head separate"),
])
def test_settings_calt_cannot_reproduce_are_errors(tmp_path, key, value, message):
    import json

    save_dir = copy_save_dir(tmp_path)
    config = json.loads((save_dir / "config.json").read_text())
    config[key] = value
    (save_dir / "config.json").write_text(json.dumps(config))
    with pytest.raises(CaltXCheckpointError, match=rf"config\.json: calt-x setting {key} .*{message}"):
        Transformer.from_pretrained(save_dir)


def test_a_save_dir_without_a_model_is_named(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="not a saved model"):
        calt_x_compat.locate_model_and_tokenizer(tmp_path / "empty")


def test_a_calt_x_run_resumes_in_the_fp32_it_was_trained_in(tmp_path, monkeypatch):
    """calt's default is bf16 on CPUs that have it; a calt-x run (calt-x sets no mixed precision) resumes in fp32,
    so its evaluation gives the original's answers; a precision in its train.yaml still wins."""
    from calt.trainer import TrainerPipeline, lightning_settings

    monkeypatch.setattr(lightning_settings, "cpu_bf16_flags", lambda: ["avx512_bf16"])
    shutil.copytree(FIXTURE / "data", tmp_path / "data")
    shutil.copy(FIXTURE / "lexer.yaml", tmp_path / "lexer.yaml")
    save_dir = copy_save_dir(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert TrainerPipeline.resume_from_checkpoint(str(save_dir)).config.precision == "32-true"
    config = json.loads((save_dir / "train.yaml").read_text())
    config["train"]["precision"] = "bf16-mixed"
    (save_dir / "train.yaml").write_text(json.dumps(config))
    assert TrainerPipeline.resume_from_checkpoint(str(save_dir)).config.precision == "bf16-mixed"


def test_a_calt_run_resumes_at_the_default_precision(tmp_path):
    from omegaconf import OmegaConf

    from calt.trainer.pipeline import resumed_train_block

    Transformer.from_pretrained(SAVE_DIR).save_pretrained(tmp_path)
    AutoTokenizer.from_pretrained(SAVE_DIR).save_pretrained(tmp_path)
    train = OmegaConf.create({"save_dir": str(tmp_path)})
    assert resumed_train_block(train, tmp_path, True) is train
    assert resumed_train_block(train, SAVE_DIR, True).precision == "32-true"
