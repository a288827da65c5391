"""The new-commerce billing-plan rules, one by one, and the end-of-term wire shape."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from csp_commerce.models import BillingCycle, Offer, TermDuration
from csp_commerce.models.end_of_term import (
    EndOfTerm,
    EndOfTermAction,
    NextTerm,
    TermEndOutcome,
    extended_term_applies,
    extended_term_unit_price,
    outcome_at_term_end,
    read_end_of_term,
    wire_changes,
)
from csp_commerce.models.offer import ProductKind
from csp_commerce.validation.billing_plan import (
    check_plan_change,
    check_refund_window,
    check_seat_reduction,
    check_three_year_line,
    kind_of,
    refund_deadline,
)

BOUGHT = datetime(2026, 6, 1, tzinfo=timezone.utc)


def codes(problems: list) -> list[str]:  # type: ignore[type-arg]
    return [problem.code for problem in problems]


@pytest.mark.parametrize(
    ("current", "requested", "expected"),
    [
        (("P1M", "monthly"), ("P1Y", "annual"), []),
        (("P1Y", "monthly"), ("P3Y", None), []),
        (("P1Y", "annual"), ("P1M", "monthly"), ["billing_plan.term_not_longer"]),
        (("P1Y", "annual"), ("P1Y", None), []),
        (("P3Y", "annual"), (None, "triennial"), ["billing_plan.triennial_frequency_locked"]),
        (("P1Y", "annual"), (None, "monthly"), []),
        (("P1Y", "annual"), ("P7Y", None), ["billing_plan.term_not_longer"]),
    ],
)
def test_mid_term_changes(
    current: tuple[str, str], requested: tuple[str | None, str | None], expected: list[str]
) -> None:
    assert codes(check_plan_change("s", current, requested)) == expected


def test_a_plan_the_offer_does_not_sell() -> None:
    offered = {("P1Y", "annual"), ("P1Y", "monthly")}
    problems = check_plan_change("s", ("P1M", "monthly"), ("P3Y", "annual"), offered)
    assert codes(problems) == ["billing_plan.not_offered"]


def _three_year_offer(**kw: object) -> Offer:
    return Offer(
        id="e3nt", product_id="e3nt", name="M365 E3 (no Teams)",
        billing_cycles=frozenset(BillingCycle), term_durations=frozenset(TermDuration), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_three_year_skus_need_their_minimum_and_no_monthly_billing() -> None:
    offer = _three_year_offer(three_year_min_quantity=100, three_year_monthly_billing=False)
    assert codes(check_three_year_line(offer, 99, "P3Y", "monthly", "lines.0")) == [
        "billing_plan.three_year_minimum",
        "billing_plan.three_year_no_monthly",
    ]
    assert check_three_year_line(offer, 100, "P3Y", "annual", "lines.0") == []
    assert check_three_year_line(offer, 5, "P1Y", "monthly", "lines.0") == []  # not three years
    assert check_three_year_line(_three_year_offer(), 5, "P3Y", "monthly", "lines.0") == []
    (problem,) = check_three_year_line(offer, 10, "P3Y", "annual", "lines.3")
    assert problem.field == "lines.3.quantity" and problem.params["minimum"] == 100


def test_software_subscriptions_never_reduce_seats() -> None:
    software = ProductKind.SOFTWARE_SUBSCRIPTION
    assert codes(check_seat_reduction(software, "s", 5, 4)) == [
        "billing_plan.software_no_reduction"
    ]
    assert check_seat_reduction(software, "s", 5, 6) == []
    assert check_seat_reduction(ProductKind.LICENCE_BASED, "s", 5, 4) == []


@pytest.mark.parametrize(
    ("kind", "window"),
    [
        (ProductKind.LICENCE_BASED, timedelta(hours=168)),
        (ProductKind.SOFTWARE_SUBSCRIPTION, timedelta(hours=168)),
        (ProductKind.MARKETPLACE_SAAS, timedelta(hours=72)),
        (ProductKind.PERPETUAL_SOFTWARE, timedelta(days=30)),
    ],
)
def test_refund_windows_by_product_kind(kind: ProductKind, window: timedelta) -> None:
    assert refund_deadline(kind, BOUGHT) == BOUGHT + window
    assert check_refund_window(kind, "s", BOUGHT, BOUGHT + window) == []
    late = check_refund_window(kind, "s", BOUGHT, BOUGHT + window + timedelta(seconds=1))
    assert codes(late) == ["billing_plan.refund_window_closed"]


def test_a_partial_upgrades_child_inherits_its_parents_window() -> None:
    parent_until = BOUGHT + timedelta(hours=10)
    child_bought = BOUGHT + timedelta(hours=5)
    deadline = refund_deadline(ProductKind.LICENCE_BASED, child_bought, parent_until)
    assert deadline == parent_until  # not child_bought + 168 h
    late = check_refund_window(
        ProductKind.LICENCE_BASED, "child", child_bought, parent_until + timedelta(hours=1),
        parent_deadline=parent_until,
    )  # fmt: skip
    assert codes(late) == ["billing_plan.refund_window_closed"]
    assert refund_deadline(ProductKind.AZURE, BOUGHT) is None


def test_product_kinds_from_partner_centers_product_type() -> None:
    assert kind_of("OnlineServices", "P1Y") is ProductKind.LICENCE_BASED
    assert kind_of("Software", "P1Y") is ProductKind.SOFTWARE_SUBSCRIPTION
    assert kind_of("software", None) is ProductKind.PERPETUAL_SOFTWARE
    assert kind_of("SaaS", "P1M") is ProductKind.MARKETPLACE_SAAS
    assert kind_of("Azure", None) is ProductKind.AZURE
    assert kind_of("SomethingNew", "P1Y") is ProductKind.LICENCE_BASED


# -- end of term ------------------------------------------------------------------------------


@pytest.mark.parametrize("action", list(EndOfTermAction))
def test_every_action_is_sent_explicitly_and_read_back(action: EndOfTermAction) -> None:
    changes = wire_changes(action)
    assert changes["autoRenewEnabled"] is (action is EndOfTermAction.RENEW)
    assert changes["scheduledActions"][0]["scheduledType"] == "TermEnd"
    assert read_end_of_term(changes) == EndOfTerm(action=action, explicit=True)


def test_next_term_changes_travel_as_the_renewals_instructions() -> None:
    next_term = NextTerm(product_id="P", sku_id="S", availability_id="A", quantity=7,
                         term_duration="P1Y", billing_cycle="annual")  # fmt: skip
    changes = wire_changes(EndOfTermAction.RENEW, next_term)
    assert changes["scheduledActions"][0]["instructions"] == {
        "product": {"productId": "P", "skuId": "S", "availabilityId": "A",
                    "billingCycle": "annual", "termDuration": "P1Y"},
        "quantity": 7,
    }  # fmt: skip
    assert read_end_of_term(changes).next_term == next_term
    with pytest.raises(ValueError, match="renews"):
        wire_changes(EndOfTermAction.CANCEL, next_term)


def test_reading_what_partner_center_holds() -> None:
    assert read_end_of_term({"autoRenewEnabled": False}) == EndOfTerm(
        action=EndOfTermAction.EXTENDED_TERM, explicit=False
    )
    assert read_end_of_term({"autoRenewEnabled": True}).action is EndOfTermAction.RENEW
    legacy = {"autoRenewEnabled": True, "scheduledNextTermInstructions": {"quantity": 3}}
    assert read_end_of_term(legacy).next_term == NextTerm(quantity=3)
    both = {
        "autoRenewEnabled": False,
        "scheduledNextTermInstructions": {"quantity": 3},
        "scheduledActions": [{"scheduledType": "TermEnd", "actionType": "CancelAtTermEnd"}],
    }
    assert read_end_of_term(both) == EndOfTerm(action=EndOfTermAction.CANCEL, explicit=True)
    unknown = {"autoRenewEnabled": False, "scheduledActions": [{"actionType": "SomethingNew"}]}
    assert read_end_of_term(unknown).explicit is False


def test_who_moves_into_the_extended_term() -> None:
    end = datetime(2026, 5, 4, tzinfo=timezone.utc)
    licence = ProductKind.LICENCE_BASED
    assert extended_term_applies(licence, datetime(2025, 4, 1, tzinfo=timezone.utc), end)
    assert not extended_term_applies(licence, datetime(2025, 3, 31, tzinfo=timezone.utc), end)
    assert not extended_term_applies(licence, BOUGHT, end - timedelta(seconds=1))
    assert not extended_term_applies(ProductKind.SOFTWARE_SUBSCRIPTION, BOUGHT, end)
    implicit = EndOfTerm(action=EndOfTermAction.EXTENDED_TERM, explicit=False)
    assert outcome_at_term_end(implicit, extended_term_applies=True) is TermEndOutcome.EXTENDED_TERM
    assert outcome_at_term_end(implicit, extended_term_applies=False) is TermEndOutcome.ENDS


def test_the_extended_terms_price() -> None:
    assert extended_term_unit_price(Decimal("27.60"), Decimal("23.00")) == Decimal("28.43")
    assert extended_term_unit_price(None, Decimal("23.00")) == Decimal("28.29")
    assert extended_term_unit_price(None, Decimal("0.005")) == Decimal("0.01")
