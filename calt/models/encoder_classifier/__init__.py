"""calt's encoder-only classifier for one-token answers (``model_type: encoder_classifier``)."""

from .config_mapping import EncoderClassifierModelBlock, create_encoder_classifier_config
from .configuration import EncoderClassifierConfig
from .modeling import AnswerShapeError, EncoderClassifier

__all__ = ["AnswerShapeError", "EncoderClassifier", "EncoderClassifierConfig", "EncoderClassifierModelBlock",
           "create_encoder_classifier_config"]
