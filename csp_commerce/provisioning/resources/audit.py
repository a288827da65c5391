"""The activity log: audit records of the partner's operations (``GET /v1/auditrecords``).

Partner Center keeps 90 days of records; a start date further back is refused (400). Records
are seek-paged. Discovery uses them to learn which customers changed since its last run.
"""

from __future__ import annotations

from datetime import datetime, timezone

from csp_commerce.provisioning._core import Call, PageSpec, collection
from csp_commerce.provisioning.resources._resource import AsyncResource, SyncResource, listing
from csp_commerce.provisioning.wire import PCModel


class AuditRecord(PCModel):
    """One operation a partner user or application performed."""

    # Only for an operation that changed an existing resource.
    conditional_fields = frozenset({"resourceOldValue"})

    id: str | None = None
    partner_id: str | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    user_principal_name: str | None = None
    application_id: str | None = None
    resource_type: str | None = None
    operation_type: str | None = None
    operation_status: str | None = None
    operation_date: str | None = None
    resource_old_value: str | None = None
    resource_new_value: str | None = None


def _wire_date(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _list(
    start: datetime, end: datetime | None = None, *, size: int = 500
) -> PageSpec[AuditRecord]:
    """The records from ``start`` to ``end`` (default: now), both inclusive; naive datetimes
    are UTC. ``start`` must be within the last 90 days."""
    params: dict[str, str | int] = {"startDate": _wire_date(start), "size": size}
    if end is not None:
        params["endDate"] = _wire_date(end)
    return PageSpec(Call("GET", "/v1/auditrecords", collection(AuditRecord), params=params))


class _Operations:
    list = listing(_list)


class AuditRecords(SyncResource, _Operations):
    """``client.audit_records``: the activity log (audit records of the last 90 days)."""


class AsyncAuditRecords(AsyncResource, _Operations):
    """``client.audit_records`` (async): the activity log (audit records of the last 90 days)."""


__all__ = ["AsyncAuditRecords", "AuditRecord", "AuditRecords"]
