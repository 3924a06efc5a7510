"""Loopback HTTP plumbing shared by the stand-in's servers.

Every server binds 127.0.0.1 only (a test reaches nothing beyond loopback), runs in a daemon
thread, and on stop also cuts keep-alive connections and releases hanging fault handlers, so a
stopped stand-in never answers another request and never keeps a test waiting.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import struct
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

LOOPBACK = "127.0.0.1"
# Bodies of STS and federation requests are a few KiB; anything far larger is a client bug.
MAX_BODY_BYTES = 1024 * 1024

log = logging.getLogger("support.standin")


class LoopbackHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1 that can cut all its open connections."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int = 0,
                 context: Any = None) -> None:
        self.context = context
        # Set on stop: fault handlers that simulate a hang wait on it and return at once.
        self.released = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((LOOPBACK, port), handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def cut_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its handler


class ServingThread:
    """Runs one LoopbackHTTPServer in a daemon thread; stop() is idempotent and bounded."""

    def __init__(self, server: LoopbackHTTPServer, name: str) -> None:
        self.server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"standin-{name}-{server.port}", daemon=True)
        self._stopped = False

    def start(self) -> ServingThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.server.released.set()
        self.server.shutdown()
        self.server.cut_connections()
        self.server.server_close()
        self._thread.join(timeout=5)


class StandinHandler(BaseHTTPRequestHandler):
    """Base handler: HTTP/1.1 keep-alive, bounded bodies, quiet logs, fault helpers."""

    protocol_version = "HTTP/1.1"
    # An idle keep-alive connection is dropped after this long, so threads never pile up.
    timeout = 30
    # Without TCP_NODELAY every keep-alive response waits ~40 ms for a delayed ACK, which
    # would hide the host's own latency in benchmarks and slow every test.
    disable_nagle_algorithm = True
    server: LoopbackHTTPServer
    server_version = "roleport-standin"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        # The default writes the request line (with query strings such as SigninToken=...)
        # to stderr; secrets must not reach logs, so only the path without query is kept.
        # An idle keep-alive connection that times out has no request line (no command/path).
        log.debug("%s %s", getattr(self, "command", "-"),
                  urlsplit(getattr(self, "path", "")).path)

    def read_body(self) -> bytes:
        length_header = self.headers.get("Content-Length") or "0"
        try:
            length = int(length_header)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            return b""
        return self.rfile.read(length) if length else b""

    def request_params(self, body: bytes) -> dict[str, str]:
        """Query-string parameters, overridden by a form-encoded body (last value wins)."""
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if body and content_type in ("application/x-www-form-urlencoded", ""):
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return params

    def send(self, status: int, body: bytes | str, content_type: str,
             headers: Mapping[str, str] | None = None) -> None:
        payload = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def send_json(self, status: int, document: Any,
                  headers: Mapping[str, str] | None = None) -> None:
        self.send(status, json.dumps(document), "application/json", headers)

    def redirect(self, location: str, headers: Mapping[str, str] | None = None) -> None:
        self.send(302, b"", "text/plain", {"Location": location, **(headers or {})})

    def reset_connection(self) -> None:
        """Abort with a TCP RST (SO_LINGER 0), the way a dropped upstream looks to a client."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            # detach() + os.close closes the descriptor now, although rfile/wfile still
            # reference the socket object (a plain close() would wait for them).
            os.close(self.connection.detach())
        except OSError:
            pass

    def hang(self, seconds: float) -> None:
        """Answer nothing for `seconds` (or until the server stops), then drop the connection."""
        self.server.released.wait(seconds)
        self.reset_connection()
