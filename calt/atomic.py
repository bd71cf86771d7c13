"""Atomic file writes: a file calt writes is either complete (the new version) or the previous one.

Each write goes to a temporary file in the same folder, is flushed to disk, and replaces the target with
``os.replace`` (atomic on POSIX); an error on the way (a full disk) removes the temporary file and leaves
the target as it was. A leaf module (standard library only), used by every layer that writes.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to (by any writer: ``savefig``, ``torch.save``, ...);
    it replaces ``path`` when the block ends without an error, and is removed otherwise."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    temporary = Path(name)
    os.chmod(temporary, _default_file_mode())  # mkstemp makes 0600; a written file gets the usual mode
    try:
        yield temporary
        with open(temporary, "rb") as handle:  # the bytes reach the disk before the name does
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _default_file_mode() -> int:
    """The mode ``open(path, "w")`` would give a new file: 0666 less the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_json_atomic(path: str | Path, payload: Any) -> None:
    write_text_atomic(path, json.dumps(payload, ensure_ascii=False, indent=1))
