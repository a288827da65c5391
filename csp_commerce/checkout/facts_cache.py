"""Facts that rarely change, kept for the next orders of a batch: :class:`FactsCache`."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

#: What :meth:`FactsCache.get` answers for a key it does not hold (or holds no longer).
MISSING: Any = object()


class FactsCache:
    """Partner Center facts shared by the orders of a batch, each kept for ``ttl`` seconds.

    :func:`~csp_commerce.checkout.gather_facts.gather_facts` keeps an indirect reseller's MPN
    profile and MPA status here (by partner and MPN id) and the partner's list of indirect
    resellers (by partner), so the later orders of a reseller read none of them again. Only
    facts that let an order through are kept: an unknown MPN id, an unsigned MPA or a reseller
    missing from the list is read again for the next order, so a reseller who has just signed
    or been related is not refused from the cache. A :class:`~csp_commerce.Checkout` holds one
    (``checkout.facts_cache``); pass it to ``gather_facts(..., cache=...)``. Safe to share
    between threads.
    """

    def __init__(self, ttl: float = 300.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        if ttl < 0:
            raise ValueError("ttl must be zero or more seconds")
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable) -> Any:
        """The value kept under ``key``, or :data:`MISSING` (never kept, or expired)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return MISSING
            expires, value = entry
            if self._clock() >= expires:
                del self._entries[key]
                return MISSING
            return value

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` under ``key`` for ``ttl`` seconds from now."""
        with self._lock:
            self._entries[key] = (self._clock() + self.ttl, value)

    def clear(self) -> None:
        """Forget everything (e.g. after changing a reseller's standing)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            now = self._clock()
            return sum(1 for expires, _ in self._entries.values() if now < expires)


__all__ = ["MISSING", "FactsCache"]
