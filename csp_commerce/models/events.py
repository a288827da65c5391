"""Partner Center's webhook events, typed: their names, families and the notification itself.

A webhook event is a notification, not the resource: it names what changed (``ResourceUri``)
and when; a handler re-reads the resource. The names and the payload's fields are Microsoft's
documented ones (``partner-center-webhook-events``); the event id is ours (see
:attr:`WebhookEvent.id`), because the documented payload carries none.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict


class EventFamily(str, Enum):
    """Which hook family an event goes to (besides ``csp_event_received``)."""

    SUBSCRIPTION = "subscription"
    RELATIONSHIP = "relationship"
    GDAP = "gdap"
    INVOICE = "invoice"
    REFERRAL = "referral"
    USAGE = "usage"
    FRAUD = "fraud"
    TEST = "test"


#: Every documented event name and its family.
EVENT_FAMILIES: dict[str, EventFamily] = {
    "test-created": EventFamily.TEST,
    "subscription-updated": EventFamily.SUBSCRIPTION,
    "subscription-active": EventFamily.SUBSCRIPTION,  # sandbox only, per Microsoft
    "usagerecords-thresholdExceeded": EventFamily.USAGE,
    "referral-created": EventFamily.REFERRAL,
    "referral-updated": EventFamily.REFERRAL,
    "related-referral-created": EventFamily.REFERRAL,
    "related-referral-updated": EventFamily.REFERRAL,
    "granular-admin-relationship-approved": EventFamily.GDAP,
    "granular-admin-relationship-activated": EventFamily.GDAP,
    "granular-admin-relationship-terminated": EventFamily.GDAP,
    "granular-admin-relationship-expired": EventFamily.GDAP,
    "granular-admin-access-assignment-created": EventFamily.GDAP,
    "granular-admin-access-assignment-activated": EventFamily.GDAP,
    "granular-admin-access-assignment-updated": EventFamily.GDAP,
    "granular-admin-access-assignment-deleted": EventFamily.GDAP,
    "reseller-relationship-accepted-by-customer": EventFamily.RELATIONSHIP,
    "dap-admin-relationship-approved": EventFamily.RELATIONSHIP,
    "dap-admin-relationship-terminated": EventFamily.RELATIONSHIP,
    "dap-admin-relationship-terminated-by-microsoft": EventFamily.RELATIONSHIP,
    "azure-fraud-event-detected": EventFamily.FRAUD,
    "invoice-ready": EventFamily.INVOICE,
}

#: The documented event names (what a registration may ask for).
EVENT_NAMES: tuple[str, ...] = tuple(EVENT_FAMILIES)

_CUSTOMER = re.compile(r"/v1/customers/([^/?]+)", re.IGNORECASE)
_SUBSCRIPTION = re.compile(r"/subscriptions/([^/?]+)", re.IGNORECASE)
_INVOICE = re.compile(r"/v1/invoices/([^/?]+)", re.IGNORECASE)
_GDAP = re.compile(r"/delegatedAdminRelationships/([^/?]+)", re.IGNORECASE)


class WebhookEvent(BaseModel):
    """One verified Partner Center notification.

    :ivar id: the SHA-256 (hex) of the signed body: Partner Center resends an event with the
        same body, so a resent event has the same id (the documented payload has no id field).
    :ivar name: the event name (``EventName``), one of :data:`EVENT_NAMES`.
    :ivar family: the family whose hook receives it.
    :ivar resource_uri: ``ResourceUri``: what changed (re-read it for the data).
    :ivar changed_at: ``ResourceChangeUtcDate``.
    :ivar payload: the body as sent (unknown fields included).
    """

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    family: EventFamily
    resource_uri: str = ""
    resource_name: str = ""
    audit_uri: str = ""
    changed_at: datetime
    payload: dict[str, Any]

    @property
    def customer_id(self) -> str | None:
        """The customer tenant in ``ResourceUri`` (``/v1/customers/{id}...``), if any."""
        found = _CUSTOMER.search(self.resource_uri)
        return found.group(1) if found else None

    @property
    def subscription_id(self) -> str | None:
        """The subscription in ``ResourceUri``, if any."""
        found = _SUBSCRIPTION.search(self.resource_uri)
        return found.group(1) if found else None

    @property
    def invoice_id(self) -> str | None:
        """The invoice in ``ResourceUri`` (``invoice-ready``), if any."""
        found = _INVOICE.search(self.resource_uri)
        return found.group(1) if found else None

    @property
    def gdap_relationship_id(self) -> str | None:
        """The GDAP relationship in ``ResourceUri`` (``granular-admin-*``), if any."""
        found = _GDAP.search(self.resource_uri)
        return found.group(1) if found else None
