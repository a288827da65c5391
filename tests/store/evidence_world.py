"""Shared by the evidence log's tests: an acceptance and raw access to the file (the ``path``
and ``log`` fixtures are in this folder's conftest)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from csp_commerce import AcceptanceSource, Contact, McaAcceptance

CONTACT = Contact(
    first_name="Ada", last_name="Lovelace", email="ada@contoso.com", phone_number="+1 425 555 0100"
)
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=timezone.utc)


def accepted(customer: str = "cust-1", **changes: object) -> McaAcceptance:
    fields: dict[str, object] = {
        "customer_reference": customer,
        "template_id": "117a77b0-9360-443b-8795-c6dedc750cf9",
        "contact": CONTACT,
        "accepted_at": datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc),
        "source": AcceptanceSource.CUSTOMER,
        "confirmed_by": "ada@contoso.com",
    }
    fields.update(changes)
    return McaAcceptance.model_validate(fields)


def raw(path: Path) -> sqlite3.Connection:
    """A second connection, as a tamperer with file access would have."""
    return sqlite3.connect(path, isolation_level=None)
