"""ModelPipeline / ModelRegistry: model types from the ``model`` block, tokenizer-driven ids, bad config errors."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf
from transformers import BartConfig, BartForConditionalGeneration, PretrainedConfig, PreTrainedModel

from calt.models import ModelPipeline, ModelRegistry, Transformer, TransformerConfig, get_model, get_model_from_config
from calt.models.bart.config_mapping import create_bart_config
from calt.models.generic.config_mapping import create_transformer_config
from model_test_helpers import model_block


def assert_ids_follow_tokenizer(config, tokenizer):
    assert config.vocab_size == len(tokenizer)
    assert config.pad_token_id == tokenizer.pad_token_id
    assert config.bos_token_id == tokenizer.bos_token_id
    assert config.eos_token_id == tokenizer.eos_token_id
    assert config.decoder_start_token_id == tokenizer.bos_token_id


@pytest.mark.parametrize("model_type", ["generic", "Transformer", "CALT", " generic "])
def test_generic_aliases_build_the_transformer_with_tokenizer_ids(tokenizer, model_type):
    io_dict = {"tokenizer": tokenizer, "train_dataset": None, "test_dataset": None, "data_collator": None}
    model = ModelPipeline.from_io_dict(model_block(model_type=model_type), io_dict).build()
    assert isinstance(model, Transformer)
    assert_ids_follow_tokenizer(model.config, tokenizer)
    assert model.config.d_model == 32 and model.config.max_input_len == 48


def test_bart_builds_from_the_model_block(tokenizer):
    model = ModelPipeline(model_block(model_type="bart"), tokenizer).build()
    assert isinstance(model, BartForConditionalGeneration)
    assert_ids_follow_tokenizer(model.config, tokenizer)
    assert model.config.encoder_layers == 2 and model.config.max_position_embeddings == 48


def test_optional_generic_keys_reach_the_config(tokenizer):
    block = model_block(use_positional_embedding="Sinusoidal", dropout=0.25, activation="gelu", init_std=0.05,
                        seed=7, num_decoder_heads=2, decoder_ffn_dim=96)
    config = create_transformer_config(block, tokenizer)
    assert (config.use_positional_embedding, config.dropout, config.activation) == ("sinusoidal", 0.25, "gelu")
    assert (config.init_std, config.seed, config.decoder_attention_heads, config.decoder_ffn_dim) == (0.05, 7, 2, 96)
    defaults = create_transformer_config(model_block(dropout=None), tokenizer)
    assert (defaults.use_positional_embedding, defaults.dropout, defaults.activation) == ("generic", 0.1, "relu")


def test_seed_makes_weights_repeatable_without_touching_global_rng(tokenizer):
    import torch

    torch.manual_seed(0)
    before = torch.rand(1)
    torch.manual_seed(0)
    first = ModelPipeline(model_block(seed=3), tokenizer).build()
    assert torch.equal(torch.rand(1), before)
    second = ModelPipeline(model_block(seed=3), tokenizer).build()
    other = ModelPipeline(model_block(seed=4), tokenizer).build()
    assert torch.equal(first.lm_head.weight, second.lm_head.weight)
    assert not torch.equal(first.lm_head.weight, other.lm_head.weight)


def test_unknown_model_type_lists_the_registered_ones(tokenizer):
    with pytest.raises(ValueError, match=r"'gpt'.*generic.*transformer.*calt.*bart"):
        ModelPipeline(model_block(model_type="gpt"), tokenizer).build()


def test_missing_model_type_and_missing_required_key_are_named(tokenizer):
    block = model_block()
    del block["model_type"]
    with pytest.raises(ValueError, match="model_type"):
        ModelPipeline(block, tokenizer).build()
    for key in ("d_model", "num_encoder_layers", "max_sequence_length"):
        block = model_block()
        del block[key]
        with pytest.raises(ValueError, match=f"model.{key} is required"):
            ModelPipeline(block, tokenizer).build()
    block = model_block(model_type="bart")
    del block["decoder_ffn_dim"]
    with pytest.raises(ValueError, match="model.decoder_ffn_dim is required"):
        ModelPipeline(block, tokenizer).build()


@pytest.mark.parametrize("model_type", ["generic", "bart"])
def test_heads_must_divide_d_model(tokenizer, model_type):
    with pytest.raises(ValueError, match=r"d_model=30.*num_encoder_heads.*=4"):
        ModelPipeline(model_block(model_type=model_type, d_model=30), tokenizer).build()


def test_rope_needs_an_even_head_dimension(tokenizer):
    with pytest.raises(ValueError, match=r"rope.*d_model=36.*num_encoder_heads.*=4.*= 9"):
        ModelPipeline(model_block(d_model=36, use_positional_embedding="rope"), tokenizer).build()


def test_bad_values_are_named_before_building(tokenizer):
    with pytest.raises(ValueError, match="model.use_positional_embedding: 'alibi' is not registered; choose one of"):
        ModelPipeline(model_block(use_positional_embedding="alibi"), tokenizer).build()
    with pytest.raises(ValueError, match=r"model.num_encoder_layers must be in \[1, inf\); got 0"):
        ModelPipeline(model_block(num_encoder_layers=0), tokenizer).build()
    with pytest.raises(ValueError, match="pad_token_id=5 disagrees with the tokenizer"):
        ModelPipeline(model_block(pad_token_id=5), tokenizer).build()
    with pytest.raises(ValueError, match="needs the tokenizer"):
        create_bart_config(model_block(model_type="bart"), None)


def test_registry_create_register_and_list(tokenizer):
    registry = ModelRegistry()
    assert registry.list_models()[:4] == ["generic", "transformer", "calt", "bart"]
    assert {"decoder_only", "decoder", "encoder_classifier", "encoder_only"} <= set(registry.list_models())
    config = create_transformer_config(model_block(), tokenizer)
    assert isinstance(registry.create(model_config=config), Transformer)  # name from config.model_type
    assert isinstance(get_model("CALT", config), Transformer)
    assert isinstance(get_model_from_config(model_block(model_type="bart"), tokenizer), BartForConditionalGeneration)
    with pytest.raises(ValueError, match="needs a BartConfig"):
        registry.create("bart", config)

    class TinyConfig(PretrainedConfig):
        model_type = "tiny_test"

    class TinyModel(PreTrainedModel):
        config_class = TinyConfig

    registry.register("Tiny", TinyModel, TinyConfig)
    with pytest.raises(ValueError, match="register_config_mapping"):
        registry.create_from_config(OmegaConf.create({"model_type": "tiny"}))
    seen = {}
    registry.register_config_mapping("TINY", lambda cfg, tok: seen.setdefault("config", TinyConfig()))
    assert isinstance(registry.create_from_config(OmegaConf.create({"model_type": "tiny"}), tokenizer), TinyModel)
    assert "tiny" in registry.list_models() and "tiny" not in ModelRegistry().list_models()
    assert isinstance(ModelPipeline(OmegaConf.create({"model_type": "tiny"}), tokenizer, registry=registry).build(),
                      TinyModel)


def test_default_mappings_accept_plain_dicts(tokenizer):
    block = dict(model_block())
    assert isinstance(create_transformer_config(block, tokenizer), TransformerConfig)
    assert isinstance(create_bart_config(block, tokenizer), BartConfig)
    assert create_transformer_config(block).vocab_size == 1000  # no tokenizer: the config's defaults


def test_keys_the_model_type_does_not_read_are_errors_with_the_closest_key(tokenizer):
    with pytest.raises(ValueError, match=r"model: unknown key 'dropuot'; did you mean 'dropout'"):
        ModelPipeline(model_block(dropuot=0.2), tokenizer).build()
    with pytest.raises(ValueError, match=r"model: unknown key 'use_positional_embedding'"):
        ModelPipeline(model_block(model_type="bart", use_positional_embedding="rope"), tokenizer).build()


@pytest.mark.parametrize("model_type", ["generic", "bart"])
def test_a_model_too_large_for_this_machine_is_named_before_any_tensor(tokenizer, model_type):
    with pytest.raises(ValueError, match=r"model.num_decoder_layers=18446744073709551616 makes a model of about .* "
                                         r"GiB of memory; make model.num_decoder_layers smaller"):
        ModelPipeline(model_block(model_type=model_type, num_decoder_layers=2**64), tokenizer).build()
