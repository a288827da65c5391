"""Partner Center's webhook events, received: the signature check and the dispatch to hooks.

:class:`~csp_commerce.events.receiver.WebhookReceiver` is what a host mounts in its web app
(``handle(body, headers)`` for any framework, ``asgi_app()`` for ASGI ones); it verifies each
delivery against the certificate Partner Center names (:mod:`csp_commerce.events.trust`),
refuses what is unsigned, stale or replayed, and hands typed events to the ``csp_*_event``
hooks, each event once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce._lazy import lazy_attributes

if TYPE_CHECKING:
    from csp_commerce.events.receiver import WebhookReceiver, WebhookResponse
    from csp_commerce.events.server import ReceiverServer
    from csp_commerce.events.trust import CertificateStore, WebhookTrust

_LAZY = {
    "WebhookReceiver": "csp_commerce.events.receiver",
    "WebhookResponse": "csp_commerce.events.receiver",
    "CertificateStore": "csp_commerce.events.trust",
    "ReceiverServer": "csp_commerce.events.server",
    "WebhookTrust": "csp_commerce.events.trust",
}

__getattr__ = lazy_attributes(__name__, _LAZY)

__all__ = [
    "CertificateStore",
    "ReceiverServer",
    "WebhookReceiver",
    "WebhookResponse",
    "WebhookTrust",
]
