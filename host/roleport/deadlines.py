"""Request deadlines: one heap and one watchdog thread for every request of the host.

Rule (PROTOCOL.md, "Deadlines and concurrency"): a request still running at its deadline is
answered with a timeout, whatever its handler is doing. The watch only says which deadline
has passed; the host decides whether that request still needs its reply.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable


class DeadlineWatch:
    """Calls ``on_overdue(key)`` from its own thread once each added deadline has passed.

    The call is made outside the watch's lock, so it may take as long as writing a reply
    takes. Deadlines still ahead when ``stop()`` is called are never reported.
    """

    def __init__(self, on_overdue: Callable[[int], None], *,
                 thread_name: str = "roleport-deadlines") -> None:
        self._on_overdue = on_overdue
        self._heap: list[tuple[float, int]] = []
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._watch, name=thread_name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, deadline: float, key: int) -> None:
        """Report ``key`` once time.monotonic() reaches ``deadline``."""
        with self._changed:
            heapq.heappush(self._heap, (deadline, key))
            self._changed.notify_all()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()

    def _watch(self) -> None:
        while True:
            with self._changed:
                while not self._stopping and (not self._heap
                                              or self._heap[0][0] > time.monotonic()):
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._changed.wait(wait)
                if self._stopping:
                    return
                _, key = heapq.heappop(self._heap)
            self._on_overdue(key)
