"""Judge an order: :class:`Checkout` (:class:`AsyncCheckout` for asyncio), the facts it gathers
from Partner Center, order files.

``Checkout`` is imported at once; gathering facts and order files, which need the client, are
imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce._lazy import lazy_attributes
from csp_commerce.checkout.async_checkout import AsyncCheckout
from csp_commerce.checkout.checkout import Checkout
from csp_commerce.checkout.facts_cache import FactsCache
from csp_commerce.hooks.manager import COUNTRY_RULES_PLUGIN, MCA_LOG_PLUGIN

if TYPE_CHECKING:
    from csp_commerce.checkout.gather_facts import gather_facts, gather_facts_async

_LAZY = {
    "gather_facts": "csp_commerce.checkout.gather_facts",
    "gather_facts_async": "csp_commerce.checkout.gather_facts",
}

__getattr__ = lazy_attributes(__name__, _LAZY)

__all__ = [
    "COUNTRY_RULES_PLUGIN",
    "MCA_LOG_PLUGIN",
    "AsyncCheckout",
    "Checkout",
    "FactsCache",
    "gather_facts",
    "gather_facts_async",
]
