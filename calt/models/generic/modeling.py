"""`Transformer`: calt's generic encoder–decoder as a HuggingFace ``PreTrainedModel``.

Pre-norm blocks, attention through ``scaled_dot_product_attention`` (fused kernels on GPU), one token
embedding and one embedding LayerNorm shared by encoder and decoder (as in the original calt-x model), an
untied LM head, and incremental decoding with cached
keys/values (see :mod:`calt.models.generic.generation`).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers.modeling_outputs import Seq2SeqLMOutput

from . import calt_x_compat
from .configuration import POSITIONAL_EMBEDDING_TYPES, TransformerConfig
from .direct_step import DirectDecoder
from .generation import generate_sequences
from .layers import Decoder, Encoder, KeyValueCache, attention_dtype
from .positional import LearnedPositionalEmbedding, RotaryEmbedding, build_additive_positional_embedding
from .registered_positions import RegisteredPositions


@dataclass
class DecodingState:
    """What incremental decoding keeps between steps: per-layer memory keys/values and self-attention caches."""

    memory_kv: list[tuple[torch.Tensor, torch.Tensor]]
    memory_mask: torch.Tensor | None
    caches: list[KeyValueCache]
    direct: DirectDecoder | None = None  # the decoder layers as direct calls (CPU, no gradients), when they apply

    @property
    def length(self) -> int:
        """Number of decoder positions already processed."""
        return self.caches[0].length if self.caches else 0

    def reorder(self, rows: torch.Tensor) -> None:
        """Beam search: row i continues the hypothesis that was in row ``rows[i]``."""
        for cache in self.caches:
            cache.reorder(rows)

    def keep_rows(self, rows: torch.Tensor) -> None:
        """Keep only ``rows`` of the batch (others have finished)."""
        self.memory_kv = [(k[rows], v[rows]) for k, v in self.memory_kv]
        self.memory_mask = None if self.memory_mask is None else self.memory_mask[rows]
        for cache in self.caches:
            cache.keep_rows(rows)


def key_padding_mask(attention_mask: torch.Tensor | None) -> torch.Tensor | None:
    """(B, S) 1/0 mask -> boolean (B, 1, 1, S), True where attention is allowed."""
    if attention_mask is None:
        return None
    return attention_mask.bool()[:, None, None, :]


def causal_padding_mask(decoder_attention_mask: torch.Tensor) -> torch.Tensor:
    """Causal mask combined with decoder key padding, as the original's ``tgt_mask`` + ``tgt_key_padding_mask``
    (a padded position attends to the real tokens before it). A row left with no key at all (a sequence that
    starts with padding) may see itself, where the original would produce NaN."""
    length = decoder_attention_mask.size(1)
    device = decoder_attention_mask.device
    causal = torch.ones(length, length, dtype=torch.bool, device=device).tril()
    mask = causal & decoder_attention_mask.bool()[:, None, None, :]
    empty = ~mask.any(dim=-1, keepdim=True)
    return mask | (empty & torch.eye(length, dtype=torch.bool, device=device))


def shift_tokens_right(labels: torch.Tensor, pad_token_id: int, decoder_start_token_id: int) -> torch.Tensor:
    """Decoder inputs from labels (HF convention): prepend the start token, drop the last, -100 -> PAD."""
    shifted = labels.new_empty(labels.shape)
    shifted[:, 1:] = labels[:, :-1]
    shifted[:, 0] = decoder_start_token_id
    return shifted.masked_fill(shifted == -100, pad_token_id)


class Transformer(PreTrainedModel):
    """Encoder–decoder Transformer for symbolic seq2seq tasks; see :class:`TransformerConfig` for its options."""

    config_class = TransformerConfig
    main_input_name = "input_ids"
    _supports_sdpa = True

    def __init__(self, config: TransformerConfig):
        super().__init__(config)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)  # the same seed builds the same weights, without touching global RNG
            head_dim = config.d_model // config.attention_heads
            kind = config.use_positional_embedding
            encoder_rotary = RotaryEmbedding(head_dim, config.rope_theta) if kind == "rope" else None
            decoder_head_dim = config.d_model // config.decoder_attention_heads
            decoder_rotary = RotaryEmbedding(decoder_head_dim, config.rope_theta) if kind == "rope" else None
            self.embed_tokens = nn.Embedding(config.vocab_size, config.d_model)
            self.embed_positions = (
                build_additive_positional_embedding(kind, config.max_input_len, config.d_model)
                if kind in POSITIONAL_EMBEDDING_TYPES
                else RegisteredPositions(kind, config.d_model, config.max_input_len, config.attention_heads)
            )
            # one norm for both sides, like the token embedding it follows (calt-x 1.5.0 shares it too)
            self.embed_norm = (
                nn.LayerNorm(config.d_model, eps=config.layer_norm_eps) if config.embedding_layer_norm else None
            )
            self.encoder = Encoder(config, encoder_rotary)
            self.decoder = Decoder(config, decoder_rotary)
            self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
            self.post_init()

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, *model_args, **kwargs):
        """As ``PreTrainedModel.from_pretrained``; a save_dir of calt-x 1.5.0 (the original package, detected by
        its config.json) loads too, its weights renamed onto this model's with every key checked
        (:mod:`calt.models.generic.calt_x_compat`); ``output_loading_info`` and the other keywords work as usual."""
        folder = calt_x_compat.checkpoint_folder(pretrained_model_name_or_path, kwargs.get("subfolder") or "")
        if folder is None:
            return super().from_pretrained(pretrained_model_name_or_path, *model_args, **kwargs)
        config, state_dict = cls._calt_x_checkpoint(folder, kwargs.pop("config", None))
        kwargs.pop("subfolder", None)
        want_info = kwargs.pop("output_loading_info", False)
        model, info = super().from_pretrained(None, *model_args, config=config, state_dict=state_dict,
                                              output_loading_info=True, **kwargs)
        calt_x_compat.check_loading_info(info, folder)
        model.config.name_or_path = str(folder)
        return (model, info) if want_info else model

    @classmethod
    def _calt_x_checkpoint(cls, folder, config=None) -> tuple[TransformerConfig, dict[str, torch.Tensor]]:
        """(calt config, calt state dict) of the calt-x checkpoint in ``folder``; ``config`` overrides config.json
        (it must describe the same shapes)."""
        if config is None:
            config = TransformerConfig.from_dict(calt_x_compat.read_json(folder / "config.json"))
        elif not isinstance(config, TransformerConfig):
            raise TypeError(f"config must be a calt TransformerConfig for {folder}, got {type(config).__name__}")
        with torch.device("meta"):
            expected = {key: tensor.shape for key, tensor in cls(config).state_dict().items()}
        state, source = calt_x_compat.read_weights(folder)
        return config, calt_x_compat.convert_state_dict(state, config, expected, source)

    def _init_weights(self, module: nn.Module) -> None:
        """Normal(0, init_std) for linear, embedding and positional weights; LayerNorms to identity.

        The attention input projections (q, k, v) are the exception: Xavier-uniform over the joint
        (3·d_model, d_model) matrix, as PyTorch's ``MultiheadAttention`` (and so the original calt
        model) initialises them; on the GF(17) benchmark it gave 21.8% vs 17.0% exact answers after
        4 epochs (mean of 3 seeds; the seed-to-seed spread is about 10 points).
        """
        std = self.config.init_std
        bound = getattr(module, "xavier_bound", None)
        if isinstance(module, nn.Linear) and bound is not None:
            nn.init.uniform_(module.weight, -bound, bound)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=std)
            if getattr(module, "bias", None) is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            nn.init.ones_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, LearnedPositionalEmbedding):
            nn.init.normal_(module.weight, mean=0.0, std=std)

    def get_input_embeddings(self) -> nn.Embedding:
        return self.embed_tokens

    def set_input_embeddings(self, value: nn.Embedding) -> None:
        self.embed_tokens = value

    def get_output_embeddings(self) -> nn.Linear:
        return self.lm_head

    def set_output_embeddings(self, value: nn.Linear) -> None:
        self.lm_head = value

    def _check_length(self, ids: torch.Tensor, name: str, offset: int = 0) -> None:
        longest = offset + ids.size(1)
        if longest > self.config.max_input_len:
            raise ValueError(
                f"{name} has {longest} positions but this model accepts at most max_sequence_length="
                f"{self.config.max_input_len} (config.max_input_len). Shorten the sequences, or rebuild the "
                "model with a larger model.max_sequence_length."
            )

    def embed(self, ids: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """Token embeddings plus additive positions (learned/sinusoidal) starting at ``offset``, then the
        embedding LayerNorm (no dropout here: the original applies none before the first block)."""
        embeddings = self.embed_tokens(ids)
        if self.embed_positions is not None:
            embeddings = self.embed_positions(embeddings, offset)
        if self.embed_norm is not None:
            embeddings = self.embed_norm(embeddings)
        return embeddings

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Encoder output (B, S, D) for ``input_ids``; padded positions are masked out of attention."""
        self._check_length(input_ids, "input_ids")
        return self.encoder(self.embed(input_ids), key_padding_mask(attention_mask))

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        decoder_input_ids: torch.LongTensor | None = None,
        decoder_attention_mask: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        output_attentions: bool | None = None,
        output_hidden_states: bool | None = None,
        return_dict: bool | None = None,
        encoder_outputs: torch.Tensor | tuple | None = None,
        **kwargs,
    ) -> Seq2SeqLMOutput | tuple:
        """Teacher-forced pass: logits (B, T, V) for every decoder position, and the mean cross-entropy
        over ``labels != -100`` when labels are given (decoder inputs are derived from labels if absent)."""
        if input_ids is None and encoder_outputs is None:
            raise ValueError("Transformer.forward needs input_ids (or encoder_outputs).")
        if output_attentions or output_hidden_states:
            raise ValueError("Transformer.forward returns no attention weights or hidden states (as calt-x's); "
                             "leave output_attentions and output_hidden_states unset")
        if decoder_input_ids is None:
            if labels is None:
                raise ValueError("Transformer.forward needs decoder_input_ids or labels.")
            decoder_input_ids = shift_tokens_right(labels, self.config.pad_token_id, self.config.decoder_start_token_id)
        if encoder_outputs is None:
            memory = self.encode(input_ids, attention_mask)
        else:
            memory = encoder_outputs[0] if isinstance(encoder_outputs, (tuple, list)) else encoder_outputs
            memory = getattr(memory, "last_hidden_state", memory)
        self._check_length(decoder_input_ids, "decoder_input_ids")
        self_mask = None if decoder_attention_mask is None else causal_padding_mask(decoder_attention_mask)
        hidden = self.decoder(
            self.embed(decoder_input_ids),
            self.decoder.project_memory(memory),
            memory_mask=key_padding_mask(attention_mask),
            self_mask=self_mask,
            is_causal=self_mask is None,
        )
        logits = self.lm_head(hidden)
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), labels.reshape(-1), ignore_index=-100)
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        if not return_dict:
            return (loss, logits, memory) if loss is not None else (logits, memory)
        return Seq2SeqLMOutput(loss=loss, logits=logits, encoder_last_hidden_state=memory)

    def start_decoding(self, memory: torch.Tensor, attention_mask: torch.Tensor | None, capacity: int) -> DecodingState:
        """Project the memory for every decoder layer once and allocate caches for ``capacity`` positions."""
        self._check_length(memory.new_empty(1, capacity), "the decoded sequence (max_length + 1)")
        batch = memory.size(0)
        caches = [
            KeyValueCache(batch, layer.self_attn.num_heads, capacity, self.config.d_model // layer.self_attn.num_heads, memory)
            for layer in self.decoder.layers
        ]
        # the decoding steps attend in the attention dtype (fp32 under CPU autocast): convert the memory once
        memory_kv = [(k.to(attention_dtype(k)), v.to(attention_dtype(v))) for k, v in self.decoder.project_memory(memory)]
        return DecodingState(memory_kv, key_padding_mask(attention_mask), caches, DirectDecoder.build(self, memory.device))

    def decode_step(self, state: DecodingState, tokens: torch.Tensor) -> torch.Tensor:
        """Feed the next token of every row, (B,) or (B, 1); return next-token logits (B, V)."""
        offset = state.length
        embedded = self.embed(tokens.view(-1, 1), offset)
        if state.direct is not None and state.direct.applies():
            hidden = state.direct(embedded, state.memory_kv, state.memory_mask, state.caches, offset)
        else:
            hidden = self.decoder(embedded, state.memory_kv, memory_mask=state.memory_mask, caches=state.caches,
                                  offset=offset)
        return self.lm_head(hidden[:, -1])

    @torch.no_grad()
    def generate(
        self,
        input_ids: torch.LongTensor,
        attention_mask: torch.Tensor | None = None,
        max_length: int = 100,
        num_beams: int = 1,
        temperature: float = 1.0,
        do_sample: bool = False,
        pad_token_id: int | None = None,
        eos_token_id: int | None = None,
        **kwargs,
    ) -> torch.LongTensor:
        """Decode up to ``max_length`` tokens after the start token (BOS), greedily, by sampling
        (``do_sample``, ``temperature``, ``top_k``) or by beam search (``num_beams > 1``, ``length_penalty``;
        ``num_return_sequences`` up to ``num_beams`` returns that many beams per row, best first, as B * n rows).

        Returns (B, L) ids that start with BOS; a row that has emitted EOS continues with PAD, and decoding
        stops once every row has finished. ``max_new_tokens`` overrides ``max_length``; ``use_cache`` and
        ``synced_gpus`` are accepted and ignored; other keywords raise TypeError.
        """
        return generate_sequences(
            self,
            input_ids,
            attention_mask=attention_mask,
            max_length=max_length,
            num_beams=num_beams,
            temperature=temperature,
            do_sample=do_sample,
            pad_token_id=pad_token_id,
            eos_token_id=eos_token_id,
            **kwargs,
        )
