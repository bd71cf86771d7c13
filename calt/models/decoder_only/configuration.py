"""`DecoderOnlyConfig`: sizes and special-token ids of the decoder-only (causal LM) model."""

from __future__ import annotations

from transformers import PretrainedConfig

from ..config_checks import check_model_config, check_supported

BLOCK_KEYS = {"attention_heads": "num_heads", "num_layers": "num_layers", "dim_feedforward": "ffn_dim",
              "max_input_len": "max_sequence_length"}
"""config attribute -> the train.yaml ``model`` key it comes from (named in errors)."""


class DecoderOnlyConfig(PretrainedConfig):
    """Configuration of :class:`DecoderOnlyTransformer`; names and defaults as calt-x 1.5.0's.

    ``max_input_len`` is the longest problem (and answer); the position table holds twice as many rows,
    since problem and answer share one sequence.
    """

    model_type = "decoder_only"

    def __init__(
        self,
        d_model: int = 512,
        attention_heads: int = 8,
        num_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str = "relu",
        layer_norm_eps: float = 1e-5,
        norm_first: bool = True,
        bias: bool = True,
        vocab_size: int = 1000,
        max_input_len: int = 512,
        pad_token_id: int = 0,
        eos_token_id: int = 1,
        bos_token_id: int = 2,
        use_positional_embedding: str = "generic",
        embedding_layer_norm: bool = True,
        init_std: float = 0.02,
        tie_word_embeddings: bool = False,
        seed: int = 42,
        input_embedding_type: str = "token",
        rope_theta: float = 10000.0,
        **kwargs,
    ):
        check_supported(norm_first, tie_word_embeddings, "DecoderOnlyConfig")
        kwargs.pop("decoder_start_token_id", None)  # always BOS: it opens the answer
        super().__init__(pad_token_id=pad_token_id, eos_token_id=eos_token_id, bos_token_id=bos_token_id,
                         decoder_start_token_id=bos_token_id, tie_word_embeddings=False, **kwargs)
        self.d_model = d_model
        self.attention_heads = attention_heads
        self.num_layers = num_layers
        self.dim_feedforward = dim_feedforward
        self.dropout = dropout
        self.activation = activation
        self.layer_norm_eps = layer_norm_eps
        self.bias = bias
        self.vocab_size = vocab_size
        self.max_input_len = max_input_len
        self.use_positional_embedding = str(use_positional_embedding).lower()
        self.input_embedding_type = str(input_embedding_type).lower()
        self.embedding_layer_norm = embedding_layer_norm
        self.rope_theta = rope_theta
        self.init_std = init_std
        self.seed = seed
        check_model_config(self, "DecoderOnlyConfig",
                           ("d_model", "attention_heads", "num_layers", "dim_feedforward", "vocab_size",
                            "max_input_len"), BLOCK_KEYS)

    @property
    def max_positions(self) -> int:
        """Rows of the position table: problem and answer together."""
        return 2 * self.max_input_len

    @classmethod
    def from_dict(cls, config_dict: dict, **kwargs):
        """As ``PretrainedConfig.from_dict``; calt-x 1.5.0's config.json of this type is translated first."""
        from .calt_x import is_calt_x_decoder_config, translate_decoder_config

        if is_calt_x_decoder_config(config_dict):
            config_dict = translate_decoder_config(config_dict)
        return super().from_dict(config_dict, **kwargs)
