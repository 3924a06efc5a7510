"""Unit tests of roleport.framing over in-memory streams: lengths, caps, truncation, bad
UTF-8 and JSON, concurrent writers."""

from __future__ import annotations

import io
import json
import struct
import sys
import threading
import time

import pytest
from roleport.framing import (
    MAX_INBOUND_BYTES,
    MAX_OUTBOUND_BYTES,
    FrameError,
    FrameWriter,
    MessageTooLarge,
    decode_message,
    encode_message,
    read_frame,
    read_message,
)


def frame(body: bytes) -> bytes:
    return struct.pack("=I", len(body)) + body


def json_frame(message: object) -> bytes:
    return frame(json.dumps(message).encode())


class TrickleStream(io.RawIOBase):
    """Returns at most ``step`` bytes per read, like a pipe under load."""

    def __init__(self, data: bytes, step: int = 1) -> None:
        self._data = data
        self._position = 0
        self._step = step
        self.largest_request = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.largest_request = max(self.largest_request, size)
        chunk = self._data[self._position:self._position + min(size, self._step)]
        self._position += len(chunk)
        return chunk


def test_exact_frame_round_trip_in_native_byte_order() -> None:
    message = {"id": 7, "action": "hello", "params": {"name": "d\u00e9v-\u2603"}}
    encoded = encode_message(message)
    assert int.from_bytes(encoded[:4], sys.byteorder) == len(encoded) - 4
    assert read_message(io.BytesIO(encoded)) == message


def test_two_frames_then_clean_end_of_input() -> None:
    stream = io.BytesIO(json_frame({"id": 1}) + json_frame({"id": 2}))
    assert read_message(stream) == {"id": 1}
    assert read_message(stream) == {"id": 2}
    assert read_message(stream) is None


def test_empty_input_is_a_clean_end() -> None:
    assert read_frame(io.BytesIO(b"")) is None


def test_short_reads_are_looped_over() -> None:
    message = {"id": "a", "action": "profiles", "params": {"pad": "x" * 5000}}
    stream = TrickleStream(json_frame(message) + json_frame({"id": "b"}), step=3)
    assert read_message(stream) == message
    assert read_message(stream) == {"id": "b"}
    assert read_message(stream) is None


@pytest.mark.parametrize("header", [b"\x05", b"\x05\x00", b"\x05\x00\x00"])
def test_truncated_length_is_unrecoverable(header: bytes) -> None:
    with pytest.raises(FrameError) as caught:
        read_frame(io.BytesIO(header))
    assert caught.value.reason == "truncated"
    assert not caught.value.recoverable
    assert f"{len(header)} of 4 bytes" in caught.value.detail


def test_truncated_body_is_unrecoverable() -> None:
    data = json_frame({"id": 1, "action": "hello"})[:-3]
    with pytest.raises(FrameError) as caught:
        read_frame(io.BytesIO(data))
    assert caught.value.reason == "truncated"
    assert not caught.value.recoverable


def test_oversize_inbound_length_is_refused_before_reading_the_body() -> None:
    announced = MAX_INBOUND_BYTES + 1
    stream = TrickleStream(struct.pack("=I", announced) + b"{" * 100, step=1 << 20)
    with pytest.raises(FrameError) as caught:
        read_frame(stream)
    assert caught.value.reason == "too_large"
    assert caught.value.size == announced
    assert not caught.value.recoverable
    assert stream.largest_request <= 4  # only the length header was asked for


def test_huge_length_never_allocates() -> None:
    with pytest.raises(FrameError) as caught:
        read_frame(io.BytesIO(b"\xff\xff\xff\xff"))
    assert caught.value.size == 0xFFFFFFFF


def test_body_read_is_chunked_not_one_allocation_of_the_announced_size() -> None:
    body = json.dumps({"pad": "y" * (MAX_INBOUND_BYTES - 20)}).encode()
    stream = TrickleStream(frame(body), step=1 << 30)
    assert read_frame(stream) == body
    assert stream.largest_request <= 64 * 1024


def test_inbound_cap_is_inclusive() -> None:
    body = json.dumps({"pad": "z" * (MAX_INBOUND_BYTES - 11)}).encode()
    assert len(body) == MAX_INBOUND_BYTES
    assert read_message(io.BytesIO(frame(body)))["pad"].startswith("zzz")


def test_non_utf8_body_is_recoverable_and_the_stream_stays_aligned() -> None:
    stream = io.BytesIO(frame(b'{"id": "\xff\xfe"}') + json_frame({"id": 2}))
    with pytest.raises(FrameError) as caught:
        read_message(stream)
    assert caught.value.reason == "bad_utf8"
    assert caught.value.recoverable
    assert read_message(stream) == {"id": 2}


@pytest.mark.parametrize("body", [b"", b"{", b"{'id': 1}", b"hello", b'{"id": 1} x',
                                  b"[" * 100_000])
def test_non_json_body_is_recoverable(body: bytes) -> None:
    with pytest.raises(FrameError) as caught:
        decode_message(body)
    assert caught.value.reason == "bad_json"
    assert caught.value.recoverable


@pytest.mark.parametrize("body", [b"[]", b"1", b'"hello"', b"null", b"true", b"[{}]"])
def test_json_that_is_not_an_object_is_rejected(body: bytes) -> None:
    with pytest.raises(FrameError) as caught:
        decode_message(body)
    assert caught.value.reason == "not_object"
    assert caught.value.recoverable
    assert "not an object" in caught.value.detail


def test_error_details_never_echo_the_payload() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    with pytest.raises(FrameError) as caught:
        decode_message(f'{{"secret": "{secret}"'.encode())
    assert secret not in str(caught.value)


def test_oversize_outbound_is_never_written() -> None:
    sink = io.BytesIO()
    writer = FrameWriter(sink)
    with pytest.raises(MessageTooLarge) as caught:
        writer.write({"result": "x" * MAX_OUTBOUND_BYTES})
    assert caught.value.size > MAX_OUTBOUND_BYTES
    assert sink.getvalue() == b""


def test_outbound_cap_is_inclusive_and_compact() -> None:
    message = {"a": "b" * (MAX_OUTBOUND_BYTES - 8)}
    encoded = encode_message(message)
    assert len(encoded) == MAX_OUTBOUND_BYTES + 4
    assert b" " not in encoded[4:12]


def test_lone_surrogates_fall_back_to_escapes() -> None:
    message = decode_message(b'{"id": "\\ud800x"}')
    encoded = encode_message(message)
    assert encoded[4:].isascii()
    assert read_message(io.BytesIO(encoded)) == message


def test_non_finite_numbers_are_not_written_as_invalid_json() -> None:
    with pytest.raises(ValueError):
        encode_message({"x": float("nan")})


class SlowSink(io.BytesIO):
    """Writes in two halves with a thread switch between, as a pipe does with a large frame
    (a single BytesIO.write is atomic under the GIL and could never interleave)."""

    def write(self, data: bytes) -> int:  # type: ignore[override]
        half = len(data) // 2
        super().write(data[:half])
        time.sleep(0)  # yield to the other writers here
        super().write(data[half:])
        return len(data)


def test_concurrent_writes_never_interleave() -> None:
    sink = SlowSink()
    writer = FrameWriter(sink)

    def write_many(tag: int) -> None:
        for index in range(200):
            writer.write({"id": f"{tag}-{index}", "pad": "p" * (tag * 100)})

    threads = [threading.Thread(target=write_many, args=(tag,)) for tag in range(1, 6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stream = io.BytesIO(sink.getvalue())
    seen = set()
    while (message := read_message(stream)) is not None:
        seen.add(message["id"])
    assert len(seen) == 1000
