"""Input (token) embeddings chosen by name (``model.input_embedding_type``); see :mod:`.base`."""

from .base import INPUT_EMBEDDING_REGISTRY, TOKEN_EMBEDDINGS, get_input_embedding, input_embedding_names, register_input_embedding

__all__ = ["INPUT_EMBEDDING_REGISTRY", "TOKEN_EMBEDDINGS", "get_input_embedding", "input_embedding_names",
           "register_input_embedding"]
