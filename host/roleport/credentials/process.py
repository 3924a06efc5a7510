"""A profile's credential_process, run as botocore's ProcessProvider runs it, but bounded.

The command prints one JSON document, Version 1 with AccessKeyId and SecretAccessKey
("Sourcing credentials with an external process",
https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html).
botocore starts it with subprocess.Popen and calls communicate() without any limit; here:

- the command runs in a process group of its own (a new session on POSIX,
  CREATE_NEW_PROCESS_GROUP on Windows), so everything it starts can be stopped together;
- stdout and stderr are read at the same time; stdout is capped at MAX_STDOUT_BYTES (the
  whole group is stopped beyond it), stderr keeps its first MAX_STDERR_BYTES and the rest is
  read and dropped;
- the command gets TIMEOUT_SECONDS, below the login deadline, then the group is stopped;
- output still held open MAX_LINGER_SECONDS after the command exited is held by something
  it left running: that group is stopped and the pipes closed (a background child never
  makes a login wait for it);
- when the process running roleport ends, groups still running are stopped: by
  kill_running_processes (atexit), and on POSIX also by a small `sh` watcher per command
  that stops the group when roleport's end of its pipe closes, which covers a host killed
  by a signal or leaving through os._exit (the watcher starts right after the command: a
  roleport ended in the instant between the two leaves the command running);
- failures are RoleportErrors naming the profile and what went wrong (timed out, too much
  output, exit status, not JSON); the command's output is never repeated, since it may
  hold secrets or a prompt.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from roleport.credentials.caches import expiration_moment
from roleport.errors import RoleportError
from roleport.rules import LOGIN_DEADLINE_SECONDS

logger = logging.getLogger(__name__)

# Two thirds of the login deadline: a slow command is reported as itself, not as the deadline.
TIMEOUT_SECONDS = LOGIN_DEADLINE_SECONDS * 2 / 3
MAX_STDOUT_BYTES = 1024 * 1024
MAX_STDERR_BYTES = 64 * 1024
MAX_LINGER_SECONDS = 0.5
_CHUNK = 64 * 1024
_WATCHER_SHELL = "/bin/sh"
# Stops the group named by $1 unless roleport says "done" first: EOF (roleport gone) kills.
_WATCHER_SCRIPT = 'read line; [ "$line" = done ] || kill -s KILL -- "-$1" 2>/dev/null'

_running: dict[int, BoundedProcess] = {}
_running_lock = threading.Lock()


def kill_running_processes() -> int:
    """Stop the process group of every credential_process still running; returns how many.

    Registered with atexit; a host may also call it on its way out.
    """
    with _running_lock:
        processes = list(_running.values())
    for process in processes:
        process.kill_group()
    return len(processes)


atexit.register(kill_running_processes)


class BoundedProcess(subprocess.Popen):  # type: ignore[type-arg]
    """The Popen botocore's ProcessProvider is handed (`popen=`), with the limits above.

    `profile` names the profile whose credential_process this is, for the error messages.
    """

    def __init__(self, args: Any, *, profile: str, timeout_seconds: float | None = None,
                 **kwargs: Any) -> None:
        self.profile = profile
        self.timeout_seconds = timeout_seconds
        self._watcher: tuple[subprocess.Popen[bytes], int] | None = None
        if sys.platform == "win32":  # pragma: no cover - CI runs Linux
            kwargs["creationflags"] = (kwargs.get("creationflags", 0)
                                       | subprocess.CREATE_NEW_PROCESS_GROUP)
        else:
            kwargs["start_new_session"] = True
        try:
            super().__init__(args, **kwargs)
        except OSError as exc:  # not found, not executable: never echo the command line
            raise RoleportError("no_credentials", profile=profile,
                                detail=f"its credential_process could not be started "
                                       f"({exc.strerror or type(exc).__name__})") from None
        with _running_lock:
            _running[self.pid] = self
        if sys.platform != "win32":
            self._watcher = _start_watcher(self.pid)

    # -- botocore's entry point ----------------------------------------------------------

    def communicate(self, input: Any = None, timeout: float | None = None) -> Any:  # noqa: A002
        """(stdout, stderr) of a command that exited 0 and printed a credentials document;
        a RoleportError for anything else."""
        limit = timeout or self.timeout_seconds or TIMEOUT_SECONDS
        try:
            if sys.platform == "win32":  # pragma: no cover - CI runs Linux
                outcome, stdout, stderr = self._collect_with_threads(limit)
            else:
                outcome, stdout, stderr = self._collect(limit)
            if outcome != "done":
                self.kill_group()
            if outcome == "timeout":
                raise RoleportError("timeout", profile=self.profile,
                                    service=f"Profile '{self.profile}': its credential_process",
                                    seconds=f"{limit:g}")
            if outcome == "too_much":
                raise self._failed(f"its credential_process printed more than "
                                   f"{MAX_STDOUT_BYTES // 1024} KiB; it was stopped")
            if outcome == "lingering":
                logger.info("the credential_process of profile %r left processes holding its "
                            "output; they were stopped", self.profile)
            self.wait()
            self._check(stdout)
            return stdout, stderr
        finally:
            self._finish()

    # -- reading -------------------------------------------------------------------------

    def _collect(self, limit: float) -> tuple[str, bytes, bytes]:
        """Read both pipes until both close, the cap, the time limit, or the linger after the
        command exited. Returns (outcome, stdout, stderr); outcome is done, timeout,
        too_much or lingering."""
        assert self.stdout is not None and self.stderr is not None
        deadline = time.monotonic() + limit
        out_fd, err_fd = self.stdout.fileno(), self.stderr.fileno()
        buffers = {out_fd: bytearray(), err_fd: bytearray()}
        exited_read, exited_write = os.pipe()
        threading.Thread(target=self._report_exit, args=(exited_write,), daemon=True,
                         name=f"roleport-process-{self.pid}").start()
        exited_at: float | None = None
        try:
            with selectors.DefaultSelector() as selector:
                for fd in (out_fd, err_fd, exited_read):
                    os.set_blocking(fd, False)
                    selector.register(fd, selectors.EVENT_READ)
                open_fds = {out_fd, err_fd}
                while open_fds or exited_at is None:
                    now = time.monotonic()
                    wait = deadline - now
                    if exited_at is not None:
                        wait = min(wait, exited_at + MAX_LINGER_SECONDS - now)
                    if wait <= 0:
                        outcome = "timeout" if exited_at is None else "lingering"
                        return outcome, bytes(buffers[out_fd]), bytes(buffers[err_fd])
                    for key, _ in selector.select(wait):
                        if key.fd == exited_read:
                            selector.unregister(exited_read)
                            exited_at = time.monotonic()
                            continue
                        try:
                            data = os.read(key.fd, _CHUNK)
                        except BlockingIOError:
                            continue
                        if not data:
                            selector.unregister(key.fd)
                            open_fds.discard(key.fd)
                            continue
                        buffer = buffers[key.fd]
                        if key.fd == out_fd:
                            if len(buffer) + len(data) > MAX_STDOUT_BYTES:
                                return "too_much", b"", b""
                            buffer += data
                        elif len(buffer) < MAX_STDERR_BYTES:
                            buffer += data[:MAX_STDERR_BYTES - len(buffer)]
        finally:
            os.close(exited_read)
        return "done", bytes(buffers[out_fd]), bytes(buffers[err_fd])

    def _report_exit(self, exited_write: int) -> None:
        """Wait for the command itself (not its pipes), then wake the reader."""
        try:
            self.wait()
            os.write(exited_write, b"x")
        except OSError:  # the reader already left: nothing to wake
            pass
        finally:
            os.close(exited_write)

    def _collect_with_threads(self, limit: float) -> tuple[str, bytes, bytes]:  # pragma: no cover
        """Windows: pipes cannot be selected on, so one thread reads each."""
        assert self.stdout is not None and self.stderr is not None
        deadline = time.monotonic() + limit
        done = threading.Event()
        too_much = threading.Event()
        out, err = bytearray(), bytearray()

        def pump(stream: Any, buffer: bytearray, cap: int, stop_over_cap: bool) -> None:
            try:
                for data in iter(lambda: stream.read1(_CHUNK), b""):
                    if len(buffer) + len(data) > cap and stop_over_cap:
                        too_much.set()
                        done.set()
                        return
                    buffer.extend(data[:max(0, cap - len(buffer))])
            except (OSError, ValueError):
                pass

        readers = [threading.Thread(target=pump, args=(self.stdout, out, MAX_STDOUT_BYTES, True),
                                    daemon=True),
                   threading.Thread(target=pump, args=(self.stderr, err, MAX_STDERR_BYTES, False),
                                    daemon=True)]
        for reader in readers:
            reader.start()

        def join_all() -> None:
            for reader in readers:
                reader.join()
            done.set()

        threading.Thread(target=join_all, daemon=True).start()
        if not done.wait(limit):
            return "timeout", b"", b""
        if too_much.is_set():
            return "too_much", b"", b""
        try:
            self.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return "timeout", b"", b""
        return "done", bytes(out), bytes(err)

    # -- checking ------------------------------------------------------------------------

    def _failed(self, detail: str) -> RoleportError:
        return RoleportError("no_credentials", profile=self.profile, detail=detail)

    def _check(self, stdout: bytes) -> None:
        """The exit status and the document's shape, in the words of the AWS CLI's format;
        never a value from the output."""
        if self.returncode < 0:
            raise self._failed(f"its credential_process was ended by signal {-self.returncode}")
        if self.returncode != 0:
            raise self._failed(f"its credential_process exited with status {self.returncode}; "
                               "run it in a terminal to see why")
        try:
            document = json.loads(stdout.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError is a ValueError too
            raise self._failed("its credential_process did not print a JSON document; run it "
                               "in a terminal to see why") from None
        if not isinstance(document, dict):
            raise self._failed("its credential_process printed JSON that is not an object")
        if document.get("Version") != 1:
            raise self._failed("its credential_process printed no \"Version\": 1")
        for key in ("AccessKeyId", "SecretAccessKey"):
            if not isinstance(document.get(key), str) or not document[key]:
                raise self._failed(f"its credential_process printed no {key}")
        if document.get("SessionToken") is not None and not isinstance(
                document["SessionToken"], str):
            raise self._failed("its credential_process printed a SessionToken that is not text")
        if document.get("Expiration") is not None and expiration_moment(
                document["Expiration"]) is None:
            raise self._failed("its credential_process printed an Expiration that is not an "
                               "ISO 8601 time with a time zone")

    # -- stopping ------------------------------------------------------------------------

    def kill_group(self) -> None:
        """Stop the command and everything it started (its process group)."""
        try:
            if sys.platform == "win32":  # pragma: no cover - CI runs Linux
                subprocess.run(["taskkill", "/F", "/T", "/PID", str(self.pid)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               check=False, timeout=10)
                self.kill()
            else:
                os.killpg(self.pid, signal.SIGKILL)
        except (OSError, subprocess.SubprocessError):
            pass  # already gone

    def _finish(self) -> None:
        """Reap the command, close every pipe, release the watcher, forget the group."""
        if self.returncode is None and self.poll() is None:
            self.kill_group()
        try:
            self.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a process stuck in the kernel
            logger.warning("the credential_process of profile %r did not end after SIGKILL",
                           self.profile)
        for stream in (self.stdin, self.stdout, self.stderr):
            if stream is not None:
                stream.close()
        if self._watcher is not None:
            watcher, pipe = self._watcher
            self._watcher = None
            try:
                os.write(pipe, b"done\n")
            except OSError:
                pass
            os.close(pipe)
            try:
                watcher.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover
                watcher.kill()
        with _running_lock:
            _running.pop(self.pid, None)


def _start_watcher(pgid: int) -> tuple[subprocess.Popen[bytes], int] | None:
    """A `sh` that stops process group `pgid` when roleport's end of its stdin closes
    without "done": the kernel closes it however roleport ends (SIGTERM, SIGKILL,
    os._exit), when no atexit handler runs."""
    read_end, write_end = os.pipe()
    try:
        watcher = subprocess.Popen(
            [_WATCHER_SHELL, "-c", _WATCHER_SCRIPT, "roleport-watch", str(pgid)],
            stdin=read_end, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # a signal to roleport's own group must not end it
    except OSError:
        os.close(write_end)
        logger.debug("no %s to watch credential_process group %d", _WATCHER_SHELL, pgid)
        return None
    finally:
        os.close(read_end)
    return watcher, write_end
