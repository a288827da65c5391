"""An example lite-reseller storefront on csp-commerce, against the built-in sandbox.

``csp-storefront`` starts it (``python -m csp_storefront``); :func:`create_app` builds the
Starlette application on a :class:`Shop`, the storefront's back office.
"""

from __future__ import annotations

from csp_storefront.shop import Shop
from csp_storefront.web import create_app

__all__ = ["Shop", "create_app"]
