"""A plugin answering ``csp_country_rules`` from Partner Center's own ``countryvalidationrules``.

Register it on the host's :class:`~csp_commerce.hooks.manager.HookManager`::

    hooks.register(PartnerCenterCountryRules(client))

Each country's rules are fetched once and cached for ``ttl`` seconds (the offline data's
postal examples and state prefixes fill what Partner Center lacks). When Partner Center
cannot answer (a network failure, an unknown country) the plugin passes (returns None), so the
built-in offline rules answer instead; a failure is remembered for ``retry_failed_after``
seconds so a checkout burst does not hammer the API.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from csp_commerce.errors import InputError, PartnerCenterError
from csp_commerce.hooks import hookimpl
from csp_commerce.validation.postal import CountryRules, offline_rules

if TYPE_CHECKING:
    from collections.abc import Callable

    from csp_commerce.provisioning.async_client import AsyncPartnerCenterClient
    from csp_commerce.provisioning.client import PartnerCenterClient

logger = logging.getLogger("csp_commerce.provisioning")


class PartnerCenterCountryRules:
    """``csp_country_rules`` from Partner Center, cached per country.

    :param client: a sync client fetches on a cache miss; with an async client, call
        :meth:`prefetch` first (hooks are synchronous) and misses pass to the offline rules.
    :param ttl: seconds a country's rules stay cached (default one day).
    :param retry_failed_after: seconds before a country that failed is asked again.
    """

    def __init__(
        self,
        client: PartnerCenterClient | AsyncPartnerCenterClient,
        *,
        ttl: float = 86_400.0,
        retry_failed_after: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.ttl = ttl
        self.retry_failed_after = retry_failed_after
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, CountryRules | None]] = {}

    @hookimpl
    def csp_country_rules(self, country: str) -> CountryRules | None:
        """Partner Center's rules of ``country``, or None to let the offline rules answer."""
        code = country.strip().upper()
        cached = self._cached(code)
        if cached is not None:
            return cached[1]
        from csp_commerce.provisioning.client import PartnerCenterClient

        if not isinstance(self.client, PartnerCenterClient):
            return None
        try:
            payload = self.client.country_validation_rules.get(code).to_wire()
        except PartnerCenterError as error:
            self._failed(code, error)
            return None
        return self._store(code, payload)

    async def prefetch(self, *countries: str) -> None:
        """Fetch (with an async client) the rules of ``countries`` into the cache."""
        from csp_commerce.provisioning.async_client import AsyncPartnerCenterClient

        if not isinstance(self.client, AsyncPartnerCenterClient):
            raise TypeError("prefetch needs an AsyncPartnerCenterClient")
        for country in countries:
            code = country.strip().upper()
            if self._cached(code) is not None:
                continue
            try:
                payload = (await self.client.country_validation_rules.get(code)).to_wire()
            except PartnerCenterError as error:
                self._failed(code, error)
                continue
            self._store(code, payload)

    def clear(self) -> None:
        """Forget every cached country."""
        with self._lock:
            self._cache.clear()

    def _cached(self, code: str) -> tuple[float, CountryRules | None] | None:
        with self._lock:
            entry = self._cache.get(code)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry

    def _store(self, code: str, payload: dict[str, object]) -> CountryRules | None:
        payload.setdefault("iso2Code", code)
        try:
            rules: CountryRules | None = CountryRules.from_partner_center(
                payload, fallback=offline_rules(code)
            )
        except InputError as error:
            self._failed(code, error)
            return None
        with self._lock:
            self._cache[code] = (self._clock() + self.ttl, rules)
        return rules

    def _failed(self, code: str, error: Exception) -> None:
        """Remember a failure for ``retry_failed_after`` seconds (the offline rules answer)."""
        logger.warning(
            "countryvalidationrules for %s unavailable, using offline rules: %s", code, error
        )
        with self._lock:
            self._cache[code] = (self._clock() + self.retry_failed_after, None)
        return


__all__ = ["PartnerCenterCountryRules"]
