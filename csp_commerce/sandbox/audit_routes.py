"""The activity log: ``GET /v1/auditrecords?startDate=&endDate=&size=``.

Partner Center records every operation a partner user or application performs, and keeps it
for 90 days (a start date further back is refused with 400). The sandbox records the writes
that change what discovery imports: a customer created, an order placed (legacy order or cart
checkout: the subscriptions it creates), a subscription changed. Each record names the customer
and carries ``operationDate``; records are seek-paged, oldest first. Filters (company name,
customer id, resource type) are not emulated. Partner Center's newer reference caps a query
at 30 days; the sandbox accepts any window inside the 90 days (the lenient reading, said here).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from csp_commerce.sandbox._http import (
    Context,
    Reply,
    Request,
    bad_request,
    parse_timestamp,
    seek_page,
    timestamp,
)

if TYPE_CHECKING:
    from csp_commerce.sandbox.state import JSON

RETENTION = timedelta(days=90)
#: How many records the sandbox keeps (oldest dropped first).
AUDIT_LOG_LIMIT = 200_000

_C = r"/v1/customers/([^/]+)"
#: (method, path pattern) -> (resourceType, operationType); the customer id is group 1 if any.
_AUDITED: tuple[tuple[str, re.Pattern[str], str, str], ...] = (
    ("POST", re.compile(r"/v1/customers"), "customer", "add_customer"),
    ("POST", re.compile(_C + r"/orders"), "order", "create_order"),
    ("POST", re.compile(_C + r"/carts/[^/]+/checkout"), "order", "create_order"),
    ("PATCH", re.compile(_C + r"/subscriptions/[^/]+"), "subscription", "update_subscription"),
)


def record_write(ctx: Context, method: str, path: str, status: int, body: Any) -> None:
    """Append an audit record for a successful write that discovery cares about."""
    if not 200 <= status < 300:
        return
    for audited_method, pattern, resource, operation in _AUDITED:
        found = pattern.fullmatch(path)
        if method != audited_method or found is None:
            continue
        customer_id = found.group(1) if found.groups() else _id(body)
        if customer_id is None:
            return
        world = ctx.world
        state = world.customers.get(customer_id)
        name = None
        if state is not None:
            name = state.customer.get("companyProfile", {}).get("companyName")
        log = world.audit_records
        log.append(
            {
                "id": world.next_id(),
                "partnerId": world.partner_tenant_id,
                "customerId": customer_id,
                "customerName": name,
                "userPrincipalName": "sandbox-user@sandbox.onmicrosoft.com",
                "applicationId": "sandbox",
                "resourceType": resource,
                "resourceNewValue": json.dumps(body) if isinstance(body, dict) else None,
                "operationType": operation,
                "operationStatus": "succeeded",
                "operationDate": timestamp(ctx.now()),
                "attributes": {"objectType": "AuditRecord"},
            }
        )
        if len(log) > AUDIT_LOG_LIMIT:
            del log[: len(log) - AUDIT_LOG_LIMIT]
        return


def _id(body: Any) -> str | None:
    value = body.get("id") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _date(request: Request, name: str, default: datetime) -> datetime:
    raw = request.query.get(name)
    if not raw:
        return default
    try:
        return parse_timestamp(raw)
    except ValueError:
        raise bad_request(f"{name} is not an ISO-8601 date: {raw!r}.") from None


def list_audit_records(ctx: Context, req: Request) -> Reply:
    """``GET /v1/auditrecords``: the records between ``startDate`` (default: 30 days ago) and
    ``endDate`` (default: now), both inclusive, oldest first."""
    now = ctx.now()
    start = _date(req, "startDate", now - timedelta(days=30))
    end = _date(req, "endDate", now)
    if start < now - RETENTION:
        raise bad_request("startDate must be within the last 90 days.")
    if end < start:
        raise bad_request("endDate must not be before startDate.")
    items: list[JSON] = [
        record
        for record in ctx.world.audit_records
        if start <= parse_timestamp(record["operationDate"]) <= end
    ]
    return Reply(200, seek_page(req, "auditrecords", items, "/v1/auditrecords"))


__all__ = ["AUDIT_LOG_LIMIT", "RETENTION", "list_audit_records", "record_write"]
