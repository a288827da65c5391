"""Webhook registration and test-event shapes (``/webhooks/v1/registration``).

The registration is PascalCase on the wire (``SubscriberId``, ``WebhookUrl``,
``WebhookEvents``), unlike Partner Center's other resources. The test event's status shape is
taken from Microsoft's sample answer (its field list is not documented as a schema).
"""

from __future__ import annotations

from pydantic import Field

from csp_commerce.provisioning.wire._pc_model import PCModel


class WebhookRegistration(PCModel):
    """The partner's one webhook registration: where events go and which ones."""

    subscriber_id: str | None = Field(default=None, alias="SubscriberId")
    webhook_url: str = Field(alias="WebhookUrl")
    webhook_events: list[str] = Field(default_factory=list, alias="WebhookEvents")


class WebhookValidationEvent(PCModel):
    """The answer to a test event: the correlation id to ask its delivery status with."""

    correlation_id: str


class WebhookValidationStatus(PCModel):
    """How the test event's delivery went (``responseCode``: the receiver's HTTP status)."""

    correlation_id: str
    partner_id: str | None = None
    status: str | None = None
    callback_url: str | None = None
    response_code: int | None = None
    response_message: str | None = None
    system_message: str | None = None
    date_time_utc: str | None = None
