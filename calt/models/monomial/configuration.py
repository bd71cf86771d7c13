"""`MonomialTransformerConfig`: sizes, special-token ids and the monomial token groups of the monomial model."""

from __future__ import annotations

from transformers import PretrainedConfig

from ..config_checks import check_model_config, check_supported
from . import embedding  # noqa: F401  (registers the "monomial" input embedding)

BLOCK_KEYS = {"attention_heads": "num_encoder_heads", "decoder_attention_heads": "num_decoder_heads",
              "dim_feedforward": "encoder_ffn_dim", "decoder_ffn_dim": "decoder_ffn_dim",
              "max_input_len": "max_sequence_length"}
"""config attribute -> the train.yaml ``model`` key it comes from (named in errors)."""


class MonomialTransformerConfig(PretrainedConfig):
    """Configuration of :class:`MonomialTransformer`; names, meanings and defaults as calt-x 1.5.0's.

    The vocabulary structure is kept as plain id lists, so the config stays JSON and round-trips:
    ``coeff_token_ids`` (one ordered list per coefficient field), ``exp_token_ids`` (one ordered list per
    variable) and ``separator_token_ids`` (continuation separators, e.g. ``+`` and ``|``; EOS ends a sequence).
    ``max_input_len`` counts monomial positions; the position table holds twice as many rows (as the original).
    Decoder heads and width default to the encoder's.
    """

    model_type = "monomial"

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
        use_positional_embedding: str = "generic",
        embedding_layer_norm: bool = True,
        coeff_token_ids: list | None = None,
        exp_token_ids: list | None = None,
        separator_token_ids: list | None = None,
        coeff_scale: float = 1.0,
        coeff_noise_std: float = 0.0,
        coeff_loss_weight: float = 1.0,
        init_std: float = 0.02,
        seed: int = 42,
        decoder_attention_heads: int | None = None,
        decoder_ffn_dim: int | None = None,
        input_embedding_type: str = "monomial",
        rope_theta: float = 10000.0,
        **kwargs,
    ):
        check_supported(norm_first, False, "MonomialTransformerConfig", batch_first)  # calt-x's positional order
        kwargs.pop("tie_word_embeddings", None)  # the heads are never tied to the embeddings
        kwargs.pop("is_encoder_decoder", None)
        kwargs.pop("decoder_start_token_id", None)  # always BOS: the decoder starts from the BOS vector
        super().__init__(pad_token_id=pad_token_id, eos_token_id=eos_token_id, bos_token_id=bos_token_id,
                         decoder_start_token_id=bos_token_id, is_encoder_decoder=True, tie_word_embeddings=False,
                         **kwargs)
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
        self.use_positional_embedding = str(use_positional_embedding).lower()
        self.input_embedding_type = str(input_embedding_type).lower()
        self.embedding_layer_norm = embedding_layer_norm
        self.rope_theta = rope_theta
        self.coeff_token_ids = [list(ids) for ids in coeff_token_ids or [[]]]
        self.exp_token_ids = [list(ids) for ids in exp_token_ids or [[]]]
        self.separator_token_ids = list(separator_token_ids or [])
        self.coeff_scale = coeff_scale
        self.coeff_noise_std = coeff_noise_std
        self.coeff_loss_weight = coeff_loss_weight
        self.init_std = init_std
        self.seed = seed
        check_model_config(self, "MonomialTransformerConfig",
                           ("d_model", "attention_heads", "decoder_attention_heads", "num_encoder_layers",
                            "num_decoder_layers", "dim_feedforward", "decoder_ffn_dim", "vocab_size",
                            "max_input_len"), BLOCK_KEYS)
        if self.d_model % self.decoder_attention_heads:
            raise ValueError(f"MonomialTransformerConfig: d_model={self.d_model} is not divisible by "
                             f"decoder_attention_heads (model.num_decoder_heads)={self.decoder_attention_heads}; "
                             "choose a head count that divides d_model.")
        self._check_token_groups()

    def _check_token_groups(self) -> None:
        """Token groups that are empty or hold ids outside the vocabulary cannot build the heads."""
        for name in ("coeff_token_ids", "exp_token_ids"):
            groups = getattr(self, name)
            if not groups or not all(groups):
                raise ValueError(
                    f"MonomialTransformerConfig: {name} is empty; build the config with "
                    "create_monomial_config(cfg.model, tokenizer), which reads the coefficient ('C<int>') and "
                    "exponent ('E<int>') tokens from the vocabulary (and model.num_variables or model.variables).")
        every = [i for group in (*self.coeff_token_ids, *self.exp_token_ids) for i in group] + self.separator_token_ids
        bad = [i for i in every if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < self.vocab_size]
        if bad:
            raise ValueError(f"MonomialTransformerConfig: token ids {bad[:5]} are not in [0, vocab_size="
                             f"{self.vocab_size}); the token groups belong to another vocabulary.")

    @property
    def num_coeff_fields(self) -> int:
        return len(self.coeff_token_ids)

    @property
    def num_variables(self) -> int:
        return len(self.exp_token_ids)

    @property
    def monomial_width(self) -> int:
        """Tokens per monomial: coefficient fields + one exponent per variable + the separator (or EOS)."""
        return self.num_coeff_fields + self.num_variables + 1

    @property
    def num_follow_classes(self) -> int:
        """Classes of the separator head: the continuation separators, then EOS."""
        return len(self.separator_token_ids) + 1

    @property
    def follow_token_ids(self) -> list[int]:
        """What may follow a monomial: the separators, then EOS (the last class of the separator head)."""
        return [*self.separator_token_ids, self.eos_token_id]

    @property
    def max_positions(self) -> int:
        """Rows of the position table (monomial positions), twice ``max_input_len`` as in the original."""
        return 2 * self.max_input_len

    @classmethod
    def from_dict(cls, config_dict: dict, **kwargs):
        """As ``PretrainedConfig.from_dict``; calt-x 1.5.0's monomial config.json is translated first."""
        from .calt_x import is_calt_x_monomial_config, translate_monomial_config

        if is_calt_x_monomial_config(config_dict):
            config_dict = translate_monomial_config(config_dict)
        return super().from_dict(config_dict, **kwargs)
