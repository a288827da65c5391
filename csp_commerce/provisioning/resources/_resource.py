"""How a resource is written once and served by both clients.

A resource module describes each operation once, as a function that returns a
:class:`~csp_commerce.provisioning._core.Call` (or a multi-step flow, or a
:class:`~csp_commerce.provisioning._core.PageSpec` for listings). The ``operation`` and
``listing`` descriptors turn that function into a method: on a :class:`SyncResource` it
returns the result, on an :class:`AsyncResource` a coroutine (or an async pager). So the sync
and async twins expose exactly the same methods, with the same signatures and docstrings.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Coroutine, Iterator

    from typing_extensions import Self

    from csp_commerce.provisioning._core import Call, Flow, PageSpec
    from csp_commerce.provisioning.async_client import AsyncPartnerCenterClient
    from csp_commerce.provisioning.blobs import BadRow, BlobPlan
    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.provisioning.pagination import AsyncPager, SyncPager

P = ParamSpec("P")
T = TypeVar("T")


class SyncResource:
    """A group of operations bound to a :class:`PartnerCenterClient`."""

    def __init__(self, client: PartnerCenterClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class AsyncResource:
    """A group of operations bound to an :class:`AsyncPartnerCenterClient`."""

    def __init__(self, client: AsyncPartnerCenterClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def _named(method: Callable[..., Any], build: Callable[..., Any], name: str) -> Any:
    functools.update_wrapper(method, build)
    method.__name__ = name
    method.__qualname__ = name
    return method


class operation(Generic[P, T]):
    """An operation described once by ``build`` (a call or a flow) and run by either client."""

    def __init__(self, build: Callable[P, Call[T] | Flow[T]]) -> None:
        self.build = build
        self.name = build.__name__.lstrip("_")
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: SyncResource, owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, obj: AsyncResource, owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    def __get__(self, obj: object, owner: type[Any]) -> Any:
        if obj is None:
            return self
        build = self.build
        if isinstance(obj, AsyncResource):
            async_client = obj._client

            async def run_async(*args: P.args, **kwargs: P.kwargs) -> T:
                return await async_client._execute(build(*args, **kwargs))

            method = _named(run_async, build, self.name)
        else:
            assert isinstance(obj, SyncResource)
            sync_client = obj._client

            def run(*args: P.args, **kwargs: P.kwargs) -> T:
                return sync_client._execute(build(*args, **kwargs))

            method = _named(run, build, self.name)
        obj.__dict__[self.name] = method  # bound once per resource instance
        return method


class listing(Generic[P, T]):
    """A paged listing described once by ``build``: a lazy pager on either client."""

    def __init__(self, build: Callable[P, PageSpec[T]]) -> None:
        self.build = build
        self.name = build.__name__.lstrip("_")
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: SyncResource, owner: type[Any]) -> Callable[P, SyncPager[T]]: ...
    @overload
    def __get__(self, obj: AsyncResource, owner: type[Any]) -> Callable[P, AsyncPager[T]]: ...
    def __get__(self, obj: object, owner: type[Any]) -> Any:
        if obj is None:
            return self
        from csp_commerce.provisioning.pagination import AsyncPager, SyncPager

        build = self.build
        if isinstance(obj, AsyncResource):
            async_client = obj._client

            def pager_async(*args: P.args, **kwargs: P.kwargs) -> AsyncPager[T]:
                spec = build(*args, **kwargs)
                async_client.preflight(spec.first)  # refuse at the call, not at iteration
                return AsyncPager(async_client, spec)

            method = _named(pager_async, build, self.name)
        else:
            assert isinstance(obj, SyncResource)
            sync_client = obj._client

            def pager(*args: P.args, **kwargs: P.kwargs) -> SyncPager[T]:
                spec = build(*args, **kwargs)
                sync_client.preflight(spec.first)  # refuse at the call, not at iteration
                return SyncPager(sync_client, spec)

            method = _named(pager, build, self.name)
        obj.__dict__[self.name] = method
        return method


class stream(Generic[P, T]):
    """A streamed download described once by ``build`` (a :class:`BlobPlan`): an iterator of
    items (and :class:`BadRow` s) on the sync client, an async iterator on the async one."""

    def __init__(self, build: Callable[P, BlobPlan[T]]) -> None:
        self.build = build
        self.name = build.__name__.lstrip("_")
        self.__doc__ = build.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: SyncResource, owner: type[Any]) -> Callable[P, Iterator[T | BadRow]]: ...
    @overload
    def __get__(
        self, obj: AsyncResource, owner: type[Any]
    ) -> Callable[P, AsyncIterator[T | BadRow]]: ...
    def __get__(self, obj: object, owner: type[Any]) -> Any:
        if obj is None:
            return self
        build = self.build
        if isinstance(obj, AsyncResource):
            async_client = obj._client

            def run_async(*args: P.args, **kwargs: P.kwargs) -> AsyncIterator[T | BadRow]:
                return async_client._stream(build(*args, **kwargs))

            method = _named(run_async, build, self.name)
        else:
            assert isinstance(obj, SyncResource)
            sync_client = obj._client

            def run(*args: P.args, **kwargs: P.kwargs) -> Iterator[T | BadRow]:
                return sync_client._stream(build(*args, **kwargs))

            method = _named(run, build, self.name)
        obj.__dict__[self.name] = method
        return method


def quote(segment: str) -> str:
    """A path segment, percent-encoded (ids never smuggle a ``/`` or ``?`` into a path)."""
    from urllib.parse import quote as _quote

    if not segment:
        raise ValueError("an id in a path must not be empty")
    return _quote(segment, safe="")


R = TypeVar("R", bound="SyncResource | AsyncResource")


def resource(kind: type[R]) -> functools.cached_property[R]:
    """A client attribute serving the resource ``kind``, built on first use and then kept.

    Its documentation is the resource class's.
    """

    def build(client: Any) -> R:
        return kind(client)

    build.__doc__ = kind.__doc__
    return functools.cached_property(build)
