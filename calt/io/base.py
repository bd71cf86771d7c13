"""Compatibility path of the original package: ``calt.io.base.StandardDataset`` / ``StandardDataCollator``."""

from .collator import StandardDataCollator
from .dataset import StandardDataset

__all__ = ["StandardDataCollator", "StandardDataset"]
