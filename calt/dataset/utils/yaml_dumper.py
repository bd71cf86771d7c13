"""``TimedeltaDumper``: a YAML safe dumper that writes ``datetime.timedelta`` values as float seconds."""

from __future__ import annotations

from datetime import timedelta

import yaml


class TimedeltaDumper(yaml.SafeDumper):
    """``yaml.dump(data, Dumper=TimedeltaDumper)`` accepts timedeltas (as seconds), like calt-x's statistics files."""


def timedelta_representer(dumper: yaml.SafeDumper, data: timedelta) -> yaml.ScalarNode:
    """A timedelta as its total seconds (a YAML float)."""
    return dumper.represent_float(data.total_seconds())


TimedeltaDumper.add_representer(timedelta, timedelta_representer)
