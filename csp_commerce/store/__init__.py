"""Durable state in SQLite: the MCA evidence log (:mod:`csp_commerce.store.mca_log`) and the
provisioning ledger (:mod:`csp_commerce.store.ledger`).

The names below are imported on first use, so that importing the package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'csp_commerce.store' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = ["McaEvidenceEntry", "McaEvidenceLog", "McaEvidencePlugin", "VerifyResult"]
