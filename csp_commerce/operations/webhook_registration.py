"""The partner's webhook registration, changed through the step engine like every change.

:func:`register_webhook` makes the registration say ``url`` and ``events``: a ``POST`` when
there is none, a ``PUT`` otherwise, as one recorded step with its MS-RequestId. A resend whose
first answer was lost may be refused (a second ``POST`` is a 409; a replay Partner Center has
forgotten looks like that); the engine then reads the registration back, and the step is done
when it already says what was asked. Run again with the same ``operation_id``, the recorded
outcome is returned without a request.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, NamedTuple

from csp_commerce.errors import ConflictError, NotFoundError, StepFailed
from csp_commerce.fulfilment.engine import StepEngine, failure
from csp_commerce.provisioning.wire import WebhookRegistration

if TYPE_CHECKING:
    from collections.abc import Sequence

    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.store.ledger import Ledger, Step

_KEY = "webhook_registration"


class Registered(NamedTuple):
    """The registration as it now stands, and whether this call created it (else updated)."""

    registration: WebhookRegistration
    created: bool


def register_webhook(
    client: PartnerCenterClient,
    ledger: Ledger,
    url: str,
    events: Sequence[str],
    *,
    operation_id: str | None = None,
) -> Registered:
    """Register ``url`` for ``events`` (or update the registration to them), exactly once."""
    wanted = list(dict.fromkeys(events))

    def current() -> WebhookRegistration | None:
        try:
            return client.webhooks.get()
        except NotFoundError:
            return None

    def as_asked(registration: WebhookRegistration | None) -> bool:
        return (
            registration is not None
            and registration.webhook_url == url
            and sorted(registration.webhook_events) == sorted(wanted)
        )

    def plan() -> dict[str, Any]:
        # POST or PUT is decided once, when the step is recorded: a resend must repeat the same
        # request under the same MS-RequestId, whatever the first attempt changed meanwhile.
        return {"url": url, "events": wanted, "create": current() is None}

    def send(step: Step) -> dict[str, Any]:
        created = bool(step.intent["create"])
        if created:
            made = client.webhooks.register(url, wanted, request_id=step.request_id)
        else:
            made = client.webhooks.update(url, wanted, request_id=step.request_id)
        return {"registration": made.model_dump(mode="json", by_alias=True), "created": created}

    def read_back(step: Step) -> dict[str, Any] | None:
        found = current()
        if as_asked(found):
            assert found is not None
            return {"registration": found.model_dump(mode="json", by_alias=True), "created": True}
        raise StepFailed(failure("Partner Center refused the webhook registration"))

    result = StepEngine(client, ledger).step(
        operation_id or str(uuid.uuid4()),
        _KEY,
        "register_webhook",
        intent=plan,
        send=send,
        read_back=read_back,
        explained=(ConflictError,),
    )
    registration = WebhookRegistration.model_validate(result["registration"])
    return Registered(registration, bool(result["created"]))
