"""The library's own reactions to Partner Center's events: register them and events drive it.

:class:`EventHandlers` is a plugin for the :class:`~csp_commerce.hooks.manager.HookManager`
the :class:`~csp_commerce.events.receiver.WebhookReceiver` dispatches to. Each reaction runs
only when the host gave what it needs:

==============================================  ===============================================
event                                           reaction
==============================================  ===============================================
``reseller-relationship-accepted-by-customer``  ``checkout``: the orders waiting for that
                                                tenant's relationship are judged again and
                                                placed (``Checkout.resume_waiting``)
``subscription-updated``, ``subscription-active``  ``discovery``: that customer and subscription
                                                re-read (two requests) and handed through the
                                                ``csp_discovered_*`` hooks if changed
``invoice-ready``                               ``discovery``: the invoice and its billed lines
                                                (reconciliation v2 export) handed through
                                                ``csp_discovered_invoice``
``granular-admin-relationship-approved``,       ``gdap_assignments``: the GDAP template's
``granular-admin-relationship-activated``       access assignments made on the relationship
==============================================  ===============================================

Idempotent: the receiver claims each event id in its
:class:`~csp_commerce.store.event_log.EventLog` before dispatching (a shared log: once across
processes), and each reaction is safe to repeat anyway: the ledger places an order id once,
discovery hands an unchanged record never again, the template's assignments are one engine
step each. They run after the host's own implementations of the same hooks (``trylast``), so
the host sees the event before what it caused. A reaction that raises answers Partner Center
500 and releases the id, so the next delivery attempt runs it again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from csp_commerce.errors import ConfigurationError
from csp_commerce.hooks import hookimpl
from csp_commerce.hooks.manager import EVENT_HANDLERS_PLUGIN

if TYPE_CHECKING:
    from collections.abc import Callable

    from csp_commerce.checkout.checkout import Checkout
    from csp_commerce.models.events import WebhookEvent
    from csp_commerce.models.gdap import GdapTemplate
    from csp_commerce.operations.discovery_runner import Discovery

log = logging.getLogger(__name__)

RELATIONSHIP_ACCEPTED = "reseller-relationship-accepted-by-customer"
SUBSCRIPTION_CHANGED = frozenset({"subscription-updated", "subscription-active"})
GDAP_ACTIVE = frozenset(
    {"granular-admin-relationship-approved", "granular-admin-relationship-activated"}
)


class EventHandlers:
    """Built-in event reactions (a plugin; see the module for what each event does).

    :param checkout: a :class:`~csp_commerce.checkout.checkout.Checkout` with a provisioner:
        an accepted relationship places the orders waiting for it.
    :param discovery: the partner's :class:`~csp_commerce.operations.Discovery`: a changed
        subscription or a ready invoice is re-read through it (targeted, not a full run).
    :param gdap_template: the partner's GDAP template: a relationship approved or activated
        gets the template's access assignments
        (:func:`~csp_commerce.fulfilment.gdap_actions.apply_template_assignments`, through the
        checkout's provisioner: its client and ledger).
    :param gdap_assignments: instead of ``gdap_template``, called with a GDAP relationship id
        when it is approved or activated; it must be idempotent.
    """

    #: The plugin name to register it under (:data:`EVENT_HANDLERS_PLUGIN`).
    PLUGIN = EVENT_HANDLERS_PLUGIN

    def __init__(
        self,
        *,
        checkout: Checkout | None = None,
        discovery: Discovery | None = None,
        gdap_template: GdapTemplate | None = None,
        gdap_assignments: Callable[[str], object] | None = None,
    ) -> None:
        from csp_commerce.operations.event_sync import TargetedDiscovery

        self.checkout = checkout
        self.targeted = TargetedDiscovery(discovery) if discovery is not None else None
        if gdap_template is not None and gdap_assignments is None:
            gdap_assignments = _template_assignments(checkout, gdap_template)
        self.gdap_assignments = gdap_assignments

    @hookimpl(trylast=True)
    def csp_relationship_event(self, event: WebhookEvent) -> None:
        """An accepted reseller relationship places the orders waiting for it."""
        tenant = event.customer_id
        if event.name != RELATIONSHIP_ACCEPTED or self.checkout is None or tenant is None:
            return
        results = self.checkout.resume_waiting(tenant)
        log.info("relationship with %s accepted: %d waiting order(s) judged", tenant, len(results))

    @hookimpl(trylast=True)
    def csp_subscription_event(self, event: WebhookEvent) -> None:
        """A changed subscription: that customer and subscription re-read and handed."""
        customer = event.customer_id
        if event.name not in SUBSCRIPTION_CHANGED or self.targeted is None or customer is None:
            return
        synced = self.targeted.customer(customer, event.subscription_id)
        log.info("subscription event for %s: %s", customer, synced)

    @hookimpl(trylast=True)
    def csp_invoice_event(self, event: WebhookEvent) -> None:
        """A ready invoice: its billed lines exported and handed."""
        invoice = event.invoice_id
        if self.targeted is None or invoice is None:
            return
        synced = self.targeted.invoice(invoice)
        log.info("invoice %s ready: %s", invoice, synced)

    @hookimpl(trylast=True)
    def csp_gdap_event(self, event: WebhookEvent) -> None:
        """An approved (or activated) GDAP relationship: the template's access assignments."""
        relationship = event.gdap_relationship_id
        if event.name not in GDAP_ACTIVE or self.gdap_assignments is None or relationship is None:
            return
        self.gdap_assignments(relationship)


def _template_assignments(
    checkout: Checkout | None, template: GdapTemplate
) -> Callable[[str], object]:
    """``apply_template_assignments`` through the checkout's provisioner."""
    from csp_commerce.fulfilment import Provisioner
    from csp_commerce.fulfilment.gdap_actions import apply_template_assignments

    provisioner = checkout.provisioner if checkout is not None else None
    if not isinstance(provisioner, Provisioner):
        raise ConfigurationError(
            "gdap_template needs checkout=Checkout(..., provisioner=Provisioner(...)): the"
            " template's assignments are sent through its client and ledger"
        )
    return lambda relationship: apply_template_assignments(
        provisioner.client, provisioner.ledger, relationship, template
    )


__all__ = ["EVENT_HANDLERS_PLUGIN", "EventHandlers"]
