"""Config-key checking shared by the IO configs: unknown keys fail with the closest valid one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping


def check_keys(config: Mapping, allowed: Iterable[str], where: str) -> None:
    """Raise ValueError naming ``where`` and the closest valid key for any key not in ``allowed``."""
    allowed = tuple(allowed)
    for key in config:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(allowed)}"
        raise ValueError(f"{where}: unknown key {key!r}; {hint}")
