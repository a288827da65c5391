"""Lazy pagination: links.next with its headers, offset paging for invoices."""

from __future__ import annotations

import httpx
import pytest
import respx
from pc_fakes import collection

from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient


def seek_pages(router: respx.MockRouter) -> respx.Route:
    """Three pages of customers; pages 2 and 3 need the continuation token of the one before."""

    def respond(request: httpx.Request) -> httpx.Response:
        token = request.headers.get("MS-ContinuationToken")
        uri = "/v1/customers?size=2&seekOperation=Next"
        if token is None:
            return httpx.Response(200, json=collection([{"id": "1"}, {"id": "2"}], "t1", uri))
        if token == "t1":
            return httpx.Response(200, json=collection([{"id": "3"}, {"id": "4"}], "t2", uri))
        assert token == "t2"
        return httpx.Response(200, json=collection([{"id": "5"}]))

    return router.get("/v1/customers").mock(side_effect=respond)


def test_follows_links_next_with_its_headers(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    route = seek_pages(router)
    pager = client.customers.list(size=2)
    assert route.call_count == 0  # lazy: nothing until iteration
    assert [c.id for c in pager] == ["1", "2", "3", "4", "5"]
    assert route.call_count == 3
    second = route.calls[1].request
    assert second.url.params["seekOperation"] == "Next"
    assert second.headers["MS-ContinuationToken"] == "t1"
    ids = [call.request.headers["MS-RequestId"] for call in route.calls]
    assert len(set(ids)) == 3  # each page is its own logical operation


def test_pages_stop_where_the_consumer_stops(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    route = seek_pages(router)
    first = next(iter(client.customers.list(size=2)))
    assert first.id == "1" and route.call_count == 1
    assert [len(page.items) for page in client.customers.list(size=2).pages()] == [2, 2, 1]


async def test_async_follows_links(
    async_client: AsyncPartnerCenterClient, router: respx.MockRouter
) -> None:
    seek_pages(router)
    ids = [c.id async for c in async_client.customers.list(size=2)]
    assert ids == ["1", "2", "3", "4", "5"]
    page = await async_client.customers.list(size=2).first_page()
    assert page.next_link is not None


@pytest.mark.parametrize(
    "uri",
    [
        "/v1/customers?size=2&seekOperation=Next",
        "customers?size=2&seekOperation=Next",
        "/customers?size=2&seekOperation=Next",
        "https://api.partnercenter.microsoft.com/v1/customers?size=2&seekOperation=Next",
    ],
)
def test_link_uri_forms(uri: str, client: PartnerCenterClient, router: respx.MockRouter) -> None:
    route = router.get("/v1/customers").mock(
        side_effect=[
            httpx.Response(200, json=collection([{"id": "1"}], "t", uri)),
            httpx.Response(200, json=collection([{"id": "2"}])),
        ]
    )
    assert [c.id for c in client.customers.list(size=1)] == ["1", "2"]
    assert route.calls[1].request.url.path == "/v1/customers"


def test_a_repeating_link_does_not_loop_forever(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    uri = "/v1/customers?seekOperation=Next"
    route = router.get("/v1/customers").respond(json=collection([{"id": "1"}], "same", uri))
    assert [c.id for c in client.customers.list()] == ["1", "1"]
    assert route.call_count == 2


def test_invoices_page_by_offset(client: PartnerCenterClient, router: respx.MockRouter) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        items = [{"id": f"G{n}"} for n in range(offset, min(offset + 2, 5))]
        return httpx.Response(200, json={"totalCount": len(items), "items": items})

    route = router.get("/v1/invoices").mock(side_effect=respond)
    assert [i.id for i in client.invoices.list(size=2)] == ["G0", "G1", "G2", "G3", "G4"]
    assert [call.request.url.params["offset"] for call in route.calls] == ["0", "2", "4"]
    assert {call.request.url.params["size"] for call in route.calls} == {"2"}


def test_offset_paging_goes_on_when_the_server_caps_pages_below_the_size_asked(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        items = [{"id": f"G{n}"} for n in range(offset, min(offset + 2, 7))]  # at most 2
        return httpx.Response(200, json={"totalCount": 7, "items": items})

    router.get("/v1/invoices").mock(side_effect=respond)
    assert [i.id for i in client.invoices.list(size=5)] == [f"G{n}" for n in range(7)]
