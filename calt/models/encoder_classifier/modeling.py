"""`EncoderClassifier`: an encoder that mean-pools its output and classifies over the vocabulary.

For tasks whose answer is one token (parity, a small set of classes). It reads the seq2seq batch as is: the
class of a sample is the first answer token of ``labels`` (an answer of more tokens is an error naming the
row), and ``generate`` returns ``[BOS, class, EOS]`` so exact-match evaluation works unchanged. Evaluation
scores it as classification accuracy (:meth:`EncoderClassifier.align_for_metrics`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers.modeling_outputs import SequenceClassifierOutput

from ..blocks import CausalLayer, init_weights, token_embedding
from ..calt_x_checkpoints import CaltXLoadable
from ..generic.generation import eval_mode
from ..positional_embeddings import build_positions
from .configuration import EncoderClassifierConfig

IGNORE_INDEX = -100


class AnswerShapeError(ValueError):
    """A sample whose answer is not exactly one token (plus the closing EOS)."""


class EncoderClassifier(CaltXLoadable, PreTrainedModel):
    """Encoder-only Transformer with one classification head over the vocabulary."""

    config_class = EncoderClassifierConfig
    main_input_name = "input_ids"
    _supports_sdpa = True

    def __init__(self, config: EncoderClassifierConfig):
        super().__init__(config)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            self.embed_tokens = token_embedding(config)
            self.embed_positions, rotary = build_positions(
                config.use_positional_embedding, config.d_model, config.max_positions, config.attention_heads,
                config.rope_theta)
            self.rotary = rotary
            self.layers = nn.ModuleList(CausalLayer(config, rotary) for _ in range(config.num_encoder_layers))
            self.classifier = nn.Linear(config.d_model, config.vocab_size, bias=True)
            self.post_init()

    def _init_weights(self, module: nn.Module) -> None:
        init_weights(module, self.config.init_std)

    def get_input_embeddings(self) -> nn.Module:
        return self.embed_tokens

    def set_input_embeddings(self, value: nn.Module) -> None:
        self.embed_tokens = value

    @classmethod
    def calt_x_state(cls, state, config, expected, source):
        from .calt_x import convert_classifier_state

        return convert_classifier_state(state, config, expected, source)

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None) -> torch.Tensor:
        """Mean of the encoder output over the real (unpadded) positions, (B, D)."""
        if input_ids.size(1) > self.config.max_positions:
            raise ValueError(f"input_ids has {input_ids.size(1)} positions, but this classifier's position table has "
                             f"{self.config.max_positions}; shorten the samples or raise model.max_sequence_length.")
        hidden = self.embed_tokens(input_ids)
        if self.embed_positions is not None:
            hidden = self.embed_positions(hidden)
        mask = None if attention_mask is None else attention_mask.bool()[:, None, None, :]
        for layer in self.layers:
            hidden = layer(hidden, attn_mask=mask)
        if attention_mask is None:
            return hidden.mean(dim=1)
        weights = attention_mask.to(hidden.dtype).unsqueeze(-1)
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp_min(1.0)

    def target_classes(self, labels: torch.Tensor) -> torch.Tensor:
        """The class of every row: its first answer token (-100 for a row without one). AnswerShapeError naming
        the row when an answer has more than one token before its EOS."""
        valid = labels != IGNORE_INDEX
        first = valid.long().argmax(dim=1, keepdim=True)
        position = torch.arange(labels.size(1), device=labels.device)
        closing_eos = (position == first + 1) & (labels == self.config.eos_token_id)
        extra = valid & (position > first) & ~closing_eos  # only the EOS right after the class may follow it
        if bool(extra.any()):
            row = int(extra.any(dim=1).nonzero()[0])
            tokens = labels[row][valid[row]].tolist()
            raise AnswerShapeError(
                f"encoder_classifier: row {row} of the batch has the answer ids {tokens}, more than one token; a "
                "classifier needs one answer token per sample (use a seq2seq or decoder_only model otherwise).")
        target = labels.gather(1, first).squeeze(1)
        return torch.where(valid.any(dim=1), target, torch.full_like(target, IGNORE_INDEX))

    def check_answers(self, dataset, split: str) -> None:
        """AnswerShapeError naming the first sample of ``dataset`` (the ``split`` set) whose answer is not one
        token; a dataset without token ids (text items) is checked batch by batch in ``forward`` instead."""
        lengths = getattr(dataset, "target_lengths", None)
        try:
            lengths = lengths() if callable(lengths) else None
        except RuntimeError:  # no ids yet
            lengths = None
        if lengths is None:
            return
        wrong = (lengths != 3).nonzero()[0]  # <s> class </s>
        if len(wrong):
            index = int(wrong[0])
            texts = getattr(dataset, "target_texts", None)
            answer = f" {texts[index]!r}" if texts is not None else ""
            raise AnswerShapeError(
                f"encoder_classifier: {split} sample {index} (0-based) has the answer{answer} of {int(lengths[index]) - 2} "
                f"tokens ({len(wrong)} such samples in the {split} set); a classifier needs exactly one answer token "
                "per sample. Fix the data, or use a seq2seq or decoder_only model.")

    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        return_dict: bool | None = None,
        **kwargs,
    ) -> SequenceClassifierOutput | tuple:
        """Class logits (B, vocab_size) and, with ``labels``, the cross-entropy against each row's first answer
        token. The decoder inputs of a seq2seq batch are not needed and may be passed."""
        if input_ids is None:
            raise ValueError("EncoderClassifier.forward needs input_ids.")
        logits = self.classifier(self.pooled(input_ids, attention_mask))
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.float(), self.target_classes(labels), ignore_index=IGNORE_INDEX)
        return_dict = return_dict if return_dict is not None else self.config.return_dict
        if not return_dict:
            return (loss, logits) if loss is not None else (logits,)
        return SequenceClassifierOutput(loss=loss, logits=logits)

    def align_for_metrics(self, logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(predicted class, target class), each (B, 1): token accuracy and success rate become the
        classification accuracy, as in calt-x 1.5.0."""
        return logits.argmax(dim=-1, keepdim=True), self.target_classes(labels).unsqueeze(1)

    @torch.no_grad()
    def generate(self, input_ids: torch.LongTensor, attention_mask: torch.Tensor | None = None,
                 pad_token_id: int | None = None, eos_token_id: int | None = None, bos_token_id: int | None = None,
                 *, num_beams: int = 1, num_return_sequences: int = 1, do_sample: bool = False,
                 temperature: float = 1.0, generator: torch.Generator | None = None, **kwargs) -> torch.LongTensor:
        """``[BOS, class, EOS]`` per row, (B * num_return_sequences, 3): the most likely class, or one drawn from
        softmax(logits / temperature) with ``do_sample``. A one-token answer's beams are the ``num_beams`` most
        likely classes, so ``num_return_sequences`` returns that many per row, best first (HF's layout);
        ``max_length`` / ``max_new_tokens`` cannot change a one-token answer, nor can ``pad_token_id`` (no padding)."""
        unknown = sorted(set(kwargs) - {"max_length", "max_new_tokens", "use_cache"})
        if unknown:
            raise TypeError(f"EncoderClassifier.generate got unsupported argument(s) {unknown}.")
        if not 1 <= num_return_sequences <= num_beams:
            raise ValueError(f"generate: num_return_sequences must be from 1 to num_beams={num_beams}, "
                             f"got {num_return_sequences!r}.")
        with eval_mode(self):
            logits = self.classifier(self.pooled(input_ids, attention_mask)).float()
        if do_sample:
            if not temperature > 0 or num_beams > 1:
                raise ValueError("generate: do_sample=True needs temperature > 0 and num_beams=1, got "
                                 f"temperature={temperature!r}, num_beams={num_beams}.")
            classes = torch.multinomial(F.softmax(logits / temperature, dim=-1), 1, generator=generator)
        else:
            classes = logits.topk(num_return_sequences, dim=-1).indices.reshape(-1, 1)
        bos = self.config.bos_token_id if bos_token_id is None else bos_token_id
        eos = self.config.eos_token_id if eos_token_id is None else eos_token_id
        return torch.cat([torch.full_like(classes, bos), classes, torch.full_like(classes, eos)], dim=1)
