"""A small threaded HTTP server around a receiver (``csp-commerce webhooks serve``, tests).

Production hosts mount :meth:`WebhookReceiver.handle` or :meth:`WebhookReceiver.asgi_app` in
their own web app behind TLS; this server is for trying a registration out and for the sandbox.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import TracebackType

    from csp_commerce.events.receiver import WebhookReceiver

MAX_BODY = 1 << 20


class ReceiverServer:
    """Serves ``receiver`` at ``path`` (POST only) on ``host:port`` (0: any free port)."""

    def __init__(
        self, receiver: WebhookReceiver, host: str = "127.0.0.1", port: int = 0, path: str = "/"
    ) -> None:
        self.receiver = receiver
        self.path = "/" + path.strip("/")
        self.httpd = ThreadingHTTPServer((host, port), self._handler())
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The URL to register, e.g. ``http://127.0.0.1:8090/events``."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the receiver logs what matters."""

            def _answer(self, status: int, content: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_POST(self) -> None:
                if self.path.split("?", 1)[0].rstrip("/") != server.path.rstrip("/"):
                    self._answer(404, b'{"error":"not-found"}')
                    return
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    length = -1
                if not 0 <= length <= MAX_BODY:
                    self._answer(413, b'{"error":"too-large"}')
                    return
                body = self.rfile.read(length)
                response = server.receiver.handle(body, dict(self.headers.items()))
                self._answer(response.status, response.content)

            def do_GET(self) -> None:
                self._answer(405, b'{"error":"method-not-allowed"}')

        return Handler

    def start(self) -> ReceiverServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> ReceiverServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
