"""Lazy iterators over Partner Center's paged collections (sync and async).

Nothing is fetched until iteration starts; each page is one logical operation (its own
MS-RequestId, retried like any other). Seek-paged collections are followed through
``links.next`` (its URI, method and headers such as ``MS-ContinuationToken``) until it is
absent; invoices page by offset until a short page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from csp_commerce.provisioning._core import PageSpec
    from csp_commerce.provisioning.async_client import AsyncPartnerCenterClient
    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.provisioning.wire import Collection

T = TypeVar("T")


class SyncPager(Generic[T]):
    """Iterate the items of every page; ``pages()`` gives the pages themselves."""

    def __init__(self, client: PartnerCenterClient, spec: PageSpec[T]) -> None:
        self._client = client
        self._spec = spec

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def pages(self) -> Iterator[Collection[T]]:
        """Each page in turn, fetched when the previous one has been consumed."""
        call = self._spec.first
        while True:
            page = self._client._send(call)
            yield page
            following = self._spec.next_call(page, call)
            if following is None:
                return
            call = following

    def first_page(self) -> Collection[T]:
        """Only the first page."""
        return self._client._send(self._spec.first)


class AsyncPager(Generic[T]):
    """``async for`` over the items of every page; ``pages()`` gives the pages themselves."""

    def __init__(self, client: AsyncPartnerCenterClient, spec: PageSpec[T]) -> None:
        self._client = client
        self._spec = spec

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def pages(self) -> AsyncIterator[Collection[T]]:
        """Each page in turn, fetched when the previous one has been consumed."""
        call = self._spec.first
        while True:
            page = await self._client._send(call)
            yield page
            following = self._spec.next_call(page, call)
            if following is None:
                return
            call = following

    async def first_page(self) -> Collection[T]:
        """Only the first page."""
        return await self._client._send(self._spec.first)

    async def to_list(self) -> list[T]:
        """Every item of every page."""
        return [item async for item in self]


__all__ = ["AsyncPager", "SyncPager"]
