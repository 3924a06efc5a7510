"""`roleport-host`: the native messaging host (PROTOCOL.md is the normative contract).

Rules implemented here (issue 3):
- stdout belongs to the protocol: at start-up the browser's pipes move to private fds, fd 0
  becomes the null device and fd 1 stderr (children and C code cannot touch the frames),
  sys.stdout is rebound to stderr, and only the FrameWriter writes to the protocol pipe;
- the caller in argv must be one of ROLEPORT_ALLOWED_CALLERS, else the first request is
  answered with forbidden_caller before anything touches credentials, and the host exits 77;
- requests run on small thread pools ("fast" for hello/profiles, "slow" for network calls),
  replies are written whole under a lock and may come out of order; every request has a
  deadline after which a timeout error is the reply, whatever the handler is doing;
- after the first hello the pipeline warms up in the background;
- end of input on a frame boundary exits 0; a broken stream gets an error reply where
  possible and a non-zero exit; never a hang, never a giant allocation.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO

from roleport import __version__
from roleport.actions import (
    ACTIONS,
    Action,
    HostContext,
    config_generation,
    handle_profiles,
    validate_params,
)
from roleport.errors import RoleportError
from roleport.framing import (
    FrameError,
    FrameWriter,
    MessageTooLarge,
    encode_message,
    read_message,
)
from roleport.logs import configure_logging

log = logging.getLogger("roleport.host")

USAGE = """\
roleport-host is the native messaging host of the roleport browser extension.
Browsers start it and talk to it over stdin/stdout in length-prefixed JSON (PROTOCOL.md);
it is not meant to be run from a terminal.

  roleport --help       open consoles from a terminal
  roleport install      register this host with your browsers
  roleport doctor       check the installation
"""

EXIT_USAGE = 64
FAST_WORKERS = 2
SLOW_WORKERS = 4
BUSY_GRACE_SECONDS = 1.0
CONFIG_POLL_SECONDS = 2.0
MAX_IN_FLIGHT = 256  # accepted requests not yet answered; bounds memory under a flood
MAX_ID_LENGTH = 256
MAX_SAFE_INTEGER = 2**53  # ids come from JavaScript numbers: keep them exact both ways
_NO_ID = object()


# ---------------------------------------------------------------------------- caller check

def identify_caller(argv: list[str]) -> str | None:
    """The caller named by the browser: Chromium's origin or Firefox's add-on id.

    Chromium family: argv[1] = "chrome-extension://<id>/" (Windows adds --parent-window=N).
    Firefox family: argv[1] = the host manifest's path, argv[2] = the add-on id.
    """
    args = [arg for arg in argv if not arg.startswith("--parent-window")]
    if not args:
        return None
    if args[0].startswith("chrome-extension://"):
        return _normalise_caller(args[0])
    if len(args) >= 2:
        return _normalise_caller(args[1])
    return _normalise_caller(args[0])


def _normalise_caller(entry: str) -> str:
    entry = entry.strip()
    if entry.startswith("chrome-extension://") and not entry.endswith("/"):
        entry += "/"
    return entry


def allowed_callers(environ: Mapping[str, str]) -> frozenset[str]:
    """ROLEPORT_ALLOWED_CALLERS, comma-separated, written into the launcher by the installer."""
    raw = environ.get("ROLEPORT_ALLOWED_CALLERS", "")
    return frozenset(_normalise_caller(entry) for entry in raw.split(",") if entry.strip())


def check_caller(caller: str, environ: Mapping[str, str]) -> RoleportError | None:
    """None when the caller is allowed, else the forbidden_caller error to answer with."""
    if caller in allowed_callers(environ):
        return None
    shown = caller if len(caller) <= 200 else caller[:199] + "\u2026"
    return RoleportError("forbidden_caller", caller=shown)


# ---------------------------------------------------------------------------- requests

def usable_id(value: Any) -> Any:
    """The request id if it can be echoed back unchanged (string or exact number), else _NO_ID."""
    if isinstance(value, str) and len(value) <= MAX_ID_LENGTH:
        return value
    if isinstance(value, bool):
        return _NO_ID
    if isinstance(value, int) and abs(value) <= MAX_SAFE_INTEGER:
        return value
    if isinstance(value, float) and value == value and abs(value) <= MAX_SAFE_INTEGER:
        return value
    return _NO_ID


def error_reply(request_id: Any, error: RoleportError) -> dict[str, Any]:
    return {"id": request_id, "ok": False, "error": error.to_dict()}


@dataclass
class _Pending:
    """One accepted request until its single reply (result, error or timeout) is written."""

    seq: int
    request_id: Any
    action: Action
    params: dict[str, Any]
    deadline: float
    started: float
    answered: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class Host:
    """The request loop over one pair of binary streams; ``serve()`` returns the exit code."""

    def __init__(self, reader: BinaryIO, writer: BinaryIO, context: HostContext, *,
                 forbidden: RoleportError | None = None,
                 actions: Mapping[str, Action] | None = None) -> None:
        self._reader = reader
        self._writer = FrameWriter(writer)
        self._context = context
        self._forbidden = forbidden
        self._actions = ACTIONS if actions is None else actions
        self._pools = {
            "fast": ThreadPoolExecutor(FAST_WORKERS, thread_name_prefix="roleport-fast"),
            "slow": ThreadPoolExecutor(SLOW_WORKERS, thread_name_prefix="roleport-slow"),
        }
        self._pending: dict[int, _Pending] = {}
        self._state = threading.Condition()
        self._deadlines: list[tuple[float, int]] = []
        self._sequence = itertools.count(1)
        self._stopping = False
        self._output_broken = threading.Event()
        self._stopped = threading.Event()
        self._busy = 0
        self._watchdog = threading.Thread(target=self._watch_deadlines,
                                          name="roleport-deadlines", daemon=True)

    # -- loop ---------------------------------------------------------------------------

    def serve(self) -> int:
        self._watchdog.start()
        exit_code = 0
        try:
            while not self._output_broken.is_set():
                try:
                    message = read_message(self._reader)
                except FrameError as exc:
                    error = (RoleportError("message_too_large", direction="request",
                                           size=exc.size)
                             if exc.reason == "too_large"
                             else RoleportError("invalid_request", detail=exc.detail))
                    log.warning("bad frame (%s): %s", exc.reason, exc.detail)
                    self._write(error_reply(None, self._forbidden or error))
                    if exc.recoverable and self._forbidden is None:
                        continue
                    exit_code = error.exit_code
                    break
                except OSError as exc:
                    log.error("cannot read stdin: %s", exc)
                    exit_code = 74
                    break
                if message is None:
                    log.info("end of input, exiting")
                    break
                if self._forbidden is not None:
                    # Issue 3, caller check: answer with forbidden_caller, then exit. A caller
                    # that is not ours gets one reply and no process to keep probing.
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
            exit_code = 74
        if self._forbidden is not None:
            exit_code = self._forbidden.exit_code
        return exit_code

    def _refuse(self, message: dict[str, Any], forbidden: RoleportError) -> None:
        request_id = usable_id(message.get("id"))
        log.warning("forbidden caller %r sent a request; exiting", self._context.caller)
        self._write(error_reply(None if request_id is _NO_ID else request_id, forbidden))

    def _dispatch(self, message: dict[str, Any]) -> None:
        request_id = usable_id(message.get("id"))
        if request_id is _NO_ID:
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
            shown = name if len(name) <= 64 else name[:63] + "\u2026"
            self._write(error_reply(request_id, RoleportError("unknown_action", action=shown)))
            return
        try:
            params = validate_params(action, message.get("params"))
        except RoleportError as error:
            self._write(error_reply(request_id, error))
            return
        with self._state:
            in_flight = len(self._pending)
        if in_flight >= MAX_IN_FLIGHT:
            # Back-pressure without blocking the reader: hello must stay answerable.
            self._write(error_reply(request_id, RoleportError(
                "invalid_request", detail=f"{in_flight} requests are already in flight; wait "
                "for their replies before sending more")))
            return
        now = time.monotonic()
        pending = _Pending(next(self._sequence), request_id, action, params,
                           now + action.deadline_seconds, now)
        with self._state:
            self._pending[pending.seq] = pending
            heapq.heappush(self._deadlines, (pending.deadline, pending.seq))
            self._state.notify_all()
        self._pools[action.lane].submit(self._run, pending)

    def _run(self, pending: _Pending) -> None:
        if pending.answered:  # timed out while queued behind other work
            return
        with self._state:
            self._busy += 1
        try:
            try:
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
                self._start_warm_up()
        finally:
            with self._state:
                self._busy -= 1
                self._state.notify_all()

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
            self._pending.pop(pending.seq, None)
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

    # -- deadlines, warm-up, shutdown ------------------------------------------------------

    def _watch_deadlines(self) -> None:
        """One thread for all deadlines: answers overdue requests with a timeout error."""
        while True:
            with self._state:
                while not self._stopping and (
                        not self._deadlines
                        or self._deadlines[0][0] > time.monotonic()):
                    wait = (self._deadlines[0][0] - time.monotonic()
                            if self._deadlines else None)
                    self._state.wait(wait)
                if self._stopping:
                    return
                _, seq = heapq.heappop(self._deadlines)
                pending = self._pending.get(seq)
            if pending is not None:
                action = pending.action
                self._answer(pending, error_reply(pending.request_id, RoleportError(
                    "timeout", service=action.service or f"The '{action.name}' request",
                    seconds=f"{action.deadline_seconds:g}")))

    def _start_warm_up(self) -> None:
        if not self._context.claim_warm_up():
            return

        def warm_up() -> None:
            started = time.monotonic()
            # Taken before the parse: an edit made while warming up is then seen as a change.
            generation = config_generation(self._context)
            try:
                self._context.pipeline().warm_up()
                self._refresh_profiles()
                log.info("warm-up done in %.0f ms", (time.monotonic() - started) * 1000)
            except Exception:  # warm-up is an optimisation: log and carry on cold
                log.warning("warm-up failed", exc_info=True)
                return
            self._watch_config(generation)

        threading.Thread(target=warm_up, name="roleport-warm-up", daemon=True).start()

    def _refresh_profiles(self) -> None:
        """Build the cached profile table now, so the next `profiles` request is a lookup."""
        try:
            handle_profiles(self._context, {})
        except RoleportError as error:  # a broken config is reported when it is asked for
            log.info("profiles not pre-built: %s", error.code)
        except Exception:  # a bug must not kill the config watcher (its thread would die)
            log.warning("profiles not pre-built", exc_info=True)

    def _watch_config(self, generation: str) -> None:
        """Re-parse in the background when the AWS config files change (stat() polling).

        A persistent host otherwise pays botocore's full parse (hundreds of ms for thousands
        of profiles) inside the first `profiles` request after every edit.
        """
        while not self._stopped.wait(CONFIG_POLL_SECONDS):
            current = config_generation(self._context)
            if current != generation:
                generation = current
                log.debug("config files changed; re-parsing in the background")
                started = time.monotonic()
                self._refresh_profiles()
                log.debug("profiles re-built in %.0f ms", (time.monotonic() - started) * 1000)

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
        self._stopped.set()
        with self._state:
            self._stopping = True
            self._state.notify_all()
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)

    @property
    def busy(self) -> bool:
        """True while a handler still runs (for example one that outlived its deadline)."""
        with self._state:
            return self._busy > 0


# ---------------------------------------------------------------------------- entry point

def _binary_fds(*fds: int) -> None:
    """Windows translates \\n to \\r\\n on text-mode pipes; frames must be byte-exact."""
    if sys.platform == "win32":
        import msvcrt

        for fd in fds:
            msvcrt.setmode(fd, os.O_BINARY)  # type: ignore[attr-defined]


def claim_protocol_streams() -> tuple[BinaryIO, BinaryIO]:
    """Move the browser's pipes off fds 0 and 1 and return them as private binary streams.

    Rule (issue 3): nothing but the framing writes to stdout, and nothing else reads stdin.
    Rebinding sys.stdout only covers Python code; a child process (botocore runs a profile's
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
        log.warning("caller %r is not in ROLEPORT_ALLOWED_CALLERS; refusing", caller)
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
