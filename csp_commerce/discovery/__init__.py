"""Discovery: import a partner's customers, subscriptions and invoices into the host, paced and
incremental (see :mod:`csp_commerce.discovery.runner` for how a run decides what to fetch)."""

from __future__ import annotations

from csp_commerce.discovery.pacing import DEFAULT_REQUESTS_PER_MINUTE, PacedTransport, TokenBucket
from csp_commerce.discovery.runner import Discovery, Progress, fingerprint
from csp_commerce.discovery.store import DiscoveryStore, PartnerAccount

__all__ = [
    "DEFAULT_REQUESTS_PER_MINUTE",
    "Discovery",
    "DiscoveryStore",
    "PacedTransport",
    "PartnerAccount",
    "Progress",
    "TokenBucket",
    "fingerprint",
]
