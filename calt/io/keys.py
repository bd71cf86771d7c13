"""The config-key check of the IO configs is calt.config's one policy (kept importable here)."""

from calt.config import check_keys

__all__ = ["check_keys"]
