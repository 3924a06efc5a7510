"""`roleport-host`: the native messaging host (PROTOCOL.md is the normative contract).

The browser starts the host and talks to it over stdin/stdout in length-prefixed JSON frames
(Chrome for Developers, "Native messaging", "Native messaging protocol"; MDN, "Native
messaging"). Rules implemented here:
- stdout belongs to the protocol: at start-up the browser's pipes move to private fds, fd 0
  becomes the null device and fd 1 stderr (children and C code cannot touch the frames),
  sys.stdout is rebound to stderr, and only the FrameWriter writes to the protocol pipe;
- the caller the browser names in argv must be allowed (roleport.callers), else the first
  request is answered with forbidden_caller before anything touches credentials, and the
  host exits 77;
- every request gets exactly one reply. Requests run on one small thread pool per lane
  ("instant" for hello, "fast" for profiles, "slow" for network calls), so that a large
  config being parsed or a hanging network call never holds back a hello; replies are
  written whole under a lock and may come out of order; at most MAX_IN_FLIGHT requests per
  lane wait for their replies at once;
- every request has a deadline after which a timeout error is the reply, whatever the
  handler is doing (roleport.deadlines);
- after the first hello the pipeline warms up in the background (roleport.warmup);
- botocore is imported by one thread at a time (roleport.library_imports): each handler
  outside the instant lane that needs it waits for it first, so two first imports never
  deadlock; profiles reads the config only and does not wait;
- end of input on a frame boundary lets accepted requests answer, then exits 0; a broken
  stream gets an error reply where possible and a non-zero exit; never a hang, never a giant
  allocation. A handler stuck past its deadline does not keep the process alive.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO

from roleport import __version__
from roleport.actions import ACTIONS, Action, HostContext, validate_params
from roleport.actions.registry import shorten
from roleport.callers import check_caller, identify_caller
from roleport.deadlines import DeadlineWatch
from roleport.errors import RoleportError
from roleport.framing import (
    FrameError,
    FrameWriter,
    MessageTooLarge,
    encode_message,
    read_message,
)
from roleport.library_imports import import_botocore
from roleport.logs import configure_logging
from roleport.rules import ENV_ALLOWED_CALLERS
from roleport.warmup import CONFIG_POLL_SECONDS, WarmUp

log = logging.getLogger("roleport.host")

USAGE = """\
roleport-host is the native messaging host of the roleport browser extension.
Browsers start it and talk to it over stdin/stdout in length-prefixed JSON (PROTOCOL.md);
it is not meant to be run from a terminal.

  roleport --help       open consoles from a terminal
  roleport install      register this host with your browsers
  roleport doctor       check the installation
"""

# Exit codes follow sysexits.h: EX_USAGE (64) and EX_IOERR (74).
EXIT_USAGE = 64
EXIT_IO_ERROR = 74
INSTANT_WORKERS = 1
FAST_WORKERS = 2
SLOW_WORKERS = 4
BUSY_GRACE_SECONDS = 1.0
MAX_IN_FLIGHT = 256  # per lane, accepted requests not yet answered; bounds memory under a flood
MAX_ID_LENGTH = 256
MAX_ACTION_SHOWN = 64
MAX_SAFE_INTEGER = 2**53  # ids come from JavaScript numbers: keep them exact both ways


# ---------------------------------------------------------------------------- requests

def usable_id(value: Any) -> str | int | float | None:
    """The request id if it can be echoed back unchanged (string or exact number), else None.

    A JSON number is a double in the extension (ECMAScript Number): integers beyond 2**53
    would come back as a different number, and so would NaN or an infinity.
    """
    if isinstance(value, str) and len(value) <= MAX_ID_LENGTH:
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) <= MAX_SAFE_INTEGER:
        return value
    if isinstance(value, float) and value == value and abs(value) <= MAX_SAFE_INTEGER:
        return value
    return None


def error_reply(request_id: Any, error: RoleportError) -> dict[str, Any]:
    return {"id": request_id, "ok": False, "error": error.to_dict()}


def frame_error(exc: FrameError) -> RoleportError:
    """The error a frame that cannot be read is answered with."""
    if exc.reason == "too_large":
        return RoleportError("message_too_large", direction="request", size=exc.size)
    return RoleportError("invalid_request", detail=exc.detail)


@dataclass
class _Pending:
    """One accepted request until its single reply (result, error or timeout) is written."""

    seq: int
    request_id: str | int | float
    action: Action
    params: dict[str, Any]
    started: float
    answered: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class Host:
    """The request loop over one pair of binary streams; ``serve()`` returns the exit code."""

    def __init__(self, reader: BinaryIO, writer: BinaryIO, context: HostContext, *,
                 forbidden: RoleportError | None = None,
                 actions: Mapping[str, Action] | None = None,
                 config_poll_seconds: float = CONFIG_POLL_SECONDS) -> None:
        self._reader = reader
        self._writer = FrameWriter(writer)
        self._context = context
        self._forbidden = forbidden
        self._actions = ACTIONS if actions is None else actions
        self._pools = {
            "instant": ThreadPoolExecutor(INSTANT_WORKERS,
                                          thread_name_prefix="roleport-instant"),
            "fast": ThreadPoolExecutor(FAST_WORKERS, thread_name_prefix="roleport-fast"),
            "slow": ThreadPoolExecutor(SLOW_WORKERS, thread_name_prefix="roleport-slow"),
        }
        # _state guards _pending, _in_flight and _busy, and is notified when they change.
        self._state = threading.Condition()
        self._pending: dict[int, _Pending] = {}
        self._in_flight: Counter[str] = Counter()  # _pending counted per lane
        self._busy = 0
        self._sequence = itertools.count(1)
        self._output_broken = threading.Event()
        self._deadlines = DeadlineWatch(self._time_out)
        self._warm_up = WarmUp(context, poll_seconds=config_poll_seconds)

    # -- loop ---------------------------------------------------------------------------

    def serve(self) -> int:
        self._deadlines.start()
        exit_code = 0
        try:
            while not self._output_broken.is_set():
                try:
                    message = read_message(self._reader)
                except FrameError as exc:
                    error = frame_error(exc)
                    log.warning("bad frame (%s): %s", exc.reason, exc.detail)
                    self._write(error_reply(None, self._forbidden or error))
                    if exc.recoverable and self._forbidden is None:
                        continue
                    exit_code = error.exit_code
                    break
                except OSError as exc:
                    log.error("cannot read stdin: %s", exc)
                    exit_code = EXIT_IO_ERROR
                    break
                if message is None:
                    log.info("end of input, exiting")
                    break
                if self._forbidden is not None:
                    # A caller that is not ours gets one reply and no process to keep probing.
                    self._refuse(message, self._forbidden)
                    break
                try:
                    self._dispatch(message)
                except Exception as exc:  # contract: one reply per request, never a crash
                    log.exception("dispatch failed")
                    self._write(error_reply(None, RoleportError(
                        "internal_error", detail=f"dispatch failed with {type(exc).__name__}")))
            self._drain()
        finally:
            self._shutdown()
        if self._output_broken.is_set() and exit_code == 0:
            exit_code = EXIT_IO_ERROR
        if self._forbidden is not None:
            exit_code = self._forbidden.exit_code
        return exit_code

    def _refuse(self, message: dict[str, Any], forbidden: RoleportError) -> None:
        log.warning("forbidden caller %r sent a request; exiting", self._context.caller)
        self._write(error_reply(usable_id(message.get("id")), forbidden))

    def _dispatch(self, message: dict[str, Any]) -> None:
        request_id = usable_id(message.get("id"))
        if request_id is None:
            self._write(error_reply(None, RoleportError(
                "invalid_request", detail="the request has no usable 'id' (a string of at "
                f"most {MAX_ID_LENGTH} characters or a number)")))
            return
        name = message.get("action")
        if not isinstance(name, str):
            self._write(error_reply(request_id, RoleportError(
                "invalid_request", detail="the request has no 'action' string")))
            return
        action = self._actions.get(name)
        if action is None:
            self._write(error_reply(request_id, RoleportError(
                "unknown_action", action=shorten(name, MAX_ACTION_SHOWN))))
            return
        try:
            params = validate_params(action, message.get("params"))
        except RoleportError as error:
            self._write(error_reply(request_id, error))
            return
        with self._state:
            in_flight = self._in_flight[action.lane]
        if in_flight >= MAX_IN_FLIGHT:
            # Back-pressure without blocking the reader, and per lane: a flood of logins
            # leaves hello and profiles answerable.
            self._write(error_reply(request_id, RoleportError(
                "invalid_request", detail=f"{in_flight} '{action.lane}' requests are already "
                "in flight; wait for their replies before sending more")))
            return
        now = time.monotonic()
        pending = _Pending(next(self._sequence), request_id, action, params, now)
        with self._state:
            self._pending[pending.seq] = pending
            self._in_flight[action.lane] += 1
        self._deadlines.add(now + action.deadline_seconds, pending.seq)
        self._pools[action.lane].submit(self._run, pending)

    def _run(self, pending: _Pending) -> None:
        if pending.answered:  # timed out while queued behind other work
            return
        with self._state:
            self._busy += 1
        try:
            try:
                if pending.action.imports_botocore and pending.action.lane != "instant":
                    import_botocore()
                result = pending.action.handler(self._context, pending.params)
                reply: dict[str, Any] = {"id": pending.request_id, "ok": True, "result": result}
            except RoleportError as error:
                reply = error_reply(pending.request_id, error)
            except Exception as exc:  # contract: nothing escapes as a crash
                log.exception("action %s failed", pending.action.name)
                reply = error_reply(pending.request_id, RoleportError(
                    "internal_error", detail=f"{pending.action.name} failed with "
                    f"{type(exc).__name__}"))
            if self._answer(pending, reply) and pending.action.starts_warm_up:
                self._warm_up.start()
        finally:
            with self._state:
                self._busy -= 1
                self._state.notify_all()

    def _time_out(self, seq: int) -> None:
        """DeadlineWatch callback: answer the request with a timeout if it is still open."""
        with self._state:
            pending = self._pending.get(seq)
        if pending is None:
            return
        action = pending.action
        self._answer(pending, error_reply(pending.request_id, RoleportError(
            "timeout", service=action.service or f"The '{action.name}' request",
            seconds=f"{action.deadline_seconds:g}")))

    def _answer(self, pending: _Pending, reply: dict[str, Any]) -> bool:
        """Write the request's one reply; False if another (timeout or result) came first."""
        with pending.lock:
            if pending.answered:
                log.info("late result of %s discarded", pending.action.name)
                return False
            pending.answered = True
        self._write(reply)
        # Only now is the request done: _drain() (end of input) waits on _pending, and the
        # process must not exit while this reply is still being written.
        with self._state:
            if self._pending.pop(pending.seq, None) is not None:
                self._in_flight[pending.action.lane] -= 1
            self._state.notify_all()
        elapsed_ms = (time.monotonic() - pending.started) * 1000
        outcome = "ok" if reply["ok"] else reply["error"]["code"]
        log.info("%s id=%r %s in %.1f ms", pending.action.name, pending.request_id,
                 outcome, elapsed_ms)
        return True

    def _write(self, reply: dict[str, Any]) -> None:
        """Write one reply frame; an unencodable or oversize reply becomes an error reply."""
        try:
            frame = encode_message(reply)
        except MessageTooLarge as exc:
            log.warning("reply to %r not sent: %s", reply.get("id"), exc)
            frame = encode_message(error_reply(reply.get("id"), RoleportError(
                "message_too_large", direction="reply", size=exc.size)))
        except (TypeError, ValueError) as exc:  # a handler bug: NaN, a non-JSON type
            log.error("reply to %r cannot be encoded: %s", reply.get("id"),
                      type(exc).__name__)
            frame = encode_message(error_reply(reply.get("id"), RoleportError(
                "internal_error", detail="the reply could not be encoded")))
        try:
            self._writer.write_frame(frame)
        except (OSError, ValueError) as exc:  # ValueError: write to a closed file
            if not self._output_broken.is_set():
                log.warning("cannot write to stdout (%s); the browser has gone", exc)
            self._output_broken.set()

    # -- end of input ---------------------------------------------------------------------

    def _drain(self) -> None:
        """At end of input, let accepted requests answer; each is bounded by its deadline."""
        with self._state:
            while self._pending and not self._output_broken.is_set():
                self._state.wait(0.5)
            # Handlers that already replied are finishing their bookkeeping (the log line);
            # one stuck past its deadline is abandoned after a short grace (main() exits).
            grace_ends = time.monotonic() + BUSY_GRACE_SECONDS
            while self._busy and time.monotonic() < grace_ends:
                self._state.wait(max(0.0, grace_ends - time.monotonic()))

    def _shutdown(self) -> None:
        self._warm_up.stop()
        self._deadlines.stop()
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)

    @property
    def busy(self) -> bool:
        """True while a handler still runs (for example one that outlived its deadline)."""
        with self._state:
            return self._busy > 0


# ---------------------------------------------------------------------------- entry point

def _binary_fds(*fds: int) -> None:
    """Put the protocol fds in binary mode on Windows.

    Frames must be byte-exact, and a Windows C runtime fd in text mode turns "\\n" into
    "\\r\\n" (Chrome for Developers, "Native messaging", "Debug native messaging": "make sure
    that the program's I/O mode is set to O_BINARY"; Microsoft C runtime reference,
    "_setmode").
    """
    if sys.platform == "win32":
        import msvcrt

        for fd in fds:
            msvcrt.setmode(fd, os.O_BINARY)  # type: ignore[attr-defined]


def claim_protocol_streams() -> tuple[BinaryIO, BinaryIO]:
    """Move the browser's pipes off fds 0 and 1 and return them as private binary streams.

    Rule: nothing but the framing writes to stdout, and nothing else reads stdin, since both
    carry the browser's frames ("Make sure that all output in stdout adheres to the
    protocol": Chrome for Developers, "Native messaging", "Debug native messaging"). Rebinding
    sys.stdout only covers Python code; a child process (botocore runs a profile's
    credential_process with stdin inherited) or a C library would still read frames off fd 0
    or write into fd 1. Afterwards fd 0 is the null device and fd 1 is stderr; the protocol
    fds are private (not inherited by children, PEP 446).
    """
    if sys.stdout is not None:  # None under pythonw
        sys.stdout.flush()
    protocol_in, protocol_out = os.dup(0), os.dup(1)
    _binary_fds(protocol_in, protocol_out)
    null = os.open(os.devnull, os.O_RDWR)
    try:
        os.dup2(null, 0)
        try:
            os.dup2(2, 1)
        except OSError:  # no stderr at all: output goes nowhere rather than into the frames
            os.dup2(null, 1)
    finally:
        os.close(null)
    return os.fdopen(protocol_in, "rb"), os.fdopen(protocol_out, "wb")


def run(argv: list[str], stdin: BinaryIO, stdout: BinaryIO, stderr: IO[str],
        environ: Mapping[str, str] | None = None) -> tuple[int, Host | None]:
    """Run the host on the given streams; returns (exit code, host) for main()."""
    env = os.environ if environ is None else environ
    caller = identify_caller(argv)
    if caller is None:
        stderr.write(USAGE)
        stderr.flush()
        return EXIT_USAGE, None
    configure_logging(environ=env)
    forbidden = check_caller(caller, env)
    if forbidden is not None:
        log.warning("caller %r is not in %s; refusing", caller, ENV_ALLOWED_CALLERS)
    else:
        log.info("roleport-host %s started for %s (pid %d)", __version__, caller, os.getpid())
    host = Host(stdin, stdout, HostContext(caller, env), forbidden=forbidden)
    return host.serve(), host


def main(argv: list[str] | None = None) -> int:
    """Console entry point `roleport-host` (pyproject [project.scripts])."""
    args = sys.argv[1:] if argv is None else argv
    stdin, stdout = claim_protocol_streams()
    # A stray print() or library warning must never corrupt the protocol stream.
    sys.stdout = sys.stderr
    exit_code, host = run(args, stdin, stdout, sys.stderr)
    if host is not None and host.busy:
        # A handler past its deadline may sit in a network call; its thread would keep the
        # process alive after the browser has gone. Its reply was already a timeout.
        logging.shutdown()
        sys.stderr.flush()
        os._exit(exit_code)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
