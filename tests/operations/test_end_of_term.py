"""End of term against the in-process sandbox: the explicit choice, the extended term, scheduled
next-term changes, mid-term plan changes, and the renewals report with its costs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from operations_world import DAY, World, catalog_price_list, make_world

from csp_commerce.models.end_of_term import (
    EndOfTerm,
    EndOfTermAction,
    NextTerm,
    TermEndOutcome,
)
from csp_commerce.operations import SubscriptionManager, renewals_report
from csp_commerce.operations.subscription_manager import end_of_term_of
from csp_commerce.store.ledger import Ledger

STANDARD = "Microsoft 365 Business Standard"
E3 = "Office 365 E3"
SERVER = "Windows Server 2022 Standard - 2 Core License Pack"
BACKUP = "Contoso Cloud Backup"


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def manager(world: World) -> SubscriptionManager:
    return SubscriptionManager(world.client, Ledger(":memory:"), actor="ops", clock=world.clock)


def test_cancel_at_term_end_is_sent_explicitly_and_the_subscription_expires(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD, billing_cycle="monthly", term="P1M")
    change = manager.set_end_of_term(customer, sub, EndOfTermAction.CANCEL)
    assert change.ok
    assert len(world.transport.writes()) == 1
    sent = world.sandbox.world.customers[customer].subscriptions[sub]
    assert sent["autoRenewEnabled"] is False
    assert sent["scheduledActions"] == [
        {"scheduledType": "TermEnd", "actionType": "CancelAtTermEnd"}
    ]
    assert end_of_term_of(manager.get(customer, sub)) == EndOfTerm(
        action=EndOfTermAction.CANCEL, explicit=True
    )
    world.clock.advance(32 * DAY)
    assert manager.get(customer, sub).status == "expired"  # a status the models must keep


def test_auto_renew_off_alone_moves_into_the_extended_term_at_the_uplifted_price(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, E3, quantity=5, billing_cycle="annual", term="P1Y")
    assert manager.set_auto_renew(customer, sub, False).ok
    prices = catalog_price_list(world.sandbox)

    report = renewals_report(
        world.client, days=370, customer_ids=[customer], price_list=prices, now=manager.now()
    )

    (renewal,) = report.renewals
    assert (renewal.outcome, renewal.explicit) == (TermEndOutcome.EXTENDED_TERM, False)
    # E3: 23.00 a month on an annual term; the monthly term is 27.60, +3 % = 28.428 -> 28.43
    assert renewal.monthly_cost == Decimal("115.00")
    assert renewal.extended_term_unit_price == Decimal("28.43")
    assert renewal.extended_term_monthly_cost == Decimal("142.15")
    assert renewal.cost_difference == Decimal("27.15")

    world.clock.advance(366 * DAY)
    moved = world.sandbox.world.customers[customer].subscriptions[sub]
    assert manager.get(customer, sub).status == "active"
    assert (moved["termDuration"], moved["billingCycle"]) == ("P1M", "monthly")
    assert moved["extendedTerm"]["unitPrice"] == "28.43"
    # billed at the extended term's price from the month after the term end
    start = manager.now().replace(day=1)
    following = (start.year + start.month // 12, start.month % 12 + 1)
    number = world.sandbox.generate_invoice(*following)["id"]
    (line,) = (
        li for li in world.sandbox.world.invoice_lines[number] if li["subscriptionId"] == sub
    )
    assert Decimal(str(line["unitPrice"])) == Decimal("28.43")


def test_without_a_monthly_term_the_extended_term_costs_23_percent_more(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, E3, quantity=2, billing_cycle="annual", term="P1Y")
    assert manager.set_end_of_term(customer, sub, EndOfTermAction.EXTENDED_TERM).ok
    prices = catalog_price_list(world.sandbox)
    no_monthly_term = prices.model_copy(
        update={
            "entries": tuple(e for e in prices.entries if e.term is None or e.term.value != "P1M")
        }
    )
    (renewal,) = renewals_report(
        world.client, days=370, customer_ids=[customer], price_list=no_monthly_term,
        now=manager.now(),
    ).renewals  # fmt: skip
    assert renewal.explicit and renewal.outcome is TermEndOutcome.EXTENDED_TERM
    assert renewal.extended_term_unit_price == Decimal("28.29")  # 23.00 * 1.23
    assert renewal.cost_difference == Decimal("10.58")


def test_renewal_applies_the_scheduled_next_term_changes(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, E3, quantity=5, billing_cycle="monthly", term="P1M")
    next_term = NextTerm(quantity=8, term_duration="P1Y", billing_cycle="annual")
    change = manager.set_end_of_term(customer, sub, EndOfTermAction.RENEW, next_term=next_term)
    assert change.ok
    assert end_of_term_of(manager.get(customer, sub)).next_term == next_term
    (renewal,) = renewals_report(
        world.client, days=40, customer_ids=[customer], now=manager.now()
    ).renewals
    assert renewal.outcome is TermEndOutcome.RENEWS and renewal.next_term == next_term

    world.clock.advance(32 * DAY)
    renewed = manager.get(customer, sub)
    assert (renewed.quantity, renewed.term_duration, renewed.billing_cycle) == (8, "P1Y", "annual")
    assert renewed.status == "active" and renewed.scheduled_actions is None


def test_the_same_operation_id_sets_the_end_of_term_once(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD)
    first = manager.set_end_of_term(customer, sub, EndOfTermAction.CANCEL, operation_id="eot-1")
    again = manager.set_end_of_term(customer, sub, EndOfTermAction.CANCEL, operation_id="eot-1")
    assert first.ok and again.ok and again.replayed
    assert len(world.transport.writes()) == 1


def test_choices_partner_center_would_refuse_are_problems_before_any_request(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    server = world.buy(customer, SERVER, quantity=4, billing_cycle="annual", term="P1Y")
    extended = manager.set_end_of_term(customer, server, EndOfTermAction.EXTENDED_TERM)
    assert [p.code for p in extended.problems] == ["end_of_term.extended_term_not_available"]
    stray = manager.set_end_of_term(
        customer, server, EndOfTermAction.CANCEL, next_term=NextTerm(quantity=2)
    )
    assert [p.code for p in stray.problems] == ["end_of_term.next_term_without_renewal"]
    fewer = manager.set_quantity(customer, server, 3)
    assert [p.code for p in fewer.problems] == ["billing_plan.software_no_reduction"]
    assert world.transport.writes() == []


def test_mid_term_plan_changes_go_only_to_a_longer_term(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, E3, billing_cycle="monthly", term="P1M")
    longer = manager.change_plan(customer, sub, term_duration="P1Y", billing_cycle="annual")
    assert longer.ok
    assert (manager.get(customer, sub).term_duration, manager.get(customer, sub).billing_cycle) == (
        "P1Y",
        "annual",
    )
    shorter = manager.change_plan(customer, sub, term_duration="P1M", billing_cycle="monthly")
    assert [p.code for p in shorter.problems] == ["billing_plan.term_not_longer"]
    assert len(world.transport.writes()) == 1


def test_a_triennial_term_keeps_its_billing_frequency_mid_term(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, "Microsoft 365 E3", billing_cycle="annual", term="P3Y")
    change = manager.change_plan(customer, sub, billing_cycle="triennial")
    assert [p.code for p in change.problems] == ["billing_plan.triennial_frequency_locked"]
    assert world.transport.writes() == []


def test_marketplace_saas_refunds_only_for_72_hours(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, BACKUP, billing_cycle="monthly", term="P1M")
    world.clock.advance(73 * 3600)
    change = manager.cancel(customer, sub)
    assert [p.code for p in change.problems] == ["subscription.cancellation_window_closed"]


def test_auto_renew_off_after_an_explicit_renewal_falls_back_to_the_extended_term(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, E3)
    assert manager.set_end_of_term(customer, sub, EndOfTermAction.RENEW).ok
    off = manager.set_auto_renew(customer, sub, False)
    assert off.ok, off.problems
    assert end_of_term_of(manager.get(customer, sub)) == EndOfTerm(
        action=EndOfTermAction.EXTENDED_TERM, explicit=False
    )
    assert manager.set_auto_renew(customer, sub, True).ok
    assert end_of_term_of(manager.get(customer, sub)).action is EndOfTermAction.RENEW
