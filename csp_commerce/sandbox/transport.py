"""In-process front end: an httpx transport (sync and async) over the emulated service."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from csp_commerce.sandbox.faults import Fault

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from csp_commerce.sandbox.app import App, Exchange


class SandboxTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Routes httpx requests to the sandbox without a socket.

    Latency is slept with ``sleep`` / ``async_sleep`` (injectable, so tests need not wait);
    lost answers are raised as httpx exceptions: a timeout or a dropped answer as
    :class:`httpx.ReadTimeout`, a reset as :class:`httpx.ReadError`.
    """

    def __init__(
        self,
        app: App,
        *,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._app = app
        self._sleep = sleep
        self._async_sleep = async_sleep

    def _exchange(self, request: httpx.Request, body: bytes) -> Exchange:
        return self._app.exchange(
            request.method,
            request.url.path,
            dict(request.url.params.multi_items()),
            dict(request.headers.items()),
            body,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Serve one request synchronously."""
        exchange = self._exchange(request, request.read())
        if exchange.latency:
            self._sleep(exchange.latency)
        return _deliver(exchange, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Serve one request from async code."""
        exchange = self._exchange(request, await request.aread())
        if exchange.latency:
            await self._async_sleep(exchange.latency)
        return _deliver(exchange, request)


def _deliver(exchange: Exchange, request: httpx.Request) -> httpx.Response:
    if exchange.fault is Fault.CONNECTION_RESET:
        raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
    if exchange.fault in (Fault.TIMEOUT, Fault.COMMIT_THEN_DROP):
        raise httpx.ReadTimeout("The read operation timed out", request=request)
    response = exchange.response
    # A byte stream, not ``content=``: a caller streaming the answer (an export blob) reads it
    # as it would off a socket; httpx reads it whole for everyone else.
    return httpx.Response(
        response.status,
        headers={**response.headers, "Content-Length": str(len(response.content))},
        stream=httpx.ByteStream(response.content),
        request=request,
    )
