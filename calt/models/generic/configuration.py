"""`TransformerConfig`: hyper-parameters and special-token ids of calt's generic encoder–decoder."""

from __future__ import annotations

from transformers import PretrainedConfig

POSITIONAL_EMBEDDING_TYPES = ("generic", "learned", "sinusoidal", "rope", "none")
# config attribute -> the ``model`` block key of train.yaml it comes from, named in error messages
MODEL_BLOCK_KEYS = {
    "attention_heads": "num_encoder_heads",
    "decoder_attention_heads": "num_decoder_heads",
    "dim_feedforward": "encoder_ffn_dim",
    "max_input_len": "max_sequence_length",
}


def _name(key: str) -> str:
    """``key`` plus the train.yaml key it comes from, when they differ."""
    return f"{key} (model.{MODEL_BLOCK_KEYS[key]})" if key in MODEL_BLOCK_KEYS else key
ACTIVATIONS = ("relu", "gelu", "silu", "gelu_new", "tanh")
FIXED_CALT_X_VALUES = {  # calt-x argument -> (the one value calt implements, why)
    "batch_first": (True, "calt's blocks take (batch, sequence, features) tensors"),
    "norm_first": (True, "calt's blocks are pre-norm"),
    "tie_word_embeddings": (False, "the generic model keeps the output layer separate from the token embedding"),
    "input_embedding_type": ("token", "the generic model embeds tokens; see the README's model section for others"),
}


def _require_calt_x_only_value(**values) -> None:
    """ValueError for a calt-x argument set to a value calt's generic model does not implement."""
    for name, value in values.items():
        allowed, why = FIXED_CALT_X_VALUES[name]
        if value != allowed:
            raise ValueError(f"TransformerConfig: {name}={value!r} is not supported ({why}); use {allowed!r}.")


class TransformerConfig(PretrainedConfig):
    """Configuration of :class:`calt.models.Transformer`.

    Names follow the original calt config (``attention_heads``, ``dim_feedforward``, ``max_input_len``)
    so saved configs keep loading; decoder heads and width default to the encoder's. Every value is
    checked here, so a bad config fails before any tensor is allocated.
    """

    model_type = "transformer"

    def __init__(
        self,
        d_model: int = 512,
        attention_heads: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
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
        use_positional_embedding: str = "learned",
        input_embedding_type: str = "token",
        embedding_layer_norm: bool = True,
        init_std: float = 0.02,
        tie_word_embeddings: bool = False,
        seed: int = 42,
        decoder_attention_heads: int | None = None,
        decoder_ffn_dim: int | None = None,
        decoder_start_token_id: int | None = None,
        rope_theta: float = 10000.0,
        **kwargs,
    ):
        # calt-x's positional order; batch_first, norm_first, input_embedding_type and tie_word_embeddings take only
        # the value calt's blocks implement, and are not stored (calt_x_compat recognises calt-x configs by them)
        _require_calt_x_only_value(batch_first=batch_first, norm_first=norm_first, tie_word_embeddings=tie_word_embeddings,
                                   input_embedding_type=str(input_embedding_type).lower())
        kwargs.pop("is_encoder_decoder", None)
        super().__init__(is_encoder_decoder=True, tie_word_embeddings=False, **kwargs)
        self.d_model = d_model
        self.attention_heads = attention_heads
        self.num_encoder_layers = num_encoder_layers
        self.num_decoder_layers = num_decoder_layers
        self.dim_feedforward = dim_feedforward
        self.decoder_attention_heads = attention_heads if decoder_attention_heads is None else decoder_attention_heads
        self.decoder_ffn_dim = dim_feedforward if decoder_ffn_dim is None else decoder_ffn_dim
        self.dropout = dropout
        self.activation = activation
        self.layer_norm_eps = layer_norm_eps
        self.bias = bias
        self.vocab_size = vocab_size
        self.max_input_len = max_input_len
        self.pad_token_id = pad_token_id
        self.eos_token_id = eos_token_id
        self.bos_token_id = bos_token_id
        self.decoder_start_token_id = bos_token_id if decoder_start_token_id is None else decoder_start_token_id
        self.use_positional_embedding = str(use_positional_embedding).lower()
        self.embedding_layer_norm = embedding_layer_norm
        self.rope_theta = rope_theta
        self.init_std = init_std
        self.seed = seed
        self.tie_word_embeddings = False
        self.validate_architecture()

    @classmethod
    def from_dict(cls, config_dict: dict, **kwargs):
        """As ``PretrainedConfig.from_dict``; a config.json of calt-x 1.5.0 (the original package) is
        translated first, so its save_dirs load (see :mod:`calt.models.generic.calt_x_compat`)."""
        from .calt_x_compat import is_calt_x_config, translate_config_dict

        if is_calt_x_config(config_dict):
            config_dict = translate_config_dict(config_dict)
        return super().from_dict(config_dict, **kwargs)

    def validate_architecture(self) -> None:
        """Raise ValueError naming the offending key and value when the sizes cannot build a model."""
        for key in ("d_model", "attention_heads", "decoder_attention_heads", "num_encoder_layers",
                    "num_decoder_layers", "dim_feedforward", "decoder_ffn_dim", "vocab_size", "max_input_len"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"TransformerConfig: {_name(key)} must be a positive integer, got {value!r}.")
        for heads_key in ("attention_heads", "decoder_attention_heads"):
            heads = getattr(self, heads_key)
            if self.d_model % heads:
                raise ValueError(
                    f"TransformerConfig: d_model={self.d_model} is not divisible by {_name(heads_key)}={heads}; "
                    "choose a head count that divides d_model."
                )
            if self.use_positional_embedding == "rope" and (self.d_model // heads) % 2:
                raise ValueError(
                    f"TransformerConfig: use_positional_embedding='rope' needs an even head dimension, but "
                    f"d_model={self.d_model} / {_name(heads_key)}={heads} = {self.d_model // heads}; change d_model or the heads."
                )
        if self.use_positional_embedding not in POSITIONAL_EMBEDDING_TYPES:
            from ..positional_embeddings import POSITIONAL_EMBEDDING_REGISTRY, positional_embedding_names

            if self.use_positional_embedding not in POSITIONAL_EMBEDDING_REGISTRY:
                raise ValueError(
                    f"TransformerConfig: use_positional_embedding={self.use_positional_embedding!r} is not one of "
                    f"{positional_embedding_names()}; register yours with "
                    "calt.models.register_positional_embedding(name, factory) before building the model."
                )
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"TransformerConfig: activation={self.activation!r} is not one of {list(ACTIVATIONS)}.")
        if not 0.0 <= float(self.dropout) < 1.0:
            raise ValueError(f"TransformerConfig: dropout must be in [0, 1), got {self.dropout!r}.")
        for key in ("pad_token_id", "eos_token_id", "bos_token_id", "decoder_start_token_id"):
            value = getattr(self, key)
            if not isinstance(value, int) or not 0 <= value < self.vocab_size:
                raise ValueError(
                    f"TransformerConfig: {key}={value!r} must be a token id in [0, vocab_size={self.vocab_size})."
                )
