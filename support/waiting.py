"""Waiting on a condition, for the tests, the browser harness, the demo and the benchmarks.

Rule (the developers' guide): wait on conditions, never on sleeps. A wait polls its condition
until it holds or its deadline passes; the deadline only bounds a failure, it never decides a
success, so a busy machine makes a wait longer, never wrong.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

DEFAULT_TIMEOUT = 20.0

T = TypeVar("T")


class HarnessError(AssertionError):
    """A condition of the harness did not hold; the message says which and what was seen."""


def wait_for(
    condition: Callable[[], T | None],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = 0.1,
    message: str | Callable[[], str] = "condition",
) -> T:
    """Poll ``condition`` until it returns a truthy value and return that value.

    Exceptions raised by ``condition`` count as "not yet" (a page still loading, an element
    not yet attached, a file not yet written); the last one is chained to the timeout error to
    explain the failure.
    """
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - retried until the deadline
            last_error = error
        if time.monotonic() >= deadline:
            what = message() if callable(message) else message
            raise HarnessError(f"timed out after {timeout:.0f}s waiting for {what}") from last_error
        time.sleep(interval)
