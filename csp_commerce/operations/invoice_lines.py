"""An invoice's line items for billing: reconciliation v2 first, v1 where v2 has no data.

New-commerce billed line items of periods after March 2025 are served only by the v2 exports
on Microsoft Graph, and unbilled v1 was retired on 15 March 2026; legacy-commerce invoices stay
on v1 (v2 fails them with code 5000). So every read starts with v2 and falls back to v1 on
5000 (or in a cloud without v2), and says which it used (:attr:`InvoiceLines.source`).

A v2 export's manifest ``eTag`` changes only when the data does: with an :class:`EtagMemory`, a
repeated export of data already read is not downloaded again (:attr:`InvoiceLines.unchanged`).
Lines that cannot be read are kept as ``bad_rows``; a failed blob raises (never half a list).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from pydantic import ValidationError

from csp_commerce.errors import LegacyInvoiceError, OperationNotSupportedError
from csp_commerce.money.reconciliation import InvoiceLine
from csp_commerce.provisioning.blobs import BadRow

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.provisioning.wire import ExportManifest, ReconciliationLineItem
    from csp_commerce.store.export_etags import ExportEtagStore

V2 = "reconciliation v2"
V1_LEGACY = "v1 (legacy invoice: v2 answered 5000)"
V1_CLOUD = "v1 (this cloud has no reconciliation v2)"
V1_ASKED = "v1 (asked for)"


@dataclass(frozen=True)
class InvoiceLines:
    """The line items read, where from, and the lines that could not be read."""

    source: str
    lines: tuple[InvoiceLine, ...]
    bad_rows: tuple[str, ...] = ()
    etag: str | None = None
    unchanged: bool = False


class EtagMemory(Protocol):
    """Where export eTags already read are remembered (with what they gave)."""

    def recall(self, etag: str) -> InvoiceLines | None:
        """What the export with ``etag`` gave, or None when it was not read before."""

    def remember(self, etag: str, lines: InvoiceLines) -> None:
        """Keep what the export with ``etag`` gave."""


class MemoryEtagMemory:
    """The last ``size`` exports read, in memory."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._seen: OrderedDict[str, InvoiceLines] = OrderedDict()

    def recall(self, etag: str) -> InvoiceLines | None:
        return self._seen.get(etag)

    def remember(self, etag: str, lines: InvoiceLines) -> None:
        self._seen[etag] = lines
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)


class StoredEtagMemory:
    """Exports read, kept in an :class:`~csp_commerce.store.export_etags.ExportEtagStore` (SQLite
    or PostgreSQL), so that they stay known between processes (the ``billing`` command's runs).

    :attr:`recalled` lists the eTags answered from the store (not downloaded) by this object.
    """

    def __init__(self, store: ExportEtagStore) -> None:
        self.store = store
        self.recalled: list[str] = []

    def recall(self, etag: str) -> InvoiceLines | None:
        kept = self.store.get(etag)
        if kept is None:
            return None
        self.recalled.append(etag)
        return InvoiceLines(kept.source, kept.lines, kept.bad_rows, etag)

    def remember(self, etag: str, lines: InvoiceLines) -> None:
        self.store.put(etag, lines.source, lines.lines, lines.bad_rows)


def billed_lines(
    client: PartnerCenterClient,
    invoice_id: str,
    *,
    memory: EtagMemory | None = None,
    use_v1: bool = False,
    providers: Sequence[str] = ("onetime",),
    max_wait: float = 1800.0,
) -> InvoiceLines:
    """The billed line items of ``invoice_id``: v2, or v1 for a legacy invoice (or when
    ``use_v1``: periods before the cut-over only)."""
    if use_v1:
        return _v1(client, invoice_id, providers, V1_ASKED)
    try:
        manifest = client.reconciliation.export_billed(invoice_id, max_wait=max_wait)
    except LegacyInvoiceError:
        return _v1(client, invoice_id, providers, V1_LEGACY)
    except OperationNotSupportedError:
        return _v1(client, invoice_id, providers, V1_CLOUD)
    return _read(client, manifest, memory)


def unbilled_lines(
    client: PartnerCenterClient,
    *,
    currency_code: str = "USD",
    billing_period: str = "current",
    memory: EtagMemory | None = None,
    max_wait: float = 1800.0,
) -> InvoiceLines:
    """The charges of ``billing_period`` (``current`` or ``last``) not invoiced yet (v2 only:
    Partner Center retired unbilled v1 on 15 March 2026)."""
    manifest = client.reconciliation.export_unbilled(
        billing_period=billing_period, currency_code=currency_code, max_wait=max_wait
    )
    return _read(client, manifest, memory)


def _v1(
    client: PartnerCenterClient, invoice_id: str, providers: Sequence[str], source: str
) -> InvoiceLines:
    items = [
        item.to_wire()
        for provider in providers
        for item in client.invoices.line_items(invoice_id, provider=provider)
        if item.subscription_id
    ]
    lines, bad = _typed(enumerate(items, 1), "v1")
    return InvoiceLines(source, lines, bad)


def _read(
    client: PartnerCenterClient, manifest: ExportManifest, memory: EtagMemory | None
) -> InvoiceLines:
    if memory is not None:
        known = memory.recall(manifest.e_tag)
        if known is not None:
            return replace(known, unchanged=True)
    bad: list[str] = []
    wire: list[tuple[int, dict[str, object]]] = []
    for number, item in enumerate(client.reconciliation.line_items(manifest), 1):
        if isinstance(item, BadRow):
            bad.append(f"blob {item.blob} line {item.line}: {item.error}")
        elif _billed(item):
            wire.append((number, item.to_wire()))
    lines, unreadable = _typed(wire, "v2")
    result = InvoiceLines(V2, lines, tuple(bad) + unreadable, manifest.e_tag)
    if memory is not None:
        memory.remember(manifest.e_tag, result)
    return result


def _billed(item: ReconciliationLineItem) -> bool:
    return bool(item.subscription_id)


def _typed(
    items: Iterable[tuple[int, dict[str, object]]], where: str
) -> tuple[tuple[InvoiceLine, ...], tuple[str, ...]]:
    lines: list[InvoiceLine] = []
    bad: list[str] = []
    for number, data in items:
        try:
            lines.append(InvoiceLine.model_validate(data))
        except ValidationError as error:
            first = error.errors(include_url=False, include_input=False)[0]
            field = ".".join(str(part) for part in first.get("loc", ()))
            bad.append(f"{where} line item {number}: {field}: {first.get('msg')}")
    return tuple(lines), tuple(bad)


__all__ = [
    "V1_ASKED",
    "V1_CLOUD",
    "V1_LEGACY",
    "V2",
    "EtagMemory",
    "InvoiceLines",
    "MemoryEtagMemory",
    "StoredEtagMemory",
    "billed_lines",
    "unbilled_lines",
]
