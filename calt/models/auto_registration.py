"""Teach ``transformers.AutoConfig`` / ``AutoModelForSeq2SeqLM`` the generic Transformer, without importing them.

``import calt`` must stay fast, so it cannot import transformers just to register a model. Instead
:func:`register_with_transformers_auto` registers right away when transformers' auto modules are already
loaded, and otherwise installs a post-import hook that registers the moment they are imported. The
generic model's own modules also register on import, so every import order ends registered.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from types import ModuleType

CONFIG_AUTO_MODULE = "transformers.models.auto.configuration_auto"
MODEL_AUTO_MODULE = "transformers.models.auto.modeling_auto"
CONFIG_MODULE = "calt.models.generic.configuration"
MODEL_MODULE = "calt.models.generic.modeling"


def register_config_if_loaded() -> None:
    """Register TransformerConfig with AutoConfig when both modules are fully imported."""
    auto_config = getattr(sys.modules.get(CONFIG_AUTO_MODULE), "AutoConfig", None)
    config_class = getattr(sys.modules.get(CONFIG_MODULE), "TransformerConfig", None)
    if auto_config is not None and config_class is not None:
        auto_config.register(config_class.model_type, config_class, exist_ok=True)


def register_model_if_loaded() -> None:
    """Register Transformer with AutoModelForSeq2SeqLM when both modules are fully imported."""
    register_config_if_loaded()
    auto_model = getattr(sys.modules.get(MODEL_AUTO_MODULE), "AutoModelForSeq2SeqLM", None)
    model_class = getattr(sys.modules.get(MODEL_MODULE), "Transformer", None)
    if auto_model is not None and model_class is not None:
        auto_model.register(model_class.config_class, model_class, exist_ok=True)


def _after_config_auto(_: ModuleType) -> None:
    importlib.import_module(CONFIG_MODULE)
    register_config_if_loaded()


def _after_model_auto(_: ModuleType) -> None:
    if MODEL_MODULE not in sys.modules:  # (when it is mid-import, its last line registers instead)
        importlib.import_module(MODEL_MODULE)
    register_model_if_loaded()


class _PostImportHooks:
    """A ``sys.meta_path`` finder that runs a callback right after a named module has executed (once per module).

    It does not subclass ``importlib.abc.MetaPathFinder`` only because importing that module costs ~20 ms."""

    def __init__(self, callbacks: dict):  # module name -> callback(module)
        self.callbacks = callbacks

    def find_spec(self, fullname, path, target=None):
        callback = self.callbacks.pop(fullname, None)
        if callback is None:
            return None
        spec = next((s for s in self._other_specs(fullname, path, target) if s is not None), None)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        original_exec = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original_exec(module)
            try:
                callback(module)
            except Exception as error:  # never break the user's transformers import
                warnings.warn(f"calt could not register its models with transformers' Auto classes: {error}")

        spec.loader.exec_module = exec_module
        return spec

    def _other_specs(self, fullname, path, target):
        for finder in list(sys.meta_path):
            if finder is not self and hasattr(finder, "find_spec"):
                yield finder.find_spec(fullname, path, target)


def register_with_transformers_auto() -> None:
    """Register now for the auto modules already imported; hook the others. Cheap, idempotent."""
    pending = {}
    for name, callback in ((CONFIG_AUTO_MODULE, _after_config_auto), (MODEL_AUTO_MODULE, _after_model_auto)):
        if name in sys.modules:
            callback(sys.modules[name])
        elif not any(isinstance(f, _PostImportHooks) and name in f.callbacks for f in sys.meta_path):
            pending[name] = callback
    if pending:
        sys.meta_path.insert(0, _PostImportHooks(pending))
