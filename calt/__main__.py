"""``python -m calt``: the same as the ``calt`` command."""

import sys

from calt.cli import main

sys.exit(main())
