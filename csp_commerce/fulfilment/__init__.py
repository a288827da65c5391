"""The one place where changes are sent to Partner Center exactly once: the order saga."""

from __future__ import annotations

from csp_commerce.fulfilment.order_saga import Provisioner

__all__ = ["Provisioner"]
