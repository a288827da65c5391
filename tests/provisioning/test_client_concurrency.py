"""The clients' cap on requests in flight, their connection pool, their pacing, and the
Retry-After that holds every request of a partner's budget."""

from __future__ import annotations

import asyncio
import bisect
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pc_fakes import FakeCredential

from csp_commerce.errors import ConfigurationError
from csp_commerce.provisioning import (
    AsyncPartnerCenterClient,
    PartnerBudget,
    PartnerCenterClient,
)
from csp_commerce.provisioning.pool import SHARD_SIZE, ShardedAsyncTransport

CUSTOMER = b'{"id": "c-1", "companyProfile": {"domain": "contoso.onmicrosoft.com"}}'
JSON = {"Content-Type": "application/json"}


class InFlight:
    """Counts the requests a fake server is answering at once.

    A request is answered once ``gather`` requests are in (or after a second): on a slow
    machine, preparing each request can take as long as another's answer, so without holding
    them the peak would measure the machine, not the cap.
    """

    def __init__(self, gather: int = 0) -> None:
        self.gather = gather
        self.now = 0
        self.peak = 0
        self.total = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            self.now += 1
            self.total += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self._lock:
            self.now -= 1

    async def held(self) -> None:
        deadline = time.monotonic() + 1.0
        while self.now < self.gather and time.monotonic() < deadline:
            await asyncio.sleep(0.001)


def async_server(counter: InFlight, latency: float = 0.01) -> httpx.AsyncBaseTransport:
    async def answer(request: httpx.Request) -> httpx.Response:
        counter.enter()
        try:
            await counter.held()
            await asyncio.sleep(latency)
            return httpx.Response(200, content=CUSTOMER, headers=JSON)
        finally:
            counter.leave()

    return httpx.MockTransport(answer)


def sync_server(counter: InFlight, latency: float = 0.01) -> httpx.BaseTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        counter.enter()
        try:
            time.sleep(latency)
            return httpx.Response(200, content=CUSTOMER, headers=JSON)
        finally:
            counter.leave()

    return httpx.MockTransport(answer)


# -- the cap on requests in flight ---------------------------------------------------------------


@pytest.mark.parametrize("cap", [1, 5, None])
async def test_async_client_never_has_more_than_its_cap_in_flight(cap: int | None) -> None:
    expected = cap or 50  # the default
    counter = InFlight(gather=expected)
    options: dict[str, Any] = {} if cap is None else {"max_in_flight": cap}
    async with (
        httpx.AsyncClient(transport=async_server(counter)) as http,
        AsyncPartnerCenterClient(FakeCredential(), http_client=http, **options) as client,
    ):
        await asyncio.gather(*(client.customers.get("c-1") for _ in range(3 * expected)))
    assert counter.total == 3 * expected
    assert counter.peak == expected  # never more, and the cap is used


async def test_copies_of_a_client_share_its_cap() -> None:
    counter = InFlight(gather=4)
    async with (
        httpx.AsyncClient(transport=async_server(counter)) as http,
        AsyncPartnerCenterClient(FakeCredential(), http_client=http, max_in_flight=4) as client,
    ):
        copies = [client.with_options(correlation_id=f"order-{n}") for n in range(5)]
        await asyncio.gather(*(copy.customers.get("c-1") for copy in copies for _ in range(4)))
    assert counter.peak == 4


def test_sync_client_shared_by_threads_never_has_more_than_its_cap_in_flight() -> None:
    counter = InFlight()
    with (
        httpx.Client(transport=sync_server(counter)) as http,
        PartnerCenterClient(FakeCredential(), http_client=http, max_in_flight=3) as client,
    ):
        threads = [
            threading.Thread(target=lambda: [client.customers.get("c-1") for _ in range(3)])
            for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert counter.total == 24
    assert counter.peak == 3


def test_a_cap_below_one_or_a_budget_without_the_methods_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="max_in_flight"):
        AsyncPartnerCenterClient(FakeCredential(), max_in_flight=0)
    with pytest.raises(ConfigurationError, match="budget"):
        PartnerCenterClient(FakeCredential(), budget=object())  # type: ignore[arg-type]


# -- the connection pool, over real loopback sockets ---------------------------------------------


class LoopbackServer:
    """A keep-alive HTTP/1.1 server on 127.0.0.1 that counts the connections it accepts (and
    holds each request until ``counter.gather`` are in, as :class:`InFlight` does)."""

    def __init__(self, latency: float, counter: InFlight) -> None:
        self.latency = latency
        self.counter = counter
        self.connections = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while await reader.readuntil(b"\r\n\r\n"):  # GETs only: no body to read
                self.counter.enter()
                await self.counter.held()
                await asyncio.sleep(self.latency)
                self.counter.leave()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(CUSTOMER), CUSTOMER)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            yield f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("cap", [8, 30])
async def test_the_pool_keeps_a_connection_per_request_in_flight(cap: int) -> None:
    # httpx keeps 20 connections alive by default: with 30 in flight, every round would open
    # 10 new ones. Sized to the cap, the first round's connections serve every later round.
    server = LoopbackServer(latency=0.02, counter=InFlight(gather=cap))
    async with server.running() as base_url:
        client = AsyncPartnerCenterClient(FakeCredential(), base_url=base_url, max_in_flight=cap)
        async with client:
            for _ in range(3):
                await asyncio.gather(*(client.customers.get("c-1") for _ in range(cap)))
    assert server.connections == cap
    limits = client.pool_limits()
    assert (limits.max_connections, limits.max_keepalive_connections) == (cap, cap)


# -- pacing ---------------------------------------------------------------------------------------


class VirtualTime:
    """A clock that only the client's sleeps move (requests are answered at once)."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.now += seconds


def busiest_window(starts: list[float], window: float) -> int:
    return max(
        bisect.bisect_right(starts, start + window) - index for index, start in enumerate(starts)
    )


def stamping(starts: list[tuple[str, float]], clock: Callable[[], float]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        starts.append((request.url.path, clock()))
        return httpx.Response(200, content=CUSTOMER, headers=JSON)

    return httpx.MockTransport(answer)


async def test_async_client_is_paced_per_family() -> None:
    virtual = VirtualTime()
    starts: list[tuple[str, float]] = []
    budget = PartnerBudget({"customers": 12}, clock=virtual.clock)
    async with (
        httpx.AsyncClient(transport=stamping(starts, virtual.clock)) as http,
        AsyncPartnerCenterClient(
            FakeCredential(),
            http_client=http,
            clock=virtual.clock,
            sleep=virtual.async_sleep,
            budget=budget,
        ) as client,
    ):
        for _ in range(40):
            await client.customers.get("c-1")
    times = [at for _, at in starts]
    assert busiest_window(times, 60.0) <= 12
    assert times[-1] - times[0] >= 2 * 60.0  # 40 requests at 12 a minute take minutes


def test_sync_client_is_paced_by_the_same_budget() -> None:
    virtual = VirtualTime()
    starts: list[tuple[str, float]] = []
    budget = PartnerBudget({"customers": 12}, clock=virtual.clock)
    with (
        httpx.Client(transport=stamping(starts, virtual.clock)) as http,
        PartnerCenterClient(
            FakeCredential(),
            http_client=http,
            clock=virtual.clock,
            sleep=virtual.sleep,
            budget=budget,
        ) as client,
    ):
        other = client.with_options(correlation_id="another-order")  # shares the budget
        for n in range(40):
            (client if n % 2 else other).customers.get("c-1")
    assert busiest_window([at for _, at in starts], 60.0) <= 12


# -- a Retry-After holds every request of the budget ---------------------------------------------


def throttled_once(
    starts: list[tuple[str, float]], retry_after: str
) -> Callable[[httpx.Request], httpx.Response]:
    """``/v1/customers/a`` is throttled the first time; every request is stamped (real time)."""
    seen: set[str] = set()

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        starts.append((path, time.time()))
        if path.endswith("/a") and path not in seen:
            seen.add(path)
            return httpx.Response(
                429,
                json={"statusCode": 429, "message": "Rate limit is exceeded."},
                headers={"Retry-After": retry_after},
            )
        return httpx.Response(200, content=CUSTOMER, headers=JSON)

    return answer


async def test_async_retry_after_seen_by_one_request_holds_the_others() -> None:
    starts: list[tuple[str, float]] = []
    answer = throttled_once(starts, "0.4")
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http,
        AsyncPartnerCenterClient(FakeCredential(), http_client=http) as client,
    ):
        first = asyncio.create_task(client.customers.get("a"))
        while not starts:
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.02)  # the 429 is in
        sibling = client.with_options(correlation_id="other")  # same partner, same budget
        await asyncio.gather(first, client.customers.get("b"), sibling.customers.get("c"))
    throttled = starts[0][1]
    at = {path.rsplit("/", 1)[1]: when for path, when in starts[1:]}
    assert at["b"] - throttled >= 0.35 and at["c"] - throttled >= 0.35
    assert at["a"] - throttled >= 0.35


async def test_the_throttled_request_is_not_held_twice_by_its_own_pause() -> None:
    starts: list[tuple[str, float]] = []
    recorded: list[float] = []

    async def record(seconds: float) -> None:  # a sleep that does not move the clock
        recorded.append(seconds)

    answer = throttled_once(starts, "7")
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http,
        AsyncPartnerCenterClient(FakeCredential(), http_client=http, sleep=record) as client,
    ):
        await client.customers.get("a")
        assert recorded == [7.0]  # the retry's wait only, not the pause's again
        await client.customers.get("b")  # a later request is held by the pause
    assert len(recorded) == 2 and 6.5 < recorded[1] <= 7.0


async def test_another_partners_budget_is_not_held() -> None:
    starts: list[tuple[str, float]] = []
    answer = throttled_once(starts, "0.4")
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        client = AsyncPartnerCenterClient(FakeCredential(), http_client=http)
        other_partner = AsyncPartnerCenterClient(FakeCredential(), http_client=http)
        first = asyncio.create_task(client.customers.get("a"))
        while not starts:
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.02)
        await other_partner.customers.get("b")
        await first
    at = {path.rsplit("/", 1)[1]: when for path, when in starts[1:]}
    assert at["b"] - starts[0][1] < 0.3


def test_sync_retry_after_seen_by_one_thread_holds_the_others() -> None:
    starts: list[tuple[str, float]] = []
    answer = throttled_once(starts, "0.4")
    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        PartnerCenterClient(FakeCredential(), http_client=http) as client,
    ):
        first = threading.Thread(target=lambda: client.customers.get("a"))
        first.start()
        while not starts:
            time.sleep(0.001)
        time.sleep(0.02)
        client.customers.get("b")
        first.join()
    at = {path.rsplit("/", 1)[1]: when for path, when in starts[1:]}
    assert at["b"] - starts[0][1] >= 0.35


async def test_a_request_already_waiting_for_its_place_is_held_by_a_new_pause() -> None:
    virtual = VirtualTime()
    budget = PartnerBudget({"customers": 6}, clock=virtual.clock)
    starts: list[tuple[str, float]] = []
    async with (
        httpx.AsyncClient(transport=stamping(starts, virtual.clock)) as http,
        AsyncPartnerCenterClient(
            FakeCredential(), http_client=http, clock=virtual.clock, budget=budget
        ) as client,
    ):

        async def sleep_and_pause(seconds: float) -> None:
            # while the second request waits for its place, Partner Center pauses the partner
            budget.pause_until(virtual.now + 100)
            virtual.now += seconds

        await client.customers.get("c-1")  # takes the burst token
        client._sleep = sleep_and_pause
        await client.customers.get("c-1")
    assert starts[1][1] >= starts[0][1] + 100


async def test_the_sharded_pool_gives_every_place_back() -> None:
    server = LoopbackServer(latency=0.005, counter=InFlight(gather=0))
    transport = ShardedAsyncTransport(25)
    assert transport.max_connections == 25
    assert max(transport.sizes) - min(transport.sizes) <= 1  # as even as it can be
    assert max(transport.sizes) <= SHARD_SIZE < 25
    async with server.running() as base_url, httpx.AsyncClient(transport=transport) as http:
        await asyncio.gather(*(http.get(f"{base_url}/v1/customers/c-1") for _ in range(25)))
        async with http.stream("GET", f"{base_url}/v1/customers/c-1") as response:
            assert sum(transport.busy) == 1  # held while its body is unread
            await response.aread()
        assert sum(transport.busy) == 0
        with pytest.raises(httpx.ConnectError):
            await http.get("http://127.0.0.1:1/")  # nothing listens: the place comes back too
        assert set(transport.busy) == {0}
    assert server.connections == 25
