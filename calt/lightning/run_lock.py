"""One writer per ``save_dir``: a run holds an exclusive lock on ``save_dir/.calt.lock`` while it lives.

The lock is an ``fcntl.flock`` on an open file, so the kernel releases it when the process ends, however
it ends (kill -9 included): a lock left by a dead run is simply free, and its note (who held it) is
reported when a new run takes it over. Within one process, later runs on the same ``save_dir`` (a
resume in a notebook, the tests) share the lock the process already holds.
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import os
import socket
import sys
import time
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)
LOCK_NAME = ".calt.lock"
_held: dict[Path, IO[str]] = {}


class SaveDirInUseError(RuntimeError):
    """Another live process is writing into the same ``save_dir``."""


def hold_save_dir(save_dir: str | Path) -> Path:
    """Take the lock of ``save_dir`` for this process (idempotent); SaveDirInUseError names the holder."""
    path = Path(save_dir).resolve() / LOCK_NAME
    if path in _held:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or "a process that has not written its name yet"
        handle.close()
        raise SaveDirInUseError(
            f"{path.parent} is in use by another run ({owner}); wait for it to finish or set another train.save_dir"
        ) from None
    handle.seek(0)
    previous = handle.read().strip()
    if previous:
        log.warning("%s: taking over from a run that ended without releasing it (%s)", path.parent, previous)
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} on {socket.gethostname()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}, "
                 f"command: {' '.join(sys.argv)}")
    handle.flush()
    _held[path] = handle
    return path


def release_save_dir(save_dir: str | Path) -> None:
    """Give the lock back (a clean exit leaves an empty lock file: nothing to take over)."""
    path = Path(save_dir).resolve() / LOCK_NAME
    handle = _held.pop(path, None)
    if handle is None:
        return
    handle.seek(0)
    handle.truncate()
    handle.flush()
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


@atexit.register
def _release_all() -> None:
    for path in list(_held):
        release_save_dir(path.parent)
