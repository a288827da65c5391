"""Durable state in SQLite: the MCA evidence log (:mod:`csp_commerce.store.mca_log`) and the
provisioning ledger (:mod:`csp_commerce.store.ledger`).

The names below are imported on first use, so that importing the package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce._lazy import lazy_attributes

if TYPE_CHECKING:
    from csp_commerce.store.mca_log import (
        McaEvidenceEntry,
        McaEvidenceLog,
        McaEvidencePlugin,
        VerifyResult,
    )

_LAZY = {
    "McaEvidenceEntry": "csp_commerce.store.mca_log",
    "McaEvidenceLog": "csp_commerce.store.mca_log",
    "McaEvidencePlugin": "csp_commerce.store.mca_log",
    "VerifyResult": "csp_commerce.store.mca_log",
}


__getattr__ = lazy_attributes(__name__, _LAZY)


__all__ = ["McaEvidenceEntry", "McaEvidenceLog", "McaEvidencePlugin", "VerifyResult"]
