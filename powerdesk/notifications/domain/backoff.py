"""Retry timing: exponential backoff with full jitter.

``delay = uniform(0, min(cap, base * 2 ** (attempt - 1)))`` — the "Full Jitter" of AWS
Architecture Blog, "Exponential Backoff And Jitter" (Marc Brooker, 2015): it spreads the
retries of many failed messages so that they do not hit a recovering provider together.
"""

from __future__ import annotations

import random
from datetime import timedelta


def backoff_delay(
    attempt: int, *, base_seconds: float, cap_seconds: float, rng: random.Random
) -> timedelta:
    """The wait before the retry that follows failed attempt number ``attempt`` (1-based)."""
    if attempt < 1:
        raise ValueError("attempt numbers start at 1")
    ceiling = min(cap_seconds, base_seconds * 2 ** (attempt - 1))
    return timedelta(seconds=rng.uniform(0, ceiling))
