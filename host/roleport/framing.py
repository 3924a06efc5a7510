"""Native messaging frames over injected binary streams (PROTOCOL.md, "Frames").

Rules:
- a frame is a 32-bit length in the machine's native byte order followed by that many bytes
  of UTF-8 JSON (Chrome for Developers, "Native messaging", "Native messaging protocol";
  MDN, "Native messaging", "App side");
- browsers drop the connection on a host -> browser message above 1 MB (Chrome: "The maximum
  size of a single message from the native messaging host is 1 MB"; MDN says the same of
  "the application"), so a reply is measured before anything is written;
- browsers may send far larger frames than any request of ours needs, and
  ``stream.read(n)`` allocates ``n`` bytes up front, so the announced length of a request is
  checked against our own 1 MiB cap before its body is read.

The ``nativemessaging`` package on PyPI is not used because it reads frames without a size
limit, does not notice a truncated frame and exits the process on end of input.
"""

from __future__ import annotations

import json
import struct
import threading
from typing import IO, Any, BinaryIO

MAX_INBOUND_BYTES = 1024 * 1024
"""Largest request body accepted (PROTOCOL.md: inbound cap)."""

MAX_OUTBOUND_BYTES = 1024 * 1024
"""Largest reply body written; browsers disconnect above this (PROTOCOL.md: outbound cap)."""

_LENGTH = struct.Struct("=I")  # "=": native byte order, standard 4-byte size
_READ_CHUNK = 64 * 1024


class FrameError(Exception):
    """A frame that cannot be turned into a request.

    ``recoverable`` tells whether the stream is still aligned on a frame boundary (the body was
    read whole, only its content is bad) so that the next frame can be read.
    """

    def __init__(self, reason: str, detail: str, *, recoverable: bool,
                 size: int | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.recoverable = recoverable
        self.size = size


class MessageTooLarge(Exception):
    """An outbound message above MAX_OUTBOUND_BYTES; nothing was written."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"outbound message of {size} bytes exceeds the {limit}-byte limit")
        self.size = size
        self.limit = limit


def _read_exactly(stream: IO[bytes], count: int) -> bytes:
    """Read ``count`` bytes, looping on short reads; fewer only at end of input."""
    parts: list[bytes] = []
    remaining = count
    while remaining > 0:
        chunk = stream.read(min(remaining, _READ_CHUNK))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def read_frame(stream: IO[bytes], max_bytes: int = MAX_INBOUND_BYTES) -> bytes | None:
    """Return the next frame's body, or None at end of input on a frame boundary.

    Raises FrameError (unrecoverable) for a truncated length, a truncated body or a length above
    ``max_bytes``; the length is checked before the body is read, so a hostile length never
    causes a large allocation.
    """
    header = _read_exactly(stream, _LENGTH.size)
    if not header:
        return None
    if len(header) < _LENGTH.size:
        raise FrameError("truncated", f"the input ended inside a frame's length "
                         f"({len(header)} of 4 bytes)", recoverable=False)
    (length,) = _LENGTH.unpack(header)
    if length > max_bytes:
        raise FrameError("too_large", f"a frame announces {length} bytes, the limit is "
                         f"{max_bytes}", recoverable=False, size=length)
    body = _read_exactly(stream, length)
    if len(body) < length:
        raise FrameError("truncated", f"the input ended inside a frame ({len(body)} of "
                         f"{length} bytes)", recoverable=False)
    return body


def decode_message(body: bytes) -> dict[str, Any]:
    """Parse a frame body as a UTF-8 JSON object; FrameError (recoverable) otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameError("bad_utf8", f"the frame is not valid UTF-8 (byte {exc.start})",
                         recoverable=True) from None
    try:
        message = json.loads(text)
    except RecursionError:
        raise FrameError("bad_json", "the frame's JSON is nested too deeply",
                         recoverable=True) from None
    except ValueError as exc:
        # json.JSONDecodeError.msg/pos describe the syntax only, never the content.
        reason = getattr(exc, "msg", "syntax error")
        position = getattr(exc, "pos", None)
        where = f" at character {position}" if position is not None else ""
        raise FrameError("bad_json", f"the frame is not valid JSON ({reason}{where})",
                         recoverable=True) from None
    if not isinstance(message, dict):
        raise FrameError("not_object", f"the frame is JSON {type(message).__name__}, "
                         "not an object", recoverable=True)
    return message


def read_message(stream: IO[bytes], max_bytes: int = MAX_INBOUND_BYTES) -> dict[str, Any] | None:
    """Read and decode one request; None at a clean end of input."""
    body = read_frame(stream, max_bytes)
    if body is None:
        return None
    return decode_message(body)


class EncodedJSON:
    """A JSON value encoded once and spliced into later messages as is.

    For large replies that repeat unchanged (the profile table): re-encoding 2,000 rows for
    every request would dominate a warm call. Only honoured as a top-level message value.
    """

    __slots__ = ("data",)

    def __init__(self, value: Any) -> None:
        self.data = encode_json(value)


def encode_json(value: Any) -> bytes:
    """Compact UTF-8 JSON; strings with lone surrogates (legal in JSON input, not encodable
    as UTF-8) fall back to ASCII escapes instead of failing. NaN/Infinity are refused."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=True,
                          allow_nan=False).encode("ascii")


def encode_message(message: dict[str, Any], max_bytes: int = MAX_OUTBOUND_BYTES) -> bytes:
    """Return a whole frame (length + compact UTF-8 JSON); MessageTooLarge above the cap."""
    if any(isinstance(value, EncodedJSON) for value in message.values()):
        body = b"{" + b",".join(
            encode_json(str(key)) + b":"
            + (value.data if isinstance(value, EncodedJSON) else encode_json(value))
            for key, value in message.items()) + b"}"
    else:
        body = encode_json(message)
    if len(body) > max_bytes:
        raise MessageTooLarge(len(body), max_bytes)
    return _LENGTH.pack(len(body)) + body


class FrameWriter:
    """Writes whole frames to one stream under a lock, so concurrent replies never interleave."""

    def __init__(self, stream: BinaryIO, max_bytes: int = MAX_OUTBOUND_BYTES) -> None:
        self._stream = stream
        self._max_bytes = max_bytes
        self._lock = threading.Lock()

    def write(self, message: dict[str, Any]) -> int:
        """Encode and write one frame; returns its size. Raises MessageTooLarge, OSError."""
        return self.write_frame(encode_message(message, self._max_bytes))

    def write_frame(self, frame: bytes) -> int:
        """Write one already encoded frame whole (OSError/ValueError if the stream is gone)."""
        with self._lock:
            self._stream.write(frame)
            self._stream.flush()
        return len(frame)

