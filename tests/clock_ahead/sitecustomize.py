"""Loaded only by `make clock-ahead` (PYTHONPATH=tests/clock_ahead), in every Python process.

libfaketime 0.9.10 with FAKETIME_DONT_FAKE_MONOTONIC=1 turns the absolute monotonic deadline of
clock_nanosleep (how time.sleep waits since Python 3.11) into a negative one, so every sleep
fails with EINVAL; faking the monotonic clock instead hangs condition waits. A relative select()
wait is not touched by libfaketime, so sleeps go through it under the shifted calendar.
"""

import select
import time


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    select.select([], [], [], seconds)


time.sleep = _sleep
