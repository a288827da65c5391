"""Customer qualifications: read them (app-only is fine), apply for one (app+user)."""

from __future__ import annotations

from csp_commerce.provisioning._core import Call, items_or_list, model
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    operation,
    quote,
)
from csp_commerce.provisioning.wire import CustomerQualification


def _get(customer_id: str) -> Call[list[CustomerQualification]]:
    """The customer's qualifications and their vetting status."""
    return Call(
        "GET",
        f"/v1/customers/{quote(customer_id)}/qualifications",
        items_or_list(CustomerQualification),
    )


def _set(
    customer_id: str,
    qualification: str,
    *,
    education_segment: str | None = None,
    website: str | None = None,
    validation_code: str | None = None,
    request_id: str | None = None,
) -> Call[CustomerQualification]:
    """Apply for a qualification (``Education`` with a segment, ``GovernmentCommunityCloud``
    with a validation code, ``StateOwnedEntity``). Vetting starts as ``InReview``."""
    body = {"qualification": qualification}
    for key, value in (
        ("educationSegment", education_segment),
        ("website", website),
        ("validationCode", validation_code),
    ):
        if value is not None:
            body[key] = value
    return Call(
        "POST",
        f"/v1/customers/{quote(customer_id)}/qualifications",
        model(CustomerQualification),
        json=body,
        app_user=True,
        request_id=request_id,
    )


class _Operations:
    get = operation(_get)
    set = operation(_set)


class Qualifications(SyncResource, _Operations):
    """``client.qualifications``: customer qualifications (Education, GCC, state-owned entity)."""


class AsyncQualifications(AsyncResource, _Operations):
    """Customer qualifications (Education, GCC, state-owned entity).

    ``client.qualifications`` (async).
    """
