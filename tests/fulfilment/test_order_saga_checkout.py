from __future__ import annotations

from pathlib import Path

import pytest
from fulfilment_world import Recorder, acceptance, client_for, new_customer_order, offer

from csp_commerce import Checkout, FactsCache, HookManager, OrderLine
from csp_commerce.errors import ConfigurationError
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.models import OutcomeStatus
from csp_commerce.sandbox import Sandbox
from csp_commerce.store.ledger import Ledger
from csp_commerce.store.mca_log import McaEvidenceLog


def make_checkout(sandbox: Sandbox, tmp_path: Path, recorder: Recorder) -> Checkout:
    hooks = HookManager(entry_points=False, plugins=[recorder])
    provisioner = Provisioner(client_for(sandbox), Ledger(tmp_path / "ledger.sqlite3"), hooks)
    return Checkout(
        hooks=hooks, mca_log=McaEvidenceLog(tmp_path / "mca.sqlite3"), provisioner=provisioner
    )


def test_place_gathers_facts_and_confirms_the_logged_mca(tmp_path: Path) -> None:
    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    order = new_customer_order(1, OrderLine(offer=offer(sandbox, "Office 365 E3"), quantity=2))
    assert checkout.record_mca_acceptance(acceptance(order)) == []

    result = checkout.place(order)

    assert result.problems == ()
    assert result.outcome is not None
    assert result.outcome.status is OutcomeStatus.PLACED
    (customer,) = sandbox.world.customers.values()
    assert len(customer.agreements) == 1  # the evidence was confirmed to Partner Center
    assert recorder.provisioned[order.id] == 1


def test_place_without_mca_evidence_stops_at_the_problem(tmp_path: Path) -> None:
    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    order = new_customer_order(2, OrderLine(offer=offer(sandbox, "Office 365 E3"), quantity=2))

    result = checkout.place(order)

    assert [problem.code for problem in result.problems] == ["mca.not_accepted"]
    assert result.outcome is None
    assert sandbox.world.customers == {}
    assert not recorder.provisioned


def test_place_needs_a_provisioner() -> None:
    order = new_customer_order(3, OrderLine(offer=offer(Sandbox(), "Office 365 E3"), quantity=1))
    with pytest.raises(ConfigurationError, match="provisioner"):
        Checkout(hooks=HookManager(entry_points=False)).place(order)


def test_with_a_provisioner_partner_centers_country_rules_judge_addresses(tmp_path: Path) -> None:
    from csp_commerce.checkout import COUNTRY_RULES_PLUGIN
    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.sandbox import SandboxCredential

    sandbox = Sandbox(seed=5)
    asked: list[str] = []
    http = sandbox.httpx_client(event_hooks={"request": [lambda r: asked.append(r.url.path)]})
    client = PartnerCenterClient(SandboxCredential(), http_client=http)
    hooks = HookManager(entry_points=False)
    checkout = Checkout(hooks=hooks, provisioner=Provisioner(client, Ledger(":memory:"), hooks))
    order = new_customer_order(4, OrderLine(offer=offer(sandbox, "Office 365 E3"), quantity=1))

    checkout.validate(order)
    checkout.validate(order)

    # Added to the checkout's own manager; the one it was given is left unchanged.
    assert COUNTRY_RULES_PLUGIN in checkout.hooks.plugin_names()
    assert COUNTRY_RULES_PLUGIN not in hooks.plugin_names()
    assert asked == ["/v1/countryvalidationrules/US"]  # asked once, then cached


def test_the_country_rules_plugin_can_be_blocked(tmp_path: Path) -> None:
    from csp_commerce.checkout import COUNTRY_RULES_PLUGIN

    sandbox = Sandbox(seed=5)
    hooks = HookManager(entry_points=False, block=[COUNTRY_RULES_PLUGIN])
    checkout = Checkout(
        hooks=hooks, provisioner=Provisioner(client_for(sandbox), Ledger(":memory:"), hooks)
    )
    assert COUNTRY_RULES_PLUGIN not in hooks.plugin_names()
    assert COUNTRY_RULES_PLUGIN not in checkout.hooks.plugin_names()


def test_placing_an_order_again_answers_from_the_ledger_without_judging_it(
    tmp_path: Path,
) -> None:
    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    order = new_customer_order(5, OrderLine(offer=offer(sandbox, "Office 365 E3"), quantity=2))
    checkout.record_mca_acceptance(acceptance(order))
    first = checkout.place(order)

    # The domain is taken now (by this very order): judging again would refuse it.
    again = checkout.place(order)

    assert again.problems == ()
    assert again.outcome == first.outcome
    assert again.plan == first.plan
    assert len(sandbox.world.customers) == 1
    assert recorder.provisioned[order.id] == 1


async def test_an_asyncio_host_places_in_a_worker_thread(tmp_path: Path) -> None:
    import asyncio

    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)  # stores opened on this thread
    orders = [
        new_customer_order(n, OrderLine(offer=offer(sandbox, "Office 365 E3"), quantity=1))
        for n in (6, 7, 8)
    ]
    for order in orders:
        await asyncio.to_thread(checkout.record_mca_acceptance, acceptance(order))

    results = await asyncio.gather(*(asyncio.to_thread(checkout.place, order) for order in orders))

    assert [result.outcome.status for result in results if result.outcome] == [
        OutcomeStatus.PLACED
    ] * 3
    assert len(sandbox.world.customers) == 3


def test_the_checkout_judges_for_the_cloud_the_client_talks_to(tmp_path: Path) -> None:
    from csp_commerce import CheckoutSettings, Cloud
    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.sandbox import SandboxCredential

    sandbox = Sandbox(seed=5)
    china = PartnerCenterClient(
        SandboxCredential(), cloud=Cloud.CHINA, http_client=sandbox.httpx_client()
    )
    hooks = HookManager(entry_points=False)
    provisioner = Provisioner(china, Ledger(":memory:"), hooks)

    assert Checkout(hooks=hooks, provisioner=provisioner).settings.cloud is Cloud.CHINA
    with pytest.raises(ConfigurationError, match="china"):
        Checkout(
            hooks=HookManager(entry_points=False),
            settings=CheckoutSettings(cloud=Cloud.GLOBAL),
            provisioner=provisioner,
        )


def test_dynamics_instances_are_named_and_recognised_in_later_orders(tmp_path: Path) -> None:
    from csp_commerce import CheckoutSettings, DynamicsPolicy, Order
    from csp_commerce.models import LineAction

    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    sales = offer(sandbox, "Dynamics 365 Sales Enterprise")
    first = new_customer_order(9, OrderLine(offer=sales, quantity=5, instance_name="production"))
    checkout.record_mca_acceptance(acceptance(first))
    placed = checkout.place(first)
    assert placed.outcome is not None
    tenant = placed.outcome.customer_tenant_id
    (customer,) = sandbox.world.customers.values()
    (subscription,) = customer.subscriptions.values()
    assert subscription["friendlyName"] == "production"

    existing = first.customer.model_copy(update={"tenant_id": tenant})
    again = Order(
        id="order-9b",
        customer=existing,
        lines=(OrderLine(offer=sales, quantity=2, instance_name="Production"),),
    )
    from csp_commerce.checkout.gather_facts import gather_facts

    assert checkout.provisioner is not None
    facts = gather_facts(checkout.provisioner.client, again)
    refused = checkout.validate(again, facts)
    assert [p.code for p in refused.problems] == ["dynamics.instance_exists"]

    adding = Checkout(
        hooks=checkout.hooks,
        settings=CheckoutSettings(dynamics_policy=DynamicsPolicy.ADD_LICENCES),
        provisioner=checkout.provisioner,
    )
    plan = adding.validate(again, facts).plan
    assert plan is not None
    assert [(line.action, line.subscription_id) for line in plan.lines] == [
        (LineAction.ADD_QUANTITY, subscription["id"])
    ]


def test_an_add_on_goes_on_the_subscription_an_earlier_line_of_the_order_buys(
    tmp_path: Path,
) -> None:
    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    base = OrderLine(id="base", offer=offer(sandbox, "Office 365 E3"), quantity=5)
    phone = OrderLine(
        id="phone",
        offer=offer(sandbox, "Microsoft Teams Phone Standard"),
        quantity=2,
        parent_line_id="base",
    )
    order = new_customer_order(10, base, phone)
    checkout.record_mca_acceptance(acceptance(order))

    result = checkout.place(order)

    assert result.problems == ()
    assert result.outcome is not None
    assert result.outcome.status is OutcomeStatus.PLACED
    by_line = {line.line_id: line.subscription_id for line in result.outcome.lines}
    (customer,) = sandbox.world.customers.values()
    assert customer.subscriptions[by_line["phone"]]["parentSubscriptionId"] == by_line["base"]


def test_an_add_on_for_a_later_or_unknown_line_is_a_problem() -> None:
    sandbox = Sandbox(seed=5)
    phone = OrderLine(
        id="phone",
        offer=offer(sandbox, "Microsoft Teams Phone Standard"),
        quantity=2,
        parent_line_id="base",
    )
    base = OrderLine(id="base", offer=offer(sandbox, "Office 365 E3"), quantity=5)
    result = Checkout(hooks=HookManager(entry_points=False)).validate(
        new_customer_order(11, phone, base)
    )
    assert "addon.parent_line_invalid" in [problem.code for problem in result.problems]


def test_a_resellers_later_orders_are_placed_without_reading_its_facts_again(
    tmp_path: Path,
) -> None:
    from csp_commerce import Reseller
    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.sandbox import SandboxCredential

    sandbox, recorder = Sandbox(seed=5), Recorder()
    sandbox.add_reseller("5100001", "Reseller One")
    paths: list[str] = []
    http = sandbox.httpx_client(event_hooks={"request": [lambda r: paths.append(r.url.path)]})
    client = PartnerCenterClient(SandboxCredential(), http_client=http, sleep=lambda _: None)
    hooks = HookManager(entry_points=False, plugins=[recorder])
    checkout = Checkout(
        hooks=hooks,
        mca_log=McaEvidenceLog(tmp_path / "mca.sqlite3"),
        provisioner=Provisioner(client, Ledger(tmp_path / "ledger.sqlite3"), hooks),
    )
    reseller_paths = {"/v1/profiles/mpn", "/v1/compliance/csp/agreementstatus", "/v1/relationships"}
    reads = []
    for n in (20, 21):
        line = OrderLine(offer=offer(sandbox, "Office 365 E3"), quantity=2)
        order = new_customer_order(n, line).model_copy(
            update={"reseller": Reseller(partner_id="5100001", name="Reseller One")}
        )
        checkout.record_mca_acceptance(acceptance(order))
        result = checkout.place(order)  # gathers the facts itself, with its cache
        assert result.outcome is not None and result.outcome.placed, result.problems
        reads.append(sum(1 for path in paths if path in reseller_paths))
        paths.clear()
    assert reads == [3, 0]
    assert isinstance(checkout.facts_cache, FactsCache)
