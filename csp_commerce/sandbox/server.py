"""Over-HTTP front end: the sandbox on a local port, for hosts testing in any language.

Built on the standard library's :class:`http.server.ThreadingHTTPServer`; bound to 127.0.0.1
unless told otherwise. Lost answers are emulated on the socket: a timeout holds the request and
then closes the connection, a reset closes it with RST, commit-then-drop closes it unanswered.
A request whose body ends before its ``Content-Length`` (a client killed mid-send) is dropped
unserved.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from csp_commerce.sandbox.faults import Fault

if TYPE_CHECKING:
    from types import TracebackType

    from csp_commerce.sandbox import Sandbox

DEFAULT_HOST = "127.0.0.1"


def _handler_class(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes: without TCP_NODELAY the body waits for the
        # client's delayed ACK (~40 ms a response on Linux).
        disable_nagle_algorithm = True
        server_version = "csp-commerce-sandbox"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the sandbox is used in tests and demos."""

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if len(body) < length:
                # The client went away mid-request (killed between the headers and the body,
                # or during it): Partner Center never sees an incomplete request, so neither
                # does the app. Served, a missing body would be refused and that refusal
                # replayed to the request id's every later attempt.
                self.close_connection = True
                return
            url = urlsplit(self.path)
            exchange = sandbox.app.exchange(
                self.command,
                url.path,
                dict(parse_qsl(url.query, keep_blank_values=True)),
                dict(self.headers.items()),
                body,
            )
            if exchange.latency:
                time.sleep(exchange.latency)
            if exchange.fault is Fault.TIMEOUT:
                time.sleep(sandbox.faults.plan.timeout_hold_seconds)
            if exchange.fault is Fault.CONNECTION_RESET:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            if not exchange.delivered:
                self.close_connection = True
                return
            response = exchange.response
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    return Handler


class SandboxServer:
    """A running sandbox HTTP server (a context manager; :meth:`stop` shuts it down)."""

    def __init__(
        self,
        sandbox: Sandbox,
        host: str = DEFAULT_HOST,
        port: int = 0,
        *,
        deliver_webhooks_every: float | None = None,
    ) -> None:
        self.httpd = ThreadingHTTPServer((host, port), _handler_class(sandbox))
        self.httpd.daemon_threads = True
        self.sandbox = sandbox
        sandbox.webhook_base_url = self.url
        self._thread: threading.Thread | None = None
        self._every = deliver_webhooks_every
        self._stopping = threading.Event()
        self._courier: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL to point a client at, e.g. ``http://127.0.0.1:8080``."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SandboxServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        if self._every is not None:
            self._courier = threading.Thread(target=self._deliver, daemon=True)
            self._courier.start()
        return self

    def _deliver(self) -> None:
        """Send the sandbox's queued webhook events every ``deliver_webhooks_every`` seconds."""
        assert self._every is not None
        while not self._stopping.wait(self._every):
            self.sandbox.deliver_webhooks()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._stopping.set()
        if self._courier is not None:
            self._courier.join(timeout=15)
            self._courier = None
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve(host: str = DEFAULT_HOST, port: int = 8080, sandbox: Sandbox | None = None) -> None:
    """Serve ``sandbox`` (a fresh one if None) on ``host:port`` until interrupted."""
    if sandbox is None:
        from csp_commerce.sandbox import Sandbox

        sandbox = Sandbox()
    server = SandboxServer(sandbox, host, port)
    try:
        server.httpd.serve_forever(poll_interval=0.2)
    finally:
        server.httpd.server_close()
