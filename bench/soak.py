"""Soak: 10,000 mixed requests through one `roleport-host` process against the stand-in.

The mix is what a long-lived extension session sends, errors included: `hello`, `profiles`
(first page and arbitrary offsets), `login`, and requests that must fail cleanly (unknown
profile, bad region, bad MFA code, negative offset, unknown parameter, unknown action,
missing profile). Requests are pipelined (a window of replies outstanding) and every reply
is matched to its request by id: each id answered exactly once, with the expected outcome.

Reported: resident memory, threads and open file descriptors of the host after a warm-up
burst ("start") and after the soak ("end"). A host that leaks grows between the two; a
healthy one stays flat (the thread pools and the HTTP connection pool are bounded).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support.hostproc import (
    CHROME_CALLER,
    HostProcess,
    host_env,
    open_fd_count,
    rss_kib,
    thread_count,
)

DEFAULT_REQUESTS = 10_000
WARM_UP_REQUESTS = 200
WINDOW = 32  # replies outstanding at once, as a busy extension would have
OK = "ok"

# One cycle of the mix: (action, params, expected outcome: "ok" or an error code).
MIX: tuple[tuple[str, dict[str, Any] | None, str], ...] = (
    ("hello", None, OK),
    ("profiles", None, OK),
    ("login", {"profile": "admin"}, OK),
    ("hello", None, OK),
    ("profiles", {"offset": 1000}, OK),
    ("login", {"profile": "no-such-profile"}, "profile_not_found"),
    ("login", {"profile": "admin"}, OK),
    ("hello", None, OK),
    ("login", {"profile": "admin", "region": "Mars"}, "invalid_request"),
    ("profiles", None, OK),
    ("login", {"profile": "admin", "mfa_code": "12"}, "invalid_request"),
    ("login", {"profile": "admin"}, OK),
    ("profiles", {"offset": -1}, "invalid_request"),
    ("hello", {"verbose": True}, "invalid_request"),
    ("teleport", None, "unknown_action"),
    ("login", None, "invalid_request"),
    ("profiles", {"offset": 1}, OK),
    ("login", {"profile": "admin"}, OK),
    ("hello", None, OK),
    ("login", {"profile": "no-such-profile"}, "profile_not_found"),
)


@dataclass
class Snapshot:
    """The host's resources at one moment (Linux /proc; None elsewhere)."""

    rss_kib: int | None
    threads: int | None
    fds: int | None

    @classmethod
    def of(cls, pid: int) -> Snapshot:
        return cls(rss_kib(pid), thread_count(pid), open_fd_count(pid))


@dataclass
class SoakResult:
    requests: int
    seconds: float
    start: Snapshot
    end: Snapshot
    outcomes: Counter[str] = field(default_factory=Counter)

    def rows(self) -> list[tuple[str, float, str, float | None]]:
        """(figure, value, unit, target) rows for the benchmark table."""
        rows: list[tuple[str, float, str, float | None]] = [
            (f"soak: {self.requests:,} mixed requests, throughput",
             self.requests / self.seconds, "req/s", None),
        ]
        if self.start.rss_kib is not None and self.end.rss_kib is not None:
            rows.append((f"soak: RSS growth over {self.requests:,} mixed requests",
                         (self.end.rss_kib - self.start.rss_kib) / 1024, "MiB", 8))
        if self.start.threads is not None and self.end.threads is not None:
            rows.append(("soak: thread growth", self.end.threads - self.start.threads,
                         "threads", 0))
        if self.start.fds is not None and self.end.fds is not None:
            rows.append(("soak: open fd growth", self.end.fds - self.start.fds, "fds", 0))
        return rows

    def notes(self) -> list[str]:
        def mib(kib: int | None) -> str:
            return f"{kib / 1024:.1f} MiB" if kib is not None else "n/a"

        mix = ", ".join(f"{outcome} {count:,}" for outcome, count in sorted(
            self.outcomes.items()))
        return [
            f"Soak: {self.requests:,} requests in {self.seconds:.1f} s through one host "
            f"({WINDOW} outstanding), every reply matched by id; outcomes: {mix}.",
            f"Soak resources after a {WARM_UP_REQUESTS}-request warm-up -> after the soak: "
            f"RSS {mib(self.start.rss_kib)} -> {mib(self.end.rss_kib)}, threads "
            f"{self.start.threads} -> {self.end.threads}, open fds {self.start.fds} -> "
            f"{self.end.fds}.",
        ]


class _Exchange:
    """Pipelined requests on one host, each reply checked against its request by id."""

    def __init__(self, host: HostProcess) -> None:
        self.host = host
        self.expected: dict[str, tuple[str, str]] = {}  # id -> (action, outcome)
        self.outcomes: Counter[str] = Counter()
        self.sent = 0

    def send(self, action: str, params: Mapping[str, Any] | None, outcome: str) -> None:
        request_id = f"soak-{self.sent}"
        self.sent += 1
        self.expected[request_id] = (action, outcome)
        self.host.request(request_id, action, params)

    def receive(self) -> None:
        reply = self.host.reply(timeout=60)
        request_id = reply["id"]
        if request_id not in self.expected:
            raise SystemExit(f"soak: a reply with an unknown or repeated id: {request_id!r}")
        action, wanted = self.expected.pop(request_id)
        got = OK if reply["ok"] else reply["error"]["code"]
        if got != wanted:
            detail = "" if reply["ok"] else f": {reply['error']['message']}"
            raise SystemExit(f"soak: {action} {request_id} answered {got}, expected "
                             f"{wanted}{detail}")
        self.outcomes[got] += 1

    def run(self, count: int) -> None:
        for index in range(count):
            action, params, outcome = MIX[index % len(MIX)]
            if len(self.expected) >= WINDOW:
                self.receive()
            self.send(action, params, outcome)
        while self.expected:
            self.receive()


def run_soak(env: Mapping[str, str], log: Path, requests: int = DEFAULT_REQUESTS) -> SoakResult:
    """Soak one host started with ``env`` (a sealed env whose config has a profile
    ``admin`` the stand-in can sign in to)."""
    with HostProcess([CHROME_CALLER], host_env(env, log)) as host:
        exchange = _Exchange(host)
        exchange.run(WARM_UP_REQUESTS)  # fills the pools, caches and connections
        start = Snapshot.of(host.process.pid)
        exchange.outcomes.clear()
        started = time.perf_counter()
        exchange.run(requests)
        seconds = time.perf_counter() - started
        end = Snapshot.of(host.process.pid)
        code = host.wait(timeout=60)
        leftover = host.remaining_replies()
    if code != 0 or leftover:
        raise SystemExit(f"soak: host exited {code} with {len(leftover)} unexpected replies")
    return SoakResult(requests, seconds, start, end, exchange.outcomes)
