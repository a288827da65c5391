"""What discovery imports from a partner's Partner Center account, and how its runs stand.

Each ``Discovered*`` record is handed to the host once when it is new or has changed (see the
``csp_discovered_*`` hooks). ``data`` is the resource exactly as Partner Center returned it
(camelCase JSON), so a host can keep fields we do not model; ``fingerprint`` is the content
hash discovery compares on the next run.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import Field

from csp_commerce.models._base import Model


class DiscoveryState(str, Enum):
    """Where a discovery run stands (the states a CMP's discovery page shows)."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    STOPPED = "stopped"
    ERROR = "error"
    COMPLETED = "completed"


class DiscoveredCustomer(Model):
    """A customer of the partner, new or changed since the last run."""

    partner: str = Field(description="The partner account's name")
    id: str = Field(description="The customer's tenant id")
    company_name: str | None = None
    domain: str | None = None
    relationship_to_partner: str | None = None
    associated_partner_id: str | None = None
    fingerprint: str
    data: dict[str, Any] = Field(default_factory=dict)


class DiscoveredSubscription(Model):
    """A customer's subscription, new or changed since the last run."""

    partner: str
    customer_id: str
    id: str
    offer_id: str | None = None
    offer_name: str | None = None
    friendly_name: str | None = None
    quantity: int = 0
    status: str | None = None
    billing_cycle: str | None = None
    term_duration: str | None = None
    auto_renew_enabled: bool | None = None
    etag: str | None = None
    fingerprint: str
    data: dict[str, Any] = Field(default_factory=dict)


class DiscoveredInvoiceLine(Model):
    """One billed line of an invoice (Partner Center's reconciliation fields stay in ``data``)."""

    customer_id: str | None = None
    subscription_id: str | None = None
    order_id: str | None = None
    product_id: str | None = None
    sku_id: str | None = None
    charge_type: str | None = None
    quantity: float | None = None
    unit_price: float | None = None
    subtotal: float | None = None
    total_for_customer: float | None = None
    currency: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class DiscoveredInvoice(Model):
    """An invoice of the partner, with its line items; new or changed since the last run."""

    partner: str
    id: str
    invoice_date: str | None = None
    billing_period_start_date: str | None = None
    billing_period_end_date: str | None = None
    total_charges: float | None = None
    currency_code: str | None = None
    line_items: tuple[DiscoveredInvoiceLine, ...] = ()
    line_source: str = Field(
        default="", description="Where the lines came from: reconciliation v2, or v1 (legacy)"
    )
    fingerprint: str
    data: dict[str, Any] = Field(default_factory=dict)


class DiscoveryCounts(Model):
    """What one run saw and what it handed to the host."""

    customers_seen: int = 0
    customers_handed: int = 0
    subscriptions_fetched_for: int = Field(
        default=0, description="Customers whose subscriptions were listed"
    )
    subscriptions_seen: int = 0
    subscriptions_handed: int = 0
    invoices_seen: int = 0
    invoices_handed: int = 0
    requests: int = 0


class DiscoveryRun(Model):
    """One discovery run of one partner account, as recorded in the store."""

    id: int
    partner: str
    state: DiscoveryState
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    activity_since: datetime | None = Field(
        default=None,
        description="Start of the audit window (None: a full run, every customer listed)",
    )
    counts: DiscoveryCounts = Field(default_factory=DiscoveryCounts)
    error: str | None = None


__all__ = [
    "DiscoveredCustomer",
    "DiscoveredInvoice",
    "DiscoveredInvoiceLine",
    "DiscoveredSubscription",
    "DiscoveryCounts",
    "DiscoveryRun",
    "DiscoveryState",
]
