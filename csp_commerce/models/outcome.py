"""What provisioning did: the outcome the host is told about once per order."""

from __future__ import annotations

from enum import Enum

from pydantic import Field, SecretStr

from csp_commerce.models._base import Model
from csp_commerce.models.plan import LineAction


class OutcomeStatus(str, Enum):
    """How an order's provisioning ended."""

    PLACED = "placed"
    FAILED = "failed"


class LineOutcome(Model):
    """What one order line became in Partner Center."""

    line_id: str
    action: LineAction
    subscription_id: str | None = None
    order_id: str | None = Field(default=None, description="Partner Center's order id")
    quantity: int
    partner_id_on_record: str | None = None
    compensated: bool = Field(
        default=False, description="Undone (cancelled or reverted) after a later step failed"
    )


class FailureDetail(Model):
    """Why provisioning failed: Partner Center's code and the request that failed."""

    message: str
    error_type: str
    code: str | None = None
    description: str | None = Field(default=None, description="Partner Center's own words")
    request_id: str | None = None
    correlation_id: str | None = None
    line_id: str | None = None


class ProvisioningOutcome(Model):
    """The end of one order's provisioning saga."""

    order_id: str
    status: OutcomeStatus
    customer_tenant_id: str | None = None
    lines: tuple[LineOutcome, ...] = ()
    failure: FailureDetail | None = None
    compensation_failures: tuple[FailureDetail, ...] = ()

    @property
    def placed(self) -> bool:
        """True when every line was provisioned."""
        return self.status is OutcomeStatus.PLACED


class CreatedTenant(Model):
    """A tenant Partner Center just created for a customer, with its first admin's sign-in.

    Partner Center shows the admin's password only in its answer to the creation: hand it to
    the customer or keep it in the host's vault. The library never stores or logs it
    (``admin_password`` is a ``SecretStr``).
    """

    order_id: str
    customer_reference: str
    tenant_id: str
    domain: str
    admin_user_name: str | None = None
    admin_password: SecretStr | None = None
    credentials_lost: bool = Field(
        default=False,
        description=(
            "Partner Center's one-time answer with the admin's password could not be recovered"
            " (it was lost and Partner Center no longer replays it): reset the admin's password"
            " in Partner Center or the Microsoft 365 admin center"
        ),
    )
