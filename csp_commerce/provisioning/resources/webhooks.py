"""Webhooks: the partner's registration (one per partner), its events, and the test event.

App-only and app+user tokens both work. Partner Center allows two test events a minute.
"""

from __future__ import annotations

from csp_commerce.provisioning._core import Call, model, status_is
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    operation,
    quote,
)
from csp_commerce.provisioning.wire import (
    WebhookRegistration,
    WebhookValidationEvent,
    WebhookValidationStatus,
)

_REGISTRATION = "/webhooks/v1/registration"


def _body(url: str, events: list[str]) -> dict[str, object]:
    return {"WebhookUrl": url, "WebhookEvents": list(events)}


def _register(
    url: str, events: list[str], *, request_id: str | None = None
) -> Call[WebhookRegistration]:
    """Register ``url`` for ``events`` (names as in ``csp_commerce.models.events``)."""
    return Call(
        "POST",
        _REGISTRATION,
        model(WebhookRegistration),
        json=_body(url, events),
        request_id=request_id,
    )


def _get() -> Call[WebhookRegistration]:
    """The current registration (:class:`NotFoundError` when there is none)."""
    return Call("GET", _REGISTRATION, model(WebhookRegistration))


def _update(
    url: str, events: list[str], *, request_id: str | None = None
) -> Call[WebhookRegistration]:
    """Replace the registration's URL and events."""
    return Call(
        "PUT",
        _REGISTRATION,
        model(WebhookRegistration),
        json=_body(url, events),
        request_id=request_id,
    )


def _delete() -> Call[bool]:
    """Remove the registration (no more events are sent)."""
    return Call("DELETE", _REGISTRATION, status_is(204))


def _supported_events() -> Call[list[str]]:
    """The event names Partner Center can send."""
    return Call("GET", _REGISTRATION + "/events", model(list[str]))


def _send_test_event() -> Call[WebhookValidationEvent]:
    """Ask Partner Center to send ``test-created`` to the registered URL (2 a minute; the
    registration must include ``test-created``)."""
    return Call("POST", _REGISTRATION + "/validationEvents", model(WebhookValidationEvent))


def _test_event_status(correlation_id: str) -> Call[WebhookValidationStatus]:
    """How the test event ``correlation_id`` was delivered."""
    return Call(
        "GET",
        f"{_REGISTRATION}/validationEvents/{quote(correlation_id)}",
        model(WebhookValidationStatus),
    )


class _Operations:
    register = operation(_register)
    get = operation(_get)
    update = operation(_update)
    delete = operation(_delete)
    supported_events = operation(_supported_events)
    send_test_event = operation(_send_test_event)
    test_event_status = operation(_test_event_status)


class Webhooks(SyncResource, _Operations):
    """The webhook registration and test event. ``client.webhooks``."""


class AsyncWebhooks(AsyncResource, _Operations):
    """The webhook registration and test event. ``client.webhooks`` (async)."""
