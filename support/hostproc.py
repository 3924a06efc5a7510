"""Drive `roleport-host` as a real subprocess over pipes with real frames (bench and tests).

Every read is bounded by a timeout (a reader thread parses frames into a queue), every frame
the host writes is checked for well-formedness, and close() always reaps the process.
"""

from __future__ import annotations

import json
import os
import queue
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from support.waiting import wait_for

HOST_EXECUTABLE = str(Path(sys.executable).with_name("roleport-host"))
CHROME_CALLER = "chrome-extension://lcdhbonoaganhbjkpgecgonmncjbaiij/"
FIREFOX_CALLER = "roleport@example.org"
MAX_FRAME = 1024 * 1024


class MalformedFrame(AssertionError):
    pass


def frame(message: Mapping[str, Any] | bytes) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    return struct.pack("=I", len(body)) + body


class HostProcess:
    """One running host; ``request`` sends a frame, ``reply`` waits (bounded) for the next."""

    def __init__(self, args: list[str], env: Mapping[str, str],
                 command: list[str] | None = None) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [*(command or [HOST_EXECUTABLE]), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=dict(env))
        self.replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.raw_frames: list[bytes] = []
        self.problem: str | None = None
        self._stderr_chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        self._err_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._err_reader.start()

    def _read_stdout(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while True:
                header = stdout.read(4)
                if not header:
                    break
                if len(header) < 4:
                    self.problem = f"truncated length header {header!r}"
                    break
                (length,) = struct.unpack("=I", header)
                if length > MAX_FRAME:
                    self.problem = f"frame of {length} bytes exceeds 1 MiB"
                    break
                body = stdout.read(length)
                if len(body) < length:
                    self.problem = f"truncated frame body ({len(body)} of {length})"
                    break
                self.raw_frames.append(body)
                try:
                    message = json.loads(body.decode("utf-8"))
                except ValueError as exc:
                    self.problem = f"reply is not UTF-8 JSON: {exc}"
                    break
                if not isinstance(message, dict) or "id" not in message or not isinstance(
                        message.get("ok"), bool):
                    self.problem = f"reply is not an envelope: {str(message)[:200]}"
                    break
                if message["ok"] is False and not {"code", "message", "hint"} <= set(
                        message.get("error", {})):
                    self.problem = f"error reply without code/message/hint: {message}"
                    break
                self.replies.put(message)
        finally:
            self.replies.put(None)

    def _read_stderr(self) -> None:
        stderr = self.process.stderr
        assert stderr is not None
        for chunk in iter(lambda: stderr.read1(65536), b""):
            self._stderr_chunks.append(chunk)

    @property
    def stderr(self) -> str:
        return b"".join(self._stderr_chunks).decode("utf-8", "replace")

    def send_raw(self, data: bytes) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(data)
        stdin.flush()

    def request(self, request_id: Any, action: str, params: Mapping[str, Any] | None = None
                ) -> None:
        message: dict[str, Any] = {"id": request_id, "action": action}
        if params is not None:
            message["params"] = dict(params)
        self.send_raw(frame(message))

    def reply(self, timeout: float = 20.0) -> dict[str, Any]:
        """The next reply; fails the test on timeout, on a malformed frame or on exit."""
        try:
            message = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no reply within {timeout} s; stderr: {self.stderr}") from None
        if message is None:
            self.replies.put(None)  # keep signalling the end to later callers
            if self.problem:
                raise MalformedFrame(self.problem)
            raise AssertionError(f"host closed stdout (exit {self.process.poll()}); "
                                 f"stderr: {self.stderr}")
        return message

    def call(self, request_id: Any, action: str, params: Mapping[str, Any] | None = None,
             timeout: float = 20.0) -> dict[str, Any]:
        self.request(request_id, action, params)
        message = self.reply(timeout)
        assert message["id"] == request_id, message
        return message

    def close_stdin(self) -> None:
        stdin = self.process.stdin
        if stdin is not None and not stdin.closed:
            try:
                stdin.close()
            except BrokenPipeError:
                pass

    def wait(self, timeout: float = 20.0) -> int:
        """Close stdin, wait for the exit (bounded), check no malformed frame was written."""
        self.close_stdin()
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout)
        self._err_reader.join(timeout)
        if self.problem:
            raise MalformedFrame(self.problem)
        return code

    def remaining_replies(self) -> list[dict[str, Any]]:
        """Replies still queued after the host exited."""
        found: list[dict[str, Any]] = []
        while True:
            message = self.replies.get(timeout=5)
            if message is None:
                self.replies.put(None)
                return found
            found.append(message)

    def close(self) -> None:
        """Always reap the process, even when a test failed half-way."""
        self.close_stdin()
        if self.process.poll() is None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()

    def __enter__(self) -> HostProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _status_field(pid: int, field: str) -> int | None:
    """The first number of a /proc/<pid>/status line (Linux); None elsewhere."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_kib(pid: int) -> int | None:
    """Resident set size from /proc (Linux); None elsewhere."""
    return _status_field(pid, "VmRSS")


def thread_count(pid: int) -> int | None:
    """Threads of the process from /proc (Linux); None elsewhere."""
    return _status_field(pid, "Threads")


def open_fd_count(pid: int) -> int | None:
    """Open file descriptors of the process from /proc (Linux); None elsewhere."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def wait_for_log(log_file: Path, text: str, *, count: int = 1, timeout: float = 20.0) -> None:
    """Wait until ``text`` stands at least ``count`` times in the host's log file (polled until
    ``timeout``: a condition, never a fixed time)."""
    wait_for(lambda: log_file.read_text(encoding="utf-8", errors="replace").count(text) >= count,
             timeout=timeout, interval=0.02,
             message=f"{text!r} {count} time(s) in the host log {log_file}")


def host_env(base: Mapping[str, str], log_file: Path,
             allowed: str = f"{CHROME_CALLER},{FIREFOX_CALLER}") -> dict[str, str]:
    env = dict(base)
    env["ROLEPORT_ALLOWED_CALLERS"] = allowed
    env["ROLEPORT_LOG_FILE"] = str(log_file)
    env.setdefault("ROLEPORT_LOG_LEVEL", "debug")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if os.name == "nt":  # pragma: no cover - CI runs Linux
        env.setdefault("SYSTEMROOT", os.environ.get("SYSTEMROOT", ""))
    return env
