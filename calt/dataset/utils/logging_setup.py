"""``setup_logging``: INFO messages of dataset generation on the console, message text only (as calt-x)."""

from __future__ import annotations

import logging

MESSAGE_ONLY = "%(message)s"


def setup_logging() -> None:
    """Root logger at INFO; a console handler printing bare messages is added, or existing console
    handlers are switched to bare messages. A script calls it once; library code never does."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    stream_handlers = [h for h in root.handlers if isinstance(h, logging.StreamHandler)]
    if not root.handlers:
        handler = logging.StreamHandler()
        root.addHandler(handler)
        stream_handlers = [handler]
    for handler in stream_handlers:
        handler.setFormatter(logging.Formatter(MESSAGE_ONLY))
