"""The webhook receiver a host mounts: verify a delivery, then dispatch its event once.

Partner Center POSTs each event with ``Authorization: Signature <base64>``,
``X-MS-Certificate-Url`` and ``X-MS-Signature-Algorithm: rsa-sha256``; the signature is
RSA-SHA256 (PKCS#1 v1.5) over the body's bytes. In order, the receiver refuses:

=====  ========================  ==========================================================
401    ``unsigned``              no ``Signature`` authorization or no certificate URL
401    ``algorithm``             an algorithm other than ``rsa-sha256``
401    ``certificate-host``      a certificate URL off the allowed hosts (or not HTTPS)
401    ``untrusted-certificate`` expired, self-signed, unchained or not Microsoft's
401    ``bad-signature``         a signature the certificate's key does not verify
400    ``not-json``              a body that is not a JSON object
400    ``bad-payload``           no ``EventName`` or no valid ``ResourceChangeUtcDate``
400    ``stale``                 changed more than ``max_age`` ago (or in the future)
400    ``replayed``              an event id already handled
=====  ========================  ==========================================================

A signed event with a name Microsoft does not document is logged and ignored (200, never
dispatched). A hook that raises gets a 500 and the id is forgotten, so the next delivery
attempt is handled. 503 ``certificate-unavailable``: the certificate could not be fetched.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from csp_commerce.errors import WebhookRejectedError
from csp_commerce.events.trust import CertificateStore, WebhookTrust, http_fetch
from csp_commerce.models.events import EVENT_FAMILIES, WebhookEvent
from csp_commerce.store.event_log import EventLog

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from csp_commerce.hooks.manager import HookManager

log = logging.getLogger(__name__)

#: The default oldest event accepted: ``subscription-updated`` may come 48 hours late, and
#: Partner Center retries a failed delivery several times before queueing it.
DEFAULT_MAX_AGE_SECONDS = 72 * 3600.0
#: How far in the future an event's change time may be (clock skew).
FUTURE_TOLERANCE_SECONDS = 300.0
_PRUNE_EVERY_SECONDS = 3600.0


@dataclass(frozen=True)
class WebhookResponse:
    """What to answer Partner Center: status, a small JSON body, and the event if dispatched."""

    status: int
    body: dict[str, Any]
    event: WebhookEvent | None = None
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})

    @property
    def content(self) -> bytes:
        """The body, encoded."""
        return json.dumps(self.body).encode()


def _refuse(message: str, status: int, reason: str) -> WebhookRejectedError:
    return WebhookRejectedError(message, status=status, reason=reason)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(key).lower(): str(value) for key, value in headers.items()}


def _parse_time(text: Any) -> datetime:
    if not isinstance(text, str):
        raise _refuse("ResourceChangeUtcDate is missing", 400, "bad-payload")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _refuse(
            f"ResourceChangeUtcDate is not a date: {text!r}", 400, "bad-payload"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class WebhookReceiver:
    """Verifies Partner Center webhook deliveries and dispatches each event once to the hooks.

    :param hooks: the host's :class:`~csp_commerce.hooks.manager.HookManager`.
    :param trust: what signs events (default :meth:`WebhookTrust.microsoft`; the sandbox's
        root is trusted only through :meth:`WebhookTrust.sandbox`).
    :param events: where handled event ids are kept (default: in memory; give an
        :class:`~csp_commerce.store.event_log.EventLog` on a file to survive restarts and to
        share it between worker processes).
    :param max_age: the oldest ``ResourceChangeUtcDate`` accepted, in seconds.
    :param fetch: downloads a certificate URL (default: httpx, no redirects).
    :param certificates: a :class:`CertificateStore` to share (overrides ``trust``/``fetch``).
    """

    def __init__(
        self,
        hooks: HookManager,
        *,
        trust: WebhookTrust | None = None,
        events: EventLog | None = None,
        max_age: float = DEFAULT_MAX_AGE_SECONDS,
        fetch: Callable[[str], bytes] = http_fetch,
        certificates: CertificateStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.hooks = hooks
        self.events = events if events is not None else EventLog()
        self.max_age = max_age
        self._clock = clock
        self.certificates = certificates or CertificateStore(
            trust or WebhookTrust.microsoft(), fetch=fetch, clock=clock
        )
        self._pruned_at = 0.0

    # -- the steps -----------------------------------------------------------------------------

    def verify(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent | None:
        """The event ``body`` carries once its signature checks out; None for an unknown name.

        Raises :class:`WebhookRejectedError` for anything refused (see the module's table);
        does not look at the handled ids (:meth:`receive` does).
        """
        lower = _lower(headers)
        authorization = lower.get("authorization", "")
        url = lower.get("x-ms-certificate-url", "")
        scheme, _, signature_text = authorization.partition(" ")
        if scheme.lower() != "signature" or not signature_text.strip() or not url:
            raise _refuse("the delivery is not signed", 401, "unsigned")
        algorithm = lower.get("x-ms-signature-algorithm", "").strip().lower()
        if algorithm != "rsa-sha256":
            raise _refuse(f"unsupported signature algorithm {algorithm!r}", 401, "algorithm")
        try:
            signature = base64.b64decode(signature_text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise _refuse("the signature is not base64", 401, "bad-signature") from None
        key = self.certificates.key_for(url)
        try:
            key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise _refuse("the signature does not match the body", 401, "bad-signature") from None
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise _refuse("the body is not JSON", 400, "not-json") from None
        if not isinstance(payload, dict):
            raise _refuse("the body is not a JSON object", 400, "not-json")
        name = payload.get("EventName")
        if not isinstance(name, str) or not name:
            raise _refuse("EventName is missing", 400, "bad-payload")
        changed_at = _parse_time(payload.get("ResourceChangeUtcDate"))
        family = EVENT_FAMILIES.get(name)
        if family is None:
            return None
        now = self._clock()
        age = now - changed_at.timestamp()
        if age > self.max_age or age < -FUTURE_TOLERANCE_SECONDS:
            raise _refuse(f"the event changed at {changed_at:%Y-%m-%dT%H:%M:%SZ}", 400, "stale")
        # Every field is checked above: construct without a second validation pass.
        return WebhookEvent.model_construct(
            id=hashlib.sha256(body).hexdigest(),
            name=name,
            family=family,
            resource_uri=str(payload.get("ResourceUri") or ""),
            resource_name=str(payload.get("ResourceName") or ""),
            audit_uri=str(payload.get("AuditUri") or ""),
            changed_at=changed_at,
            payload=payload,
        )

    def receive(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent | None:
        """Verify, then dispatch the event to the hooks unless its id was handled already.

        Returns the dispatched event (None: an unknown name, ignored). Raises
        :class:`WebhookRejectedError` for a refused delivery (``replayed`` for an id already
        handled) and lets a hook's exception through after forgetting the id.
        """
        event = self.verify(body, headers)
        if event is None:
            return None
        now = self._clock()
        if not self.events.claim(event.id, event.name, now):
            raise _refuse(f"event {event.id} was already handled", 400, "replayed")
        try:
            self.hooks.dispatch_event(event)
        except BaseException:
            self.events.release(event.id)
            raise
        if now - self._pruned_at > _PRUNE_EVERY_SECONDS:
            self._pruned_at = now
            self.events.prune(now - self.max_age - FUTURE_TOLERANCE_SECONDS)
        return event

    # -- front ends ----------------------------------------------------------------------------

    def handle(self, body: bytes, headers: Mapping[str, str]) -> WebhookResponse:
        """Framework-neutral: the answer to one delivery (never raises for a bad delivery).

        Call it from any web framework's view with the raw body and the request headers, and
        answer with ``status``, ``content`` and ``headers``.
        """
        try:
            event = self.receive(body, headers)
        except WebhookRejectedError as refused:
            log.warning("webhook refused (%s): %s", refused.reason, refused)
            return WebhookResponse(
                refused.status, {"error": refused.reason, "detail": str(refused)}
            )
        except Exception:
            log.exception("a webhook event hook failed; the event will be handled on redelivery")
            return WebhookResponse(500, {"error": "handler-failed"})
        if event is None:
            log.warning("webhook event with an unknown name ignored")
            return WebhookResponse(200, {"status": "ignored"})
        return WebhookResponse(200, {"status": "handled", "id": event.id}, event)

    def asgi_app(self, *, max_body: int = 1 << 20) -> ASGIApp:
        """A small ASGI app answering POSTs with :meth:`handle` (mount it at any path)."""
        return ASGIApp(self, max_body=max_body)


Scope = dict[str, Any]


class ASGIApp:
    """The receiver as an ASGI 3 application: POST only, body up to ``max_body`` bytes.

    Verification and the hooks run in a worker thread (``asyncio.to_thread``), so a slow
    certificate fetch or hook never blocks the event loop.
    """

    def __init__(self, receiver: WebhookReceiver, *, max_body: int = 1 << 20) -> None:
        self.receiver = receiver
        self.max_body = max_body

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await _answer(send, WebhookResponse(405, {"error": "method-not-allowed"}))
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _answer(send, WebhookResponse(413, {"error": "too-large"}))
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        headers = {
            key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]
        }
        response = await asyncio.to_thread(self.receiver.handle, b"".join(chunks), headers)
        await _answer(send, response)


async def _answer(
    send: Callable[[dict[str, Any]], Awaitable[None]], response: WebhookResponse
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": response.status,
            "headers": [(k.encode(), v.encode()) for k, v in response.headers.items()],
        }
    )
    await send({"type": "http.response.body", "body": response.content})
