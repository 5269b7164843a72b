"""When a failed delivery is attempted again: exponential backoff with jitter.

After the k-th failed attempt the next waits base x 2^(k-1), at most base x 2^9, stretched by
a random 0-25 % (so retries of many deliveries do not arrive together). With the defaults
(30 s base, 14 attempts) the retries come after 30 s, 1, 2, 4, 8, 16, 32, 64 min, 2 h 8 min,
then every 4 h 16 min: the last about 21 h after the first attempt (up to 27 h with jitter).
"""
from __future__ import annotations

import random

CAP_DOUBLINGS = 9
JITTER = 0.25


def nominal_delay(base_seconds: float, failed_attempts: int) -> float:
    """Seconds before the next attempt after `failed_attempts` (>= 1), without jitter."""
    return float(base_seconds * 2 ** min(failed_attempts - 1, CAP_DOUBLINGS))


def retry_delay(base_seconds: float, failed_attempts: int) -> float:
    """`nominal_delay` stretched by up to JITTER."""
    return nominal_delay(base_seconds, failed_attempts) * (1 + random.uniform(0, JITTER))
