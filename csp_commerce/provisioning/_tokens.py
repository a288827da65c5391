"""The clients' token caches: a refresh margin, and one refresh in flight at a time."""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

#: Refresh this many seconds before a token expires.
REFRESH_MARGIN = 120.0


def _read(token: Any) -> tuple[str, float]:
    value, expires_on = getattr(token, "token", None), getattr(token, "expires_on", None)
    if not isinstance(value, str) or not isinstance(expires_on, int | float):
        raise TypeError("get_token must return an object with .token (str) and .expires_on")
    return value, float(expires_on)


class _CachedToken:
    """A cached token for one scope, refreshed ``margin`` seconds before it expires."""

    def __init__(
        self,
        credential: Any,
        scope: str,
        *,
        margin: float = REFRESH_MARGIN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._credential = credential
        self._scope = scope
        self._margin = margin
        self._clock = clock
        self._token: tuple[str, float] | None = None

    def _fresh(self) -> str | None:
        cached = self._token
        if cached is not None and cached[1] - self._margin > self._clock():
            return cached[0]
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(scope={self._scope!r})"


class TokenProvider(_CachedToken):
    """Sync: a thread lock lets one refresh run at a time."""

    def __init__(self, credential: Any, scope: str, **options: Any) -> None:
        super().__init__(credential, scope, **options)
        self._lock = threading.Lock()

    def get(self) -> str:
        """A token valid for at least ``margin`` more seconds."""
        token = self._fresh()
        if token is not None:
            return token
        with self._lock:
            token = self._fresh()
            if token is not None:
                return token
            self._token = _read(self._credential.get_token(self._scope))
            return self._token[0]


class AsyncTokenProvider(_CachedToken):
    """Async: an asyncio lock lets one refresh run at a time.

    An async credential (azure-identity's ``aio`` ones) is awaited; a sync one (ours, msal's) is
    run in a worker thread so the event loop never blocks on Entra ID.
    """

    def __init__(self, credential: Any, scope: str, **options: Any) -> None:
        super().__init__(credential, scope, **options)
        self._lock: asyncio.Lock | None = None

    async def get(self) -> str:
        """A token valid for at least ``margin`` more seconds."""
        token = self._fresh()
        if token is not None:
            return token
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            token = self._fresh()
            if token is not None:
                return token
            get_token = self._credential.get_token
            if inspect.iscoroutinefunction(get_token):
                answer = await get_token(self._scope)
            else:
                answer = await asyncio.to_thread(get_token, self._scope)
            self._token = _read(answer)
            return self._token[0]
