"""Billing cycles and terms: the offer's, the host's, the cloud's."""

from __future__ import annotations

import pytest
from checkout_factories import ANNUAL, ENTERPRISE, MONTHLY, checkout, codes, facts, line, order

from csp_commerce import (
    BillingCycle,
    BillingOptions,
    Checkout,
    CheckoutSettings,
    Cloud,
    HookManager,
    OrderLine,
    Problem,
    TermDuration,
    hookimpl,
)
from csp_commerce.errors import PluginError
from csp_commerce.validation.billing_options import check_line, options_for


def test_options_are_the_offer_s_cycles_the_host_enabled() -> None:
    options = options_for(ENTERPRISE, CheckoutSettings(billing_cycles=frozenset({ANNUAL})))
    assert options.billing_cycles == {ANNUAL}
    assert options.term_durations == {TermDuration.P1Y, TermDuration.P3Y}


def test_per_product_setting_overrides_the_host_default() -> None:
    settings = CheckoutSettings(
        billing_cycles=frozenset({ANNUAL}),
        billing_cycles_by_product={ENTERPRISE.product_id: frozenset({MONTHLY})},
    )
    assert options_for(ENTERPRISE, settings).billing_cycles == {MONTHLY}


def test_china_bills_annually_only() -> None:
    options = options_for(ENTERPRISE, CheckoutSettings(cloud=Cloud.CHINA, require_mca=False))
    assert options.billing_cycles == {ANNUAL}
    assert options.reason is not None
    result = checkout(cloud=Cloud.CHINA).validate(order(line(billing_cycle=MONTHLY)), facts())
    assert "billing_cycle.not_offered" in codes(result)


def test_a_cycle_the_offer_lacks_is_a_problem() -> None:
    result = checkout().validate(order(line(billing_cycle=BillingCycle.TRIENNIAL)), facts())
    assert codes(result) == ["billing_cycle.not_offered"]
    assert result.problems[0].field == "lines.0.billing_cycle"
    assert result.problems[0].params["offered"] == ["annual", "monthly"]


def test_a_cycle_the_host_disabled_is_a_problem() -> None:
    only_annual = checkout(billing_cycles=frozenset({ANNUAL}))
    assert codes(only_annual.validate(order(line(billing_cycle=MONTHLY)), facts())) == [
        "billing_cycle.not_offered"
    ]


def test_no_usable_cycle_at_all() -> None:
    nothing = checkout(billing_cycles_by_product={ENTERPRISE.product_id: frozenset()})
    assert codes(nothing.validate(order(), facts())) == ["billing.unavailable"]


def test_a_term_not_offered_and_a_term_too_short() -> None:
    short = line(billing_cycle=ANNUAL, term_duration=TermDuration.P1M)
    assert codes(checkout().validate(order(short), facts())) == ["term_duration.too_short"]
    no_p3y = line(
        offer=ENTERPRISE.model_copy(update={"term_durations": frozenset({TermDuration.P1M})}),
        term_duration=TermDuration.P3Y,
    )
    assert codes(checkout().validate(order(no_p3y), facts())) == ["term_duration.not_offered"]


def test_a_valid_choice_passes_and_adding_seats_is_not_judged() -> None:
    options = options_for(ENTERPRISE, CheckoutSettings())
    assert check_line(line(billing_cycle=ANNUAL, term_duration=TermDuration.P1Y), 0, options) == []
    assert (
        check_line(line(billing_cycle=BillingCycle.TRIENNIAL, subscription_id="s"), 0, options)
        == []
    )


def test_a_host_plugin_can_answer_first() -> None:
    from csp_commerce import BillingOptions, hookimpl

    class AnnualOnly:
        @hookimpl
        def csp_billing_options(self) -> BillingOptions:
            return BillingOptions(
                billing_cycles=frozenset({ANNUAL}), term_durations=frozenset({TermDuration.P1Y})
            )

    strict = checkout()
    strict.hooks.register(AnnualOnly())
    assert codes(strict.validate(order(line(billing_cycle=MONTHLY)), facts())) == [
        "billing_cycle.not_offered"
    ]
    assert strict.billing_options(ENTERPRISE).billing_cycles == {ANNUAL}


def test_a_line_without_a_term_needs_one_that_suits_its_cycle() -> None:
    from checkout_factories import ANNUAL, checkout, codes, facts, line, offer, order

    from csp_commerce import BillingCycle, TermDuration

    monthly_terms_only = offer(
        billing_cycles=frozenset({BillingCycle.MONTHLY, BillingCycle.ANNUAL}),
        term_durations=frozenset({TermDuration.P1M}),
    )
    result = checkout().validate(order(line(monthly_terms_only, 5, billing_cycle=ANNUAL)), facts())
    assert codes(result) == ["term_duration.unavailable"]


class ResellerBilledTriennial:
    """A host's own billing-line check: it bills triennial lines itself, refuses monthly ones,
    and passes every other line to the built-in."""

    @hookimpl
    def csp_check_billing_line(self, line: OrderLine, index: int) -> list[Problem] | None:
        if line.billing_cycle is BillingCycle.TRIENNIAL:
            return []
        if line.billing_cycle is MONTHLY:
            return [
                Problem(
                    code="host.no_monthly",
                    field=f"lines.{index}.billing_cycle",
                    message="We sell annual billing only.",
                )
            ]
        return None


def test_a_host_plugin_overrides_the_billing_line_check() -> None:
    triennial = order(line(billing_cycle=BillingCycle.TRIENNIAL))
    monthly = order(line(billing_cycle=ANNUAL), line(billing_cycle=MONTHLY))
    too_short = order(line(billing_cycle=ANNUAL, term_duration=TermDuration.P1M))
    assert codes(checkout().validate(triennial, facts())) == ["billing_cycle.not_offered"]
    assert checkout().validate(monthly, facts()).ok

    shop = Checkout(HookManager(entry_points=False, plugins=[ResellerBilledTriennial()]))

    assert "billing_cycle.not_offered" not in codes(shop.validate(triennial, facts()))
    refused = shop.validate(monthly, facts())
    assert codes(refused) == ["host.no_monthly"]
    assert refused.problems[0].field == "lines.1.billing_cycle"
    # None passes the line to the built-in
    assert codes(shop.validate(too_short, facts())) == ["term_duration.too_short"]


def test_without_the_built_in_nothing_answers_the_billing_line_check() -> None:
    class AnyCycle:
        @hookimpl
        def csp_billing_options(self) -> BillingOptions:
            return BillingOptions(
                billing_cycles=frozenset(BillingCycle), term_durations=frozenset(TermDuration)
            )

    blocked = "csp_commerce.hooks.builtin.billing_options_hooks"
    without = Checkout(HookManager(entry_points=False, block=[blocked], plugins=[AnyCycle()]))
    with pytest.raises(PluginError, match="no plugin answered csp_check_billing_line"):
        without.validate(order(), facts())
