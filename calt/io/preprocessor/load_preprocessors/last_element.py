"""The original's module path of ``LastElementLoadPreprocessor`` (defined in ``sequence``)."""

from .sequence import LastElementLoadPreprocessor

__all__ = ["LastElementLoadPreprocessor"]
