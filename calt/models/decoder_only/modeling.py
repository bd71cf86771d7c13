"""`DecoderOnlyTransformer`: one causal stack over problem + answer, as a HuggingFace ``PreTrainedModel``.

Each row is packed as ``problem, answer`` with the problem's padding removed, so the answer starts right after
the problem's last token, as in calt-x 1.5.0. The loss is on the answer tokens only. ``generate`` runs the
problem once through the stack (filling the key/value cache), then decodes the answer one token a step from
the BOS that opens it (greedy, sampling or beam search, :mod:`calt.models.generic.generation`), and returns
only the answer, ``[BOS, ...]``, as the seq2seq models do.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers.modeling_outputs import CausalLMOutput

from ..blocks import CausalLayer, init_weights, token_embedding
from ..calt_x_checkpoints import CaltXLoadable
from ..generic.generation import generate_sequences
from ..generic.layers import KeyValueCache
from ..positional_embeddings import build_positions
from .configuration import DecoderOnlyConfig


@dataclass
class CausalDecodingState:
    """The key/value caches of every layer, which cached keys may be attended (the problem's padding may not),
    and the position of each row's next token."""

    caches: list[KeyValueCache]
    key_mask: torch.Tensor  # (B, capacity) bool
    next_position: torch.Tensor  # (B,) long

    @property
    def length(self) -> int:
        return self.caches[0].length

    def reorder(self, rows: torch.Tensor) -> None:
        """Beam search: row i continues the hypothesis that was in row ``rows[i]``."""
        for cache in self.caches:
            cache.reorder(rows)
        self.key_mask, self.next_position = self.key_mask[rows], self.next_position[rows]

    def keep_rows(self, rows: torch.Tensor) -> None:
        """Keep only ``rows`` (the others have finished)."""
        for cache in self.caches:
            cache.keep_rows(rows)
        self.key_mask, self.next_position = self.key_mask[rows], self.next_position[rows]


def row_lengths(mask: torch.Tensor | None, ids: torch.Tensor) -> torch.Tensor:
    """Real (unpadded) length of every row, (B,); the full width without a mask."""
    if mask is None:
        return torch.full((ids.size(0),), ids.size(1), dtype=torch.long, device=ids.device)
    return mask.bool().sum(dim=1)


def pack(problem: torch.Tensor, problem_length: torch.Tensor, answer: torch.Tensor, pad: int) -> torch.Tensor:
    """Per row: the problem's real tokens, then the answer, then padding; (B, S + T)."""
    batch, width = problem.shape
    total = width + answer.size(1)
    positions = torch.arange(total, device=problem.device).expand(batch, total)
    start = problem_length.unsqueeze(1)
    from_problem = problem.gather(1, positions.clamp(max=width - 1))
    from_answer = answer.gather(1, (positions - start).clamp(0, answer.size(1) - 1))
    packed = torch.where(positions < start, from_problem, from_answer)
    return packed.masked_fill(positions >= start + answer.size(1), pad)


class DecoderOnlyTransformer(CaltXLoadable, PreTrainedModel):
    """Causal Transformer over ``[problem, answer]``; see :class:`DecoderOnlyConfig` for its options."""

    config_class = DecoderOnlyConfig
    main_input_name = "input_ids"
    _supports_sdpa = True

    def __init__(self, config: DecoderOnlyConfig):
        super().__init__(config)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)  # the same seed builds the same weights, without touching global RNG
            self.embed_tokens = token_embedding(config)
            self.embed_positions, rotary = build_positions(
                config.use_positional_embedding, config.d_model, config.max_positions, config.attention_heads,
                config.rope_theta)
            self.rotary = rotary
            self.embed_norm = (nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
                               if config.embedding_layer_norm else None)
            self.layers = nn.ModuleList(CausalLayer(config, rotary) for _ in range(config.num_layers))
            self.final_norm = nn.LayerNorm(config.d_model, eps=config.layer_norm_eps)
            self.lm_head = nn.Linear(config.d_model, config.vocab_size, bias=False)
            self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        init_weights(module, self.config.init_std)

    def get_input_embeddings(self) -> nn.Module:
        return self.embed_tokens

    def set_input_embeddings(self, value: nn.Module) -> None:
        self.embed_tokens = value

    def get_output_embeddings(self) -> nn.Linear:
        return self.lm_head

    @classmethod
    def calt_x_state(cls, state, config, expected, source):
        from .calt_x import convert_decoder_state

        return convert_decoder_state(state, config, expected, source)

    def embed(self, ids: torch.Tensor, position_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Token embeddings, additive (or embedding-rotating) positions, then the embedding LayerNorm."""
        embeddings = self.embed_tokens(ids)
        if self.embed_positions is not None:
            embeddings = self.embed_positions(embeddings, position_ids=position_ids)
        if self.embed_norm is not None:
            embeddings = self.embed_norm(embeddings)
        return embeddings

    def _check_positions(self, needed: int, what: str) -> None:
        if needed > self.config.max_positions:
            raise ValueError(
                f"{what} needs {needed} positions, but this decoder-only model has {self.config.max_positions} "
                f"(2 x max_sequence_length={self.config.max_input_len}, problem and answer together). Shorten "
                "the samples or rebuild the model with a larger model.max_sequence_length.")

    def _stack(self, hidden: torch.Tensor, **attention) -> torch.Tensor:
        for layer in self.layers:
            hidden = layer(hidden, **attention)
        return self.final_norm(hidden)

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        decoder_input_ids: torch.LongTensor | None = None,
        decoder_attention_mask: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> CausalLMOutput | tuple:
        """Teacher-forced pass over ``[problem, answer]``: logits (B, T, V) aligned with ``labels`` and the mean
        cross-entropy over the answer tokens (``labels != -100``); the problem carries no loss."""
        if input_ids is None or decoder_input_ids is None:
            raise ValueError("DecoderOnlyTransformer.forward needs input_ids (the problem) and decoder_input_ids "
                             "(the answer, opening with BOS) to build its one causal sequence.")
        problem_length = row_lengths(attention_mask, input_ids)
        packed = pack(input_ids, problem_length, decoder_input_ids, self.config.pad_token_id)
        self._check_positions(packed.size(1), "problem + answer")
        hidden = self._stack(self.embed(packed), is_causal=True)
        # answer token i sits at problem_length + i; its output predicts labels[:, i]
        index = problem_length.unsqueeze(1) + torch.arange(decoder_input_ids.size(1), device=packed.device)
        answer_hidden = hidden.gather(1, index.unsqueeze(-1).expand(-1, -1, hidden.size(-1)))
        logits = self.lm_head(answer_hidden)
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), labels.reshape(-1), ignore_index=-100)
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        if not return_dict:
            return (loss, logits) if loss is not None else (logits,)
        return CausalLMOutput(loss=loss, logits=logits)

    # --- incremental decoding (the interface of calt.models.generic.generation) ----------------------------
    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """The problem's embedded tokens (B, S, D), at positions 0…S-1: what ``start_decoding`` runs the stack on."""
        self._check_positions(input_ids.size(1), "the problem")
        return self.embed(input_ids)

    def start_decoding(self, embedded: torch.Tensor, attention_mask: torch.Tensor | None,
                       capacity: int) -> CausalDecodingState:
        """Run the stack over the problem once, caching its keys/values, with room for ``capacity`` more tokens."""
        batch, width = embedded.shape[:2]
        device = embedded.device
        problem_length = (torch.full((batch,), width, dtype=torch.long, device=device) if attention_mask is None
                          else attention_mask.bool().sum(dim=1))
        self._check_positions(int(problem_length.max()) + capacity, "the problem plus the decoded answer")
        head_dim = self.config.d_model // self.config.attention_heads
        caches = [KeyValueCache(batch, self.config.attention_heads, width + capacity, head_dim, embedded)
                  for _ in self.layers]
        key_mask = torch.ones(batch, width + capacity, dtype=torch.bool, device=device)
        if attention_mask is not None:
            key_mask[:, :width] = attention_mask.bool()
        hidden = embedded
        for layer, cache in zip(self.layers, caches):  # the problem's padding follows its tokens: causal is enough
            hidden = layer(hidden, is_causal=True, cache=cache)
        return CausalDecodingState(caches, key_mask, problem_length)

    def decode_step(self, state: CausalDecodingState, tokens: torch.Tensor) -> torch.Tensor:
        """Feed the next token of every row, (B,) or (B, 1), at that row's position; next-token logits (B, V)."""
        positions = state.next_position.unsqueeze(1)
        hidden = self.embed(tokens.view(-1, 1), positions)
        mask = state.key_mask[:, None, None, : state.length + 1]
        for layer, cache in zip(self.layers, state.caches):
            hidden = layer(hidden, attn_mask=mask, position_ids=positions, cache=cache)
        state.next_position = state.next_position + 1
        return self.lm_head(self.final_norm(hidden)[:, -1])

    @torch.no_grad()
    def generate(self, input_ids: torch.LongTensor, attention_mask: torch.Tensor | None = None,
                 max_length: int = 100, num_beams: int = 1, temperature: float = 1.0, do_sample: bool = False,
                 pad_token_id: int | None = None, eos_token_id: int | None = None, **kwargs) -> torch.LongTensor:
        """The answer to each problem, ``[BOS, tokens…]`` (B, 1 + steps), decoded with the key/value cache:
        greedy, sampled (``do_sample``) or beam search (``num_beams > 1``); the options of
        :meth:`calt.models.Transformer.generate`."""
        return generate_sequences(self, input_ids, attention_mask=attention_mask, max_length=max_length,
                                  num_beams=num_beams, temperature=temperature, do_sample=do_sample,
                                  pad_token_id=pad_token_id, eos_token_id=eos_token_id, **kwargs)
