"""`MonomialTransformer`: an encoder–decoder that reads and writes one monomial per position.

Polynomials in C/E expanded form spend ``k + n + 1`` tokens on a monomial (coefficient fields, one exponent per
variable, the separator after it). This model (Kera et al., arXiv 2505.23696; calt-x 1.5.0's ``monomial``)
embeds each monomial as one position (:class:`MonomialEmbedding`) and predicts the parts of the next monomial
with one head each (:class:`MonomialDecodeHead`), so sequences are ``k + n + 1`` times shorter.

It takes the batches of the seq2seq collator unchanged (``input_ids``, ``attention_mask``, ``labels``): the
flat ids after BOS are folded into a ``(batch, monomials, width)`` grid. ``logits`` are flat ``(B, T, V)``
scores aligned with ``labels`` (each position holds its head's scores on that head's tokens), so token
accuracy and exact match work as for the generic model; ``generate`` decodes a monomial a step with a
key/value cache and returns flat ids ``[BOS, C.., E.., sep, …, EOS]``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers.modeling_outputs import Seq2SeqLMOutput
from transformers.utils import logging

from ..blocks import init_weights
from ..calt_x_checkpoints import CaltXLoadable
from ..generic.generation import eval_mode
from ..generic.layers import Decoder, Encoder, KeyValueCache
from ..input_embeddings import get_input_embedding
from ..positional_embeddings import build_positions
from .configuration import MonomialTransformerConfig
from .token_groups import class_table, id_table

logger = logging.get_logger(__name__)
GENERATE_OPTIONS = ("input_ids", "attention_mask", "max_length", "max_new_tokens", "num_beams", "do_sample",
                    "num_return_sequences", "pad_token_id", "eos_token_id", "use_cache")


class MonomialDecodeHead(nn.Module):
    """Parallel classifiers on each decoder state: one per coefficient field, one per variable, one for what
    follows the monomial (the separators, then EOS)."""

    def __init__(self, coeff_sizes: list[int], exp_sizes: list[int], num_follow_classes: int, d_model: int):
        super().__init__()
        self.coeff_heads = nn.ModuleList(nn.Linear(d_model, size) for size in coeff_sizes)
        self.exp_heads = nn.ModuleList(nn.Linear(d_model, size) for size in exp_sizes)
        self.follow_head = nn.Linear(d_model, num_follow_classes)

    def forward(self, hidden: torch.Tensor) -> dict[str, list[torch.Tensor]]:
        """``{"coeffs": [...], "exps": [...], "follow": [...]}``: (B, T, classes) logits per slot."""
        return {"coeffs": [head(hidden) for head in self.coeff_heads],
                "exps": [head(hidden) for head in self.exp_heads],
                "follow": [self.follow_head(hidden)]}


class MonomialTransformer(CaltXLoadable, PreTrainedModel):
    """Encoder–decoder over monomial positions; see :class:`MonomialTransformerConfig` for its options."""

    config_class = MonomialTransformerConfig
    main_input_name = "input_ids"
    _supports_sdpa = True

    def __init__(self, config: MonomialTransformerConfig):
        super().__init__(config)
        d = config.d_model
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)  # the same seed builds the same weights, without touching global RNG
            self.src_emb = self._grid_embedding(config.coeff_noise_std)
            self.tgt_emb = self._grid_embedding(0.0)
            self.bos_emb = nn.Parameter(torch.zeros(1, 1, d))  # the decoder's start: BOS has no monomial parts
            self.positional_embedding, encoder_rotary = build_positions(
                config.use_positional_embedding, d, config.max_positions, config.attention_heads, config.rope_theta)
            decoder_rotary = build_positions(config.use_positional_embedding, d, config.max_positions,
                                             config.decoder_attention_heads, config.rope_theta)[1]
            self.emb_norm = nn.LayerNorm(d, eps=config.layer_norm_eps) if config.embedding_layer_norm else None
            self.encoder = Encoder(config, encoder_rotary)
            self.decoder = Decoder(config, decoder_rotary)
            self.head = MonomialDecodeHead([len(g) for g in config.coeff_token_ids],
                                           [len(g) for g in config.exp_token_ids], len(config.follow_token_ids), d)
            self.post_init()
        self._tables: dict[torch.device, tuple[torch.Tensor, torch.Tensor]] = {}

    def _slot_tables(self, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """(slot, class) → token id and (slot, token id) → class (-1 outside the slot), memoised per device.
        Computed from the config rather than stored, so checkpoints hold only trained weights."""
        if device not in self._tables:
            slots = self.slot_groups()
            self._tables[device] = (id_table(slots, self.config.pad_token_id).to(device),
                                    class_table(slots, self.config.vocab_size).to(device))
        return self._tables[device]

    def slot_classes_of(self, grid: torch.Tensor) -> torch.Tensor:
        """The class of every token of a (B, L, width) grid within its slot's group; -1 where it is not in it."""
        classes = self._slot_tables(grid.device)[1]
        return classes.gather(1, grid.flatten(0, 1).T).T.view_as(grid)

    def _grid_embedding(self, noise_std: float) -> nn.Module:
        config = self.config
        module = get_input_embedding(config.input_embedding_type, config.vocab_size, config.d_model,
                                     num_coeff_fields=config.num_coeff_fields, num_variables=config.num_variables,
                                     coeff_scale=config.coeff_scale, coeff_noise_std=noise_std)
        probe = module(torch.zeros(1, 1, config.monomial_width, dtype=torch.long))
        if probe.shape != (1, 1, config.d_model):
            raise ValueError(
                f"input_embedding_type {config.input_embedding_type!r} maps a (1, 1, {config.monomial_width}) "
                f"monomial grid to shape {tuple(probe.shape)}, not (1, 1, d_model={config.d_model}); the monomial "
                "model needs an embedding of whole monomials (see calt.models.monomial.MonomialEmbedding).")
        return module

    def slot_groups(self) -> list[list[int]]:
        """Token ids allowed in each slot of a monomial, in slot order."""
        config = self.config
        return [*config.coeff_token_ids, *config.exp_token_ids, config.follow_token_ids]

    def slot_names(self) -> list[str]:
        """What each slot holds, for messages."""
        config = self.config
        coefficients = ["coefficient"] if config.num_coeff_fields == 1 else [
            f"coefficient field {j + 1}" for j in range(config.num_coeff_fields)]
        return [*coefficients, *(f"exponent {v + 1}" for v in range(config.num_variables)), "separator or EOS"]

    def expanded_form_layout(self) -> dict:
        """The layout every sample must have (checked per line by ``calt.io.check_expanded_form``)."""
        groups = self.slot_groups()
        return {"slots": groups[:-1], "separators": list(self.config.separator_token_ids),
                "end": self.config.eos_token_id, "slot_names": self.slot_names()[:-1]}

    def _init_weights(self, module: nn.Module) -> None:
        init_weights(module, self.config.init_std)
        if isinstance(module, MonomialTransformer):
            nn.init.normal_(module.bos_emb, std=self.config.init_std)

    def get_input_embeddings(self) -> nn.Module:
        return self.src_emb

    @classmethod
    def calt_x_state(cls, state, config, expected, source):
        from .calt_x import convert_monomial_state

        return convert_monomial_state(state, config, expected, source)

    # --- flat ids <-> monomial grid ------------------------------------------------------------------
    def fold(self, flat: torch.Tensor, what: str, complete_rows_only: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """Flat ids (BOS removed) → (B, L, width) grid padded with PAD, and the (B, L) mask of real monomials.

        Each real monomial must hold its slots' tokens; ``complete_rows_only`` skips rows whose separator slot
        is PAD (the last monomial of a decoder input, whose EOS was cut off)."""
        pad, width = self.config.pad_token_id, self.config.monomial_width
        batch, length = flat.shape
        rows = max(1, -(-length // width))
        if rows * width > length:
            flat = torch.cat([flat, flat.new_full((batch, rows * width - length), pad)], dim=1)
        grid = flat.reshape(batch, rows, width)
        real = grid[..., 0] != pad
        checked = real & (grid[..., -1] != pad) if complete_rows_only else real
        self._check_grid(grid, checked, what)
        return grid, real

    def _check_grid(self, grid: torch.Tensor, rows: torch.Tensor, what: str) -> None:
        classes = self.slot_classes_of(grid)
        bad = (classes < 0) & rows.unsqueeze(-1)
        if bool(bad.any()):
            sample, monomial, slot = (int(i) for i in bad.nonzero()[0])
            raise ValueError(
                f"{what} is not in C/E expanded form for the monomial model: sample {sample} of the batch, monomial "
                f"{monomial + 1}, holds token id {int(grid[sample, monomial, slot])} where its "
                f"{self.slot_names()[slot]} belongs (monomials here are {self.config.monomial_width} tokens: "
                f"{', '.join(self.slot_names())}). Write the data as 'C<c> E<e1> .. E<en>' terms joined by the "
                "separators and set model.num_variables (or model.variables) to the data's variable count.")

    # --- encoder / decoder ----------------------------------------------------------------------------
    def _place(self, embeddings: torch.Tensor, offset: int = 0) -> torch.Tensor:
        """Positions ``offset…`` (additive or embedding-rotating), then the embedding LayerNorm."""
        length = offset + embeddings.size(1)
        if length > self.config.max_positions:
            raise ValueError(
                f"{length} monomial positions, but this model has {self.config.max_positions} (2 x "
                f"max_sequence_length={self.config.max_input_len}); rebuild it with a larger model.max_sequence_length.")
        if self.positional_embedding is not None:
            batch = embeddings.size(0)
            ids = torch.arange(offset, length, device=embeddings.device).expand(batch, length - offset)
            embeddings = self.positional_embedding(embeddings, position_ids=ids)
        return self.emb_norm(embeddings) if self.emb_norm is not None else embeddings

    def encode_grid(self, grid: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """Encoder output (B, L, D) of a monomial grid; padding rows are masked out of attention."""
        return self.encoder(self._place(self.src_emb(grid)), rows[:, None, None, :])

    def decode_grid(self, memory: torch.Tensor, source_rows: torch.Tensor, fed: torch.Tensor | None) -> torch.Tensor:
        """Decoder states (B, 1 + T, D) for BOS followed by the ``fed`` monomials; state t predicts monomial t."""
        start = self.bos_emb.expand(memory.size(0), 1, -1)
        x = start if fed is None or fed.size(1) == 0 else torch.cat([start, self.tgt_emb(fed)], dim=1)
        return self.decoder(self._place(x), self.decoder.project_memory(memory), memory_mask=source_rows[:, None, None, :],
                            is_causal=True)

    # --- heads: loss, flat scores, predictions ---------------------------------------------------------
    @staticmethod
    def _slot_logits(heads: dict) -> list[torch.Tensor]:
        return [*heads["coeffs"], *heads["exps"], *heads["follow"]]

    def factored_loss(self, heads: dict, grid: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """Sum over slots of the cross-entropy (coefficients weighted by ``coeff_loss_weight``), averaged over
        real monomials."""
        batch, length = rows.shape
        classes = self.slot_classes_of(grid)
        step_loss = torch.zeros(batch, length, device=grid.device)
        for slot, logits in enumerate(self._slot_logits(heads)):
            weight = self.config.coeff_loss_weight if slot < self.config.num_coeff_fields else 1.0
            loss = F.cross_entropy(logits.reshape(batch * length, -1).float(), classes[..., slot].reshape(-1),
                                   ignore_index=-1, reduction="none")
            step_loss = step_loss + weight * loss.view(batch, length)
        step_loss = step_loss * rows.to(step_loss.dtype)
        return step_loss.sum() / rows.sum().clamp(min=1)

    def flat_logits(self, heads: dict) -> torch.Tensor:
        """(B, T * width, V) scores: position (t, slot) holds its head's logits on that slot's tokens and the
        dtype's lowest value elsewhere, so ``argmax`` is the predicted token id."""
        slots = self._slot_logits(heads)
        batch, length = slots[0].shape[:2]
        token_ids = self._slot_tables(slots[0].device)[0]
        out = slots[0].new_full((batch, length, len(slots), self.config.vocab_size), torch.finfo(slots[0].dtype).min)
        for slot, logits in enumerate(slots):
            out[:, :, slot, token_ids[slot, : logits.size(-1)]] = logits
        return out.view(batch, length * len(slots), -1)

    def predicted_grid(self, heads: dict) -> torch.Tensor:
        """(B, T, width) token ids: each head's best class."""
        slots = self._slot_logits(heads)
        token_ids = self._slot_tables(slots[0].device)[0]
        picks = [token_ids[slot, logits.argmax(-1)] for slot, logits in enumerate(slots)]
        return torch.stack(picks, dim=-1)

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        decoder_input_ids: torch.LongTensor | None = None,
        decoder_attention_mask: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> Seq2SeqLMOutput | tuple:
        """Teacher-forced pass: flat scores (B, T, V) aligned with ``labels`` (or with ``decoder_input_ids``
        without BOS) and, with labels, the factored loss. ``attention_mask`` is implied by PAD and unused."""
        if input_ids is None:
            raise ValueError("MonomialTransformer.forward needs input_ids.")
        source, source_rows = self.fold(input_ids[:, 1:], "input_ids")
        memory = self.encode_grid(source, source_rows)
        if labels is not None:
            target, target_rows = self.fold(labels.masked_fill(labels == -100, self.config.pad_token_id), "labels")
            width = labels.size(1)
        elif decoder_input_ids is not None:
            target, target_rows = self.fold(decoder_input_ids[:, 1:], "decoder_input_ids", complete_rows_only=True)
            width = decoder_input_ids.size(1) - 1
        else:
            raise ValueError("MonomialTransformer.forward needs labels or decoder_input_ids.")
        hidden = self.decode_grid(memory, source_rows, target[:, :-1])
        heads = self.head(hidden)
        loss = self.factored_loss(heads, target, target_rows) if labels is not None else None
        logits = self.flat_logits(heads)[:, :width]
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        if not return_dict:
            return (loss, logits) if loss is not None else (logits,)
        return Seq2SeqLMOutput(loss=loss, logits=logits, encoder_last_hidden_state=memory)

    # --- generation ------------------------------------------------------------------------------------
    @torch.no_grad()
    def generate(self, input_ids: torch.LongTensor, attention_mask: torch.Tensor | None = None,
                 max_length: int = 512, pad_token_id: int | None = None, eos_token_id: int | None = None,
                 num_beams: int = 1, do_sample: bool = False, max_new_tokens: int | None = None, use_cache: bool = True,
                 num_return_sequences: int = 1, **kwargs) -> torch.LongTensor:
        """Greedy decoding a monomial a step: (B, 1 + steps * width) flat ids ``[BOS, C.., E.., sep, …]``, a
        finished row continued with PAD. The budget is in flat tokens: ``max_new_tokens``, else ``max_length``
        counting BOS (the original's meaning). ``use_cache=False`` re-decodes the whole prefix every step (the
        original's way; same answers, slower)."""
        if kwargs:
            raise TypeError(f"MonomialTransformer.generate got unsupported argument(s) {sorted(kwargs)}; "
                            f"supported: {', '.join(GENERATE_OPTIONS)}.")
        if num_beams != 1 or num_return_sequences != 1 or do_sample:
            raise ValueError("MonomialTransformer.generate decodes greedily at monomial level (as calt-x 1.5.0); "
                             "beam search and sampling are not available: set train.num_beams: 1.")
        config = self.config
        if eos_token_id is not None and eos_token_id != config.eos_token_id:
            raise ValueError(f"generate: eos_token_id={eos_token_id}, but this model's separator head ends a sequence "
                             f"with its own EOS ({config.eos_token_id}); leave eos_token_id unset.")
        pad = config.pad_token_id if pad_token_id is None else pad_token_id
        steps = self._monomial_budget(max_length - 1 if max_new_tokens is None else max_new_tokens)
        with eval_mode(self):
            source, source_rows = self.fold(input_ids[:, 1:], "input_ids")
            memory = self.encode_grid(source, source_rows)
            decode = self._decode_cached if use_cache else self._decode_naive
            rows = decode(memory, source_rows, steps, pad)
        start = torch.full((input_ids.size(0), 1), config.bos_token_id, dtype=torch.long, device=input_ids.device)
        return torch.cat([start, rows.flatten(1)], dim=1)

    def _monomial_budget(self, tokens: int) -> int:
        """Monomials that fit ``tokens`` flat tokens (at least one), capped by the position table."""
        if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 1:
            raise ValueError(f"generate: max_length / max_new_tokens must leave at least one token, got {tokens!r}.")
        steps = max(1, tokens // self.config.monomial_width)
        if steps > self.config.max_positions - 1:
            logger.warning_once(f"generate: {steps} monomials exceed the model's {self.config.max_positions - 1} "
                                "decoder positions; decoding that many. Raise model.max_sequence_length for longer outputs.")
            steps = self.config.max_positions - 1
        return steps

    def _next_row(self, hidden: torch.Tensor, finished: torch.Tensor, pad: int) -> tuple[torch.Tensor, torch.Tensor]:
        """The next monomial (B, 1, width) from the last decoder state, PAD for finished rows; updated ``finished``."""
        heads = self.head(hidden[:, -1:])
        row = self.predicted_grid(heads)
        row[finished] = pad
        ends = heads["follow"][0][:, 0].argmax(-1) == len(self.config.follow_token_ids) - 1
        return row, finished | ends

    def _decode_cached(self, memory, source_rows, steps: int, pad: int) -> torch.Tensor:
        batch = memory.size(0)
        memory_kv = self.decoder.project_memory(memory)
        mask = source_rows[:, None, None, :]
        caches = [KeyValueCache(batch, layer.self_attn.num_heads, steps, self.config.d_model // layer.self_attn.num_heads,
                                memory) for layer in self.decoder.layers]
        finished = torch.zeros(batch, dtype=torch.bool, device=memory.device)
        x, rows = self.bos_emb.expand(batch, 1, -1), []
        for step in range(steps):
            hidden = self.decoder(self._place(x, step), memory_kv, memory_mask=mask, caches=caches, offset=step)
            row, finished = self._next_row(hidden, finished, pad)
            rows.append(row)
            if bool(finished.all()):
                break
            x = self.tgt_emb(row)
        return torch.cat(rows, dim=1)

    def _decode_naive(self, memory, source_rows, steps: int, pad: int) -> torch.Tensor:
        finished = torch.zeros(memory.size(0), dtype=torch.bool, device=memory.device)
        grid = None
        for _ in range(steps):
            row, finished = self._next_row(self.decode_grid(memory, source_rows, grid), finished, pad)
            grid = row if grid is None else torch.cat([grid, row], dim=1)
            if bool(finished.all()):
                break
        return grid
