"""The countryvalidationrules plugin: cached per country with a TTL, falls back when it fails."""

from __future__ import annotations

import httpx
import respx
from pc_fakes import FakeCredential, pc_error

from csp_commerce.hooks.builtin.pc_country_rules_hooks import PartnerCenterCountryRules
from csp_commerce.hooks.manager import HookManager
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient

CURRENT = {
    "iso2Code": "US",
    "isStateRequired": True,
    "supportedStatesList": ["WA", "OR"],
    "isPostalCodeRequired": True,
    "postalCodeRegex": "^\\d{5}(-\\d{4})?$",
    "isCityRequired": True,
}
OLDER = {
    "iso2Code": "CA",
    "isStateRequired": True,
    "states": {"value": ["BC", "ON"]},
    "isPostalCodeRequired": True,
    "postalCodeRegex": "^[A-Z]\\d[A-Z] ?\\d[A-Z]\\d$",
}


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rules_come_from_partner_center_and_are_cached(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    route = router.get("/v1/countryvalidationrules/US").respond(json=CURRENT)
    clock = Clock()
    plugin = PartnerCenterCountryRules(client, ttl=100, clock=clock)
    rules = plugin.csp_country_rules("us")
    assert rules is not None and rules.states == frozenset({"WA", "OR"})
    assert rules.postal_code_required and rules.state_required
    assert plugin.csp_country_rules("US") is rules
    assert route.call_count == 1
    clock.now = 101
    plugin.csp_country_rules("US")
    assert route.call_count == 2


def test_both_json_shapes(client: PartnerCenterClient, router: respx.MockRouter) -> None:
    router.get("/v1/countryvalidationrules/CA").respond(json=OLDER)
    rules = PartnerCenterCountryRules(client).csp_country_rules("CA")
    assert rules is not None and rules.states == frozenset({"BC", "ON"})


def test_failures_pass_to_the_offline_rules_for_a_while(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    route = router.get("/v1/countryvalidationrules/XX").mock(return_value=pc_error(400, 2000))
    clock = Clock()
    plugin = PartnerCenterCountryRules(client, retry_failed_after=10, clock=clock)
    assert plugin.csp_country_rules("XX") is None
    assert plugin.csp_country_rules("XX") is None
    assert route.call_count == 1
    clock.now = 11
    plugin.csp_country_rules("XX")
    assert route.call_count == 2


def test_plugin_overrides_the_builtin_through_the_hook(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    router.get("/v1/countryvalidationrules/US").respond(json=CURRENT)
    hooks = HookManager(entry_points=False, plugins=[PartnerCenterCountryRules(client)])
    rules = hooks.country_rules("US")
    assert rules is not None and rules.states == frozenset({"WA", "OR"})


async def test_async_client_prefetches(router: respx.MockRouter) -> None:
    route = router.get("/v1/countryvalidationrules/US").respond(json=CURRENT)
    async with AsyncPartnerCenterClient(
        FakeCredential(), http_client=httpx.AsyncClient()
    ) as client:
        plugin = PartnerCenterCountryRules(client)
        assert plugin.csp_country_rules("US") is None  # hooks are sync: a miss passes
        await plugin.prefetch("US", "us")
    rules = plugin.csp_country_rules("US")
    assert rules is not None and rules.states == frozenset({"WA", "OR"})
    assert route.call_count == 1
    plugin.clear()
    assert plugin.csp_country_rules("US") is None
