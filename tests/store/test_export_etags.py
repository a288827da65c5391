"""The export eTag store on both engines: what an export gave survives a reopen, the newest
``keep`` exports stay, and the schema is versioned like every store's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from csp_commerce.money.reconciliation import InvoiceLine
from csp_commerce.store._db import connect
from csp_commerce.store._schema import version
from csp_commerce.store.export_etags import ExportEtagStore, upgrade_export_etags


def line(subscription: str, quantity: str = "5", price: str = "12.50") -> InvoiceLine:
    return InvoiceLine.model_validate({
        "customerId": "c-1", "customerName": "Fabrikam", "subscriptionId": subscription,
        "productId": "CFQ7TTC0LH18", "skuId": "0001", "productName": "Business Basic",
        "quantity": quantity, "unitPrice": price, "effectiveUnitPrice": price,
        "subtotal": str(Decimal(quantity) * Decimal(price)), "currency": "EUR",
        "chargeStartDate": "2026-10-01T00:00:00Z", "chargeEndDate": "2026-10-31",
        "chargeType": "new",
    })  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def test_an_export_read_is_known_after_a_reopen_exactly_as_it_was(
    store_url: Callable[[str], str],
) -> None:
    lines = (line("s-1"), line("s-2", "0.5", "3.333"), line("s-3"))
    with ExportEtagStore(store_url("exports")) as store:
        assert store.get("etag-1") is None
        store.put("etag-1", "reconciliation v2", lines, ("blob part-0 line 4: not JSON",))
    with ExportEtagStore(store_url("exports")) as store:
        kept = store.get("etag-1")
        assert kept is not None and store.get("etag-2") is None
    assert kept.lines == lines  # Decimals, dates and every field as they were
    assert kept.lines[1].quantity == Decimal("0.5") and kept.lines[0].charge_start_date == dt.date(
        2026, 10, 1
    )
    assert kept.source == "reconciliation v2"
    assert kept.bad_rows == ("blob part-0 line 4: not JSON",)


def test_only_the_newest_exports_are_kept_and_a_put_replaces(
    store_url: Callable[[str], str],
) -> None:
    with ExportEtagStore(store_url("exports"), keep=2, clock=Clock()) as store:
        for etag in ("a", "b", "c"):
            store.put(etag, "reconciliation v2", (line(etag),), ())
        assert store.etags() == ["c", "b"] and store.get("a") is None
        store.put("b", "reconciliation v2", (line("b2"),), ())  # read again: newest now
        store.put("d", "reconciliation v2", (), ())
        assert store.etags() == ["d", "b"]
        kept = store.get("b")
        assert kept is not None and [item.subscription_id for item in kept.lines] == ["b2"]


def test_the_schema_is_versioned_and_upgraded_once(store_url: Callable[[str], str]) -> None:
    ExportEtagStore(store_url("exports")).close()
    db = connect(store_url("exports"), store="export_etags")
    try:
        assert version(db, "export_etags") == 1
        assert upgrade_export_etags(db) == []
    finally:
        db.close()
