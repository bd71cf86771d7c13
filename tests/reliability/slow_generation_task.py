"""The default task (polynomial derivative) slowed down by ``CALT_TEST_SAMPLE_DELAY`` seconds per sample, so a
test can kill ``calt generate`` while it writes. The delay changes no sample: same seed, same output."""

from __future__ import annotations

import os
import time

from calt.dataset.tasks.polynomial_derivative import instance_generator as derivative_instance
from calt.dataset.tasks.polynomial_derivative import statistics_calculator  # noqa: F401  (the task's, re-exported)


def instance_generator(seed: int):
    """The default task's sample for ``seed``, after the configured delay."""
    time.sleep(float(os.environ.get("CALT_TEST_SAMPLE_DELAY", "0")))
    return derivative_instance(seed)
