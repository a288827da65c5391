"""Every durable store, on SQLite or PostgreSQL (by path or URL): the provisioning ledger
(:mod:`csp_commerce.store.ledger`), the MCA evidence log (:mod:`csp_commerce.store.mca_log`),
discovery's accounts, cursors and fingerprints (:mod:`csp_commerce.store.discovery_store`), the
webhook event ids already handled (:mod:`csp_commerce.store.event_log`, SQLite), the
reconciliation v2 exports already read (:mod:`csp_commerce.store.export_etags`), and the
Partner Center request budget every process shares (:mod:`csp_commerce.store.partner_budget`).

The names below are imported on first use, so that importing the package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce._lazy import lazy_attributes

if TYPE_CHECKING:
    from csp_commerce.store.discovery_store import DiscoveryStore, PartnerAccount
    from csp_commerce.store.event_log import EventLog
    from csp_commerce.store.export_etags import ExportEtagStore
    from csp_commerce.store.ledger import Ledger
    from csp_commerce.store.mca_log import (
        McaEvidenceEntry,
        McaEvidenceLog,
        VerifyResult,
    )
    from csp_commerce.store.partner_budget import SharedPartnerBudget, budget_for

_LAZY = {
    "DiscoveryStore": "csp_commerce.store.discovery_store",
    "EventLog": "csp_commerce.store.event_log",
    "ExportEtagStore": "csp_commerce.store.export_etags",
    "PartnerAccount": "csp_commerce.store.discovery_store",
    "Ledger": "csp_commerce.store.ledger",
    "McaEvidenceEntry": "csp_commerce.store.mca_log",
    "McaEvidenceLog": "csp_commerce.store.mca_log",
    "VerifyResult": "csp_commerce.store.mca_log",
    "SharedPartnerBudget": "csp_commerce.store.partner_budget",
    "budget_for": "csp_commerce.store.partner_budget",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = [
    "DiscoveryStore",
    "EventLog",
    "ExportEtagStore",
    "Ledger",
    "McaEvidenceEntry",
    "McaEvidenceLog",
    "PartnerAccount",
    "SharedPartnerBudget",
    "VerifyResult",
    "budget_for",
]
