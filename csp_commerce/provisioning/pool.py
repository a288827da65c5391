"""The async client's connection pool: a few small httpcore pools instead of one large one.

httpcore's pool, on every request that starts or ends, checks each of its connections (idle?
expired? its socket readable?) against each queued request: its cost per request grows with its
size. At 50 connections that scan was over half of the async client's CPU per request (profiled
over loopback sockets, ``bench/bench_async_client.py``). Split into pools of at most
:data:`SHARD_SIZE` connections, with each request sent through the least busy, the same number
of connections costs far less CPU per request (measured at 50 connections, 1,000 GETs: one pool
5.5 ms, shards of 10 3.7 ms, shards of 2 2.4 ms, on a loaded machine), and no request queues
inside a pool as long as the client's cap (``max_in_flight``) equals the pools' total.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import httpx

from csp_commerce.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

#: The most connections one shard keeps.
SHARD_SIZE = 2


class _Released(httpx.AsyncByteStream):
    """A response body that gives its shard's place back once read or closed (the connection
    is busy until then)."""

    def __init__(self, inner: httpx.AsyncByteStream, pool: ShardedAsyncTransport, shard: int):
        self._inner = inner
        self._pool = pool
        self._shard = shard
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            if not self._done:
                self._done = True
                self._pool.release(self._shard)


class ShardedAsyncTransport(httpx.AsyncBaseTransport):
    """An async transport of ``max_connections`` connections, all kept alive, in shards of at
    most :data:`SHARD_SIZE`; each request goes through the shard with the most room."""

    def __init__(self, max_connections: int, **transport_options: object) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        count = -(-max_connections // SHARD_SIZE)
        base, extra = divmod(max_connections, count)
        self.sizes = [base + (1 if n < extra else 0) for n in range(count)]
        self.busy = [0] * count
        self._shards = [
            httpx.AsyncHTTPTransport(
                limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
                **transport_options,  # type: ignore[arg-type]
            )
            for size in self.sizes
        ]

    @property
    def max_connections(self) -> int:
        """The connections of every shard together (each one kept alive)."""
        return sum(self.sizes)

    def release(self, shard: int) -> None:
        """A request through ``shard`` is over."""
        self.busy[shard] -= 1

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the shard with the most free connections."""
        shard = max(range(len(self.sizes)), key=lambda n: self.sizes[n] - self.busy[n])
        self.busy[shard] += 1
        try:
            response = await self._shards[shard].handle_async_request(request)
        except BaseException:
            self.release(shard)
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Released(response.stream, self, shard)
        return response

    async def aclose(self) -> None:
        """Close every shard."""
        for shard in self._shards:
            await shard.aclose()


#: The HTTP stacks the async client can send through.
HttpBackend = Literal["httpcore", "aiohttp"]


def async_transport(backend: HttpBackend, max_connections: int) -> httpx.AsyncBaseTransport:
    """The transport of an async client that keeps ``max_connections`` connections alive.

    ``httpcore`` (the default) is httpx's own, sharded as above. ``aiohttp`` sends through
    aiohttp's connection pool (``pip install 'csp-commerce[aiohttp]'``, the ``httpx-aiohttp``
    transport): about 2.5 times less CPU per request than the default, measured over loopback
    sockets (``bench/bench_async_client.py``), which is what a busy host runs out of.
    """
    if backend == "httpcore":
        return ShardedAsyncTransport(max_connections)
    if backend != "aiohttp":
        raise ConfigurationError(f"unknown HTTP backend {backend!r}: use 'httpcore' or 'aiohttp'")
    try:
        from httpx_aiohttp import AiohttpTransport
    except ImportError:
        raise ConfigurationError(
            "the aiohttp HTTP backend needs aiohttp: pip install 'csp-commerce[aiohttp]'"
        ) from None
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return AiohttpTransport(limits=limits)


__all__ = ["SHARD_SIZE", "HttpBackend", "ShardedAsyncTransport", "async_transport"]
