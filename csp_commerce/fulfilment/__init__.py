"""The one place where changes are sent to Partner Center exactly once.

:class:`StepEngine` records, sends and resolves every step; :class:`Provisioner` runs an
order's saga on it (:class:`AsyncProvisioner` the same saga, awaited); :class:`OrderWorker`
claims submitted orders from the ledger and places them (``Checkout.work``); the post-sale
managers (:mod:`csp_commerce.operations`) use it for every change they send.
"""

from __future__ import annotations

from csp_commerce.fulfilment.engine import StepEngine, target_of
from csp_commerce.fulfilment.order_saga import AsyncProvisioner, Provisioner
from csp_commerce.fulfilment.work_queue import OrderWorker, WorkSummary

__all__ = [
    "AsyncProvisioner",
    "OrderWorker",
    "Provisioner",
    "StepEngine",
    "WorkSummary",
    "target_of",
]
