"""calt's decoder-only (causal LM) model: one causal stack over problem + answer (``model_type: decoder_only``)."""

from .config_mapping import DecoderOnlyModelBlock, create_decoder_only_config
from .configuration import DecoderOnlyConfig
from .modeling import DecoderOnlyTransformer

__all__ = ["DecoderOnlyConfig", "DecoderOnlyModelBlock", "DecoderOnlyTransformer", "create_decoder_only_config"]
