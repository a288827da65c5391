"""Handlers: the webhook registration, the test event, and the signed events' outbox.

Partner Center keeps one registration per partner (``/webhooks/v1/registration``). The sandbox
queues an event in its outbox when something the registration asked for happens (a tenant
accepts the reseller relationship, a subscription changes, an invoice is generated, a test
event is asked for, or ``POST /sandbox/v1/webhooks/events``); :meth:`Sandbox.deliver_webhooks`
sends the outbox, signed, to the registered URL: up to :data:`MAX_ATTEMPTS` tries per event, as
Partner Center, after which the event goes to the ``offline`` list.

Where Microsoft's text is silent the sandbox is strict (said where it applies): a second
``POST`` while registered is a 409, an unknown event name a 400, and the URL must be HTTPS
(plain HTTP only to this machine, so receivers can be tried locally).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from csp_commerce.errors import EmulatedError
from csp_commerce.models.events import EVENT_NAMES
from csp_commerce.sandbox._http import Context, Reply, Request, bad_request, not_found, timestamp
from csp_commerce.sandbox.webhook_signer import new_signer

if TYPE_CHECKING:
    from csp_commerce.sandbox.state import JSON

#: Delivery attempts per event before it is queued offline (Partner Center's documented count).
MAX_ATTEMPTS = 10
#: Test events allowed per minute (Partner Center's documented limit).
TEST_EVENTS_PER_MINUTE = 2
CERTIFICATE_PATH = "/sandbox-certificates/webhook-signer.pem"
ROOT_PATH = "/sandbox-certificates/webhook-root.pem"
REGISTRATION_PATH = "/webhooks/v1/registration"
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
_DELIVERY_LOG = 1000
_KNOWN = {name.lower(): name for name in EVENT_NAMES}


def state(ctx: Context) -> JSON:
    """The world's webhook state (created on first use)."""
    hooks = ctx.world.webhooks
    hooks.setdefault("registration", None)
    hooks.setdefault("outbox", [])
    hooks.setdefault("offline", [])
    hooks.setdefault("deliveries", [])
    hooks.setdefault("validations", {})
    hooks.setdefault("testTimes", [])
    return hooks


def signer(ctx: Context) -> JSON:
    """The sandbox's root and signer (PEM), made on first use and kept with the world."""
    hooks = state(ctx)
    if "signer" not in hooks:
        hooks["signer"] = new_signer(ctx.now())
    entry: JSON = hooks["signer"]
    return entry


# -- the partner's registration -----------------------------------------------------------------


def _registration_body(ctx: Context, req: Request) -> tuple[str, list[str]]:
    body = req.json_object()
    url = body.get("WebhookUrl")
    events = body.get("WebhookEvents")
    if not isinstance(url, str) or not url:
        raise bad_request("WebhookUrl is required.")
    parts = urlsplit(url)
    local = parts.scheme == "http" and (parts.hostname or "") in _LOCAL_HOSTS
    if not parts.netloc or (parts.scheme != "https" and not local):
        raise bad_request(f"WebhookUrl must be an absolute https URL: {url!r}.")
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise bad_request("WebhookEvents must be a non-empty list of event names.")
    unknown = [name for name in events if name.lower() not in _KNOWN]
    if unknown:
        raise bad_request(f"Unsupported webhook events: {', '.join(unknown)}.")
    return url, list(dict.fromkeys(_KNOWN[name.lower()] for name in events))


def _registered(ctx: Context) -> JSON:
    registration: JSON | None = state(ctx)["registration"]
    if registration is None:
        raise not_found("The webhook registration")
    return registration


def register(ctx: Context, req: Request) -> Reply:
    """POST: register the partner's webhook URL and events."""
    url, events = _registration_body(ctx, req)
    hooks = state(ctx)
    if hooks["registration"] is not None:
        # Undocumented: the sandbox refuses a second registration (PUT changes it).
        raise EmulatedError(409, 409, "A webhook registration already exists; update it instead.")
    signer(ctx)
    hooks["registration"] = {
        "SubscriberId": ctx.world.partner_tenant_id,
        "WebhookUrl": url,
        "WebhookEvents": events,
    }
    return Reply(200, hooks["registration"])


def get_registration(ctx: Context, req: Request) -> Reply:
    """GET: the registration."""
    return Reply(200, _registered(ctx))


def update_registration(ctx: Context, req: Request) -> Reply:
    """PUT: replace the registration's URL and events."""
    registration = _registered(ctx)
    url, events = _registration_body(ctx, req)
    registration.update(WebhookUrl=url, WebhookEvents=events)
    return Reply(200, registration)


def delete_registration(ctx: Context, req: Request) -> Reply:
    """DELETE: no more events (the outbox is dropped too)."""
    _registered(ctx)
    hooks = state(ctx)
    hooks["registration"] = None
    hooks["outbox"] = []
    return Reply(204)


def supported_events(ctx: Context, req: Request) -> Reply:
    """GET: the event names a registration may ask for."""
    return Reply(200, list(EVENT_NAMES))


def send_test_event(ctx: Context, req: Request) -> Reply:
    """POST: queue ``test-created`` for the registered URL (two a minute)."""
    registration = _registered(ctx)
    if "test-created" not in registration["WebhookEvents"]:
        raise bad_request("The registration must include test-created to send a test event.")
    hooks = state(ctx)
    now = ctx.clock()
    recent = [moment for moment in hooks["testTimes"] if now - moment < 60]
    if len(recent) >= TEST_EVENTS_PER_MINUTE:
        wait = int(60 - (now - recent[0])) + 1
        body = {
            "statusCode": 429,
            "message": f"Rate limit is exceeded. Try again in {wait} seconds.",
        }
        return Reply(429, body, {"Retry-After": str(wait)})
    hooks["testTimes"] = [*recent, now]
    correlation = ctx.world.next_id()
    hooks["validations"][correlation] = {
        "correlationId": correlation,
        "partnerId": ctx.world.partner_tenant_id,
        "status": "pending",
        "callbackUrl": registration["WebhookUrl"],
        "responseCode": None,
        "responseMessage": None,
        "systemMessage": "Queued",
        "dateTimeUtc": timestamp(ctx.now()),
    }
    emit(
        ctx,
        "test-created",
        f"{REGISTRATION_PATH}/validationEvents/{correlation}",
        "test",
        correlation=correlation,
    )
    return Reply(200, {"correlationId": correlation})


def test_event_status(ctx: Context, req: Request) -> Reply:
    """GET: how a test event's delivery went."""
    found = state(ctx)["validations"].get(req.params[0])
    if found is None:
        raise not_found(f"Validation event {req.params[0]}")
    return Reply(200, found)


# -- the sandbox's own: its certificates, an event on demand ---------------------------------------


def certificate(ctx: Context, req: Request) -> Reply:
    """The signer's certificate (what ``X-MS-Certificate-Url`` points to), PEM."""
    pem = signer(ctx)["certificatePem"].encode()
    return Reply(200, pem, {"Content-Type": "application/x-pem-file"})


def root(ctx: Context, req: Request) -> Reply:
    """The sandbox's root certificate, PEM: trust it only to receive the sandbox's events."""
    pem = signer(ctx)["rootPem"].encode()
    return Reply(200, pem, {"Content-Type": "application/x-pem-file"})


def post_event(ctx: Context, req: Request) -> Reply:
    """Queue any event (e.g. a GDAP one) as if it happened: ``{eventName, resourceUri}``."""
    body = req.json_object()
    name = body.get("eventName")
    uri = body.get("resourceUri", "")
    if not isinstance(name, str) or not isinstance(uri, str):
        raise bad_request("eventName and resourceUri are required strings.")
    changed = body.get("resourceChangeUtcDate")
    queued = emit(ctx, name, uri, str(body.get("resourceName", "")), changed_at=changed)
    return Reply(201, {"queued": queued is not None, "event": queued})


# -- the outbox ----------------------------------------------------------------------------------


def emit(
    ctx: Context,
    name: str,
    resource_uri: str,
    resource_name: str,
    *,
    correlation: str | None = None,
    changed_at: str | None = None,
) -> JSON | None:
    """Queue event ``name`` if the registration asks for it; returns the payload queued."""
    registration = state(ctx)["registration"]
    if registration is None or name not in registration["WebhookEvents"]:
        return None
    base = "https://api.partnercenter.microsoft.com"
    payload = {
        "EventName": name,
        "ResourceUri": base + resource_uri if resource_uri.startswith("/") else resource_uri,
        "ResourceName": resource_name,
        "AuditUri": None,
        "ResourceChangeUtcDate": changed_at or timestamp(ctx.now()),
    }
    state(ctx)["outbox"].append(
        {
            "id": ctx.world.next_id(),
            "url": registration["WebhookUrl"],
            "body": json.dumps(payload, separators=(",", ":")),
            "eventName": name,
            "attempts": 0,
            "correlationId": correlation,
        }
    )
    return payload


def pending(ctx: Context) -> list[JSON]:
    """Copies of the outbox's events, oldest first (delivered outside the lock)."""
    return [dict(item) for item in state(ctx)["outbox"]]


def settle(ctx: Context, item: JSON, status: int | None, message: str) -> None:
    """Record one delivery attempt of ``item``: delivered (2xx), retried later, or offline."""
    hooks = state(ctx)
    outbox: list[JSON] = hooks["outbox"]
    current = next((entry for entry in outbox if entry["id"] == item["id"]), None)
    if current is None:  # the registration was deleted meanwhile
        return
    current["attempts"] += 1
    delivered = status is not None and 200 <= status < 300
    if delivered or current["attempts"] >= MAX_ATTEMPTS:
        outbox.remove(current)
        if not delivered:
            hooks["offline"].append(current)
    hooks["deliveries"].append(
        {
            "eventName": current["eventName"],
            "url": current["url"],
            "status": status,
            "attempt": current["attempts"],
            "at": timestamp(ctx.now()),
        }
    )
    del hooks["deliveries"][:-_DELIVERY_LOG]
    correlation = current.get("correlationId")
    if correlation and correlation in hooks["validations"]:
        hooks["validations"][correlation].update(
            status="completed" if delivered else "failed",
            responseCode=status,
            responseMessage=message,
            systemMessage="Request completed" if delivered else "Delivery failed",
            dateTimeUtc=timestamp(ctx.now()),
        )
