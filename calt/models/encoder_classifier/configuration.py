"""`EncoderClassifierConfig`: sizes and special-token ids of the encoder-only classifier."""

from __future__ import annotations

from transformers import PretrainedConfig

from ..config_checks import check_model_config, check_supported

BLOCK_KEYS = {"attention_heads": "num_encoder_heads", "num_encoder_layers": "num_encoder_layers",
              "dim_feedforward": "encoder_ffn_dim", "max_input_len": "max_sequence_length"}
"""config attribute -> the train.yaml ``model`` key it comes from (named in errors)."""


class EncoderClassifierConfig(PretrainedConfig):
    """Configuration of :class:`EncoderClassifier`; names and defaults as calt-x 1.5.0's.

    ``is_classification`` (always true) tells evaluation to score one class per sample.
    """

    model_type = "encoder_classifier"

    def __init__(
        self,
        d_model: int = 512,
        attention_heads: int = 8,
        num_encoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = True,
        norm_first: bool = True,
        bias: bool = True,
        vocab_size: int = 1000,
        max_input_len: int = 512,
        pad_token_id: int = 0,
        eos_token_id: int = 1,
        bos_token_id: int = 2,
        use_positional_embedding: str = "generic",
        input_embedding_type: str = "token",
        init_std: float = 0.02,
        seed: int = 42,
        rope_theta: float = 10000.0,
        **kwargs,
    ):
        check_supported(norm_first, kwargs.pop("tie_word_embeddings", False), "EncoderClassifierConfig", batch_first)
        kwargs.pop("is_classification", None)  # always true
        kwargs.pop("decoder_start_token_id", None)
        super().__init__(pad_token_id=pad_token_id, eos_token_id=eos_token_id, bos_token_id=bos_token_id,
                         decoder_start_token_id=bos_token_id, tie_word_embeddings=False, **kwargs)
        self.d_model = d_model
        self.attention_heads = attention_heads
        self.num_encoder_layers = num_encoder_layers
        self.dim_feedforward = dim_feedforward
        self.dropout = dropout
        self.activation = activation
        self.layer_norm_eps = layer_norm_eps
        self.bias = bias
        self.vocab_size = vocab_size
        self.max_input_len = max_input_len
        self.use_positional_embedding = str(use_positional_embedding).lower()
        self.input_embedding_type = str(input_embedding_type).lower()
        self.rope_theta = rope_theta
        self.init_std = init_std
        self.seed = seed
        self.is_classification = True
        check_model_config(self, "EncoderClassifierConfig",
                           ("d_model", "attention_heads", "num_encoder_layers", "dim_feedforward", "vocab_size",
                            "max_input_len"), BLOCK_KEYS)

    @property
    def max_positions(self) -> int:
        """Rows of the position table (twice ``max_input_len``, as in calt-x 1.5.0)."""
        return 2 * self.max_input_len

    @classmethod
    def from_dict(cls, config_dict: dict, **kwargs):
        """As ``PretrainedConfig.from_dict``; calt-x 1.5.0's config.json of this type is translated first."""
        from .calt_x import is_calt_x_classifier_config, translate_classifier_config

        if is_calt_x_classifier_config(config_dict):
            config_dict = translate_classifier_config(config_dict)
        return super().from_dict(config_dict, **kwargs)
