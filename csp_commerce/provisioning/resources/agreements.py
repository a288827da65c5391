"""Agreements: the MCA template, confirming a customer's acceptance, reading it back.

All need an app+user token, and a cloud that offers the MCA (not China, not US Government).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from csp_commerce.errors import AgreementAlreadyConfirmedError, PartnerCenterError
from csp_commerce.provisioning._core import Call, PageSpec, collection, model
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    listing,
    operation,
    quote,
)
from csp_commerce.provisioning.wire import (
    Agreement,
    AgreementConfirmation,
    AgreementTemplate,
    PrimaryContact,
)

if TYPE_CHECKING:
    import httpx

MCA = "MicrosoftCustomerAgreement"


def _templates(*, agreement_type: str = MCA) -> PageSpec[AgreementTemplate]:
    """The agreement templates of a type (the MCA's ``templateId`` is what ``confirm`` needs)."""
    return PageSpec(
        Call(
            "GET",
            "/v1/agreements",
            collection(AgreementTemplate),
            params={"agreementType": agreement_type},
            app_user=True,
            capability="supports_mca",
        )
    )


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("date_agreed must carry a time zone")
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _confirm(
    customer_id: str,
    *,
    contact: PrimaryContact,
    template_id: str,
    date_agreed: datetime,
    agreement_type: str = MCA,
    request_id: str | None = None,
) -> Call[AgreementConfirmation]:
    """Confirm the customer accepted the agreement (``contact`` accepted it at ``date_agreed``).

    Confirming the same acceptance again is success: Partner Center's 600061 returns normally
    with ``already_confirmed=True``.
    """
    body = {
        "primaryContact": contact.to_wire(),
        "templateId": template_id,
        "dateAgreed": _iso(date_agreed),
        "type": agreement_type,
    }

    def parse(response: httpx.Response) -> AgreementConfirmation:
        return AgreementConfirmation(agreement=agreement(response))

    def recover(error: PartnerCenterError) -> AgreementConfirmation:
        if isinstance(error, AgreementAlreadyConfirmedError):
            sent = Agreement.model_validate(body)
            return AgreementConfirmation(agreement=sent, already_confirmed=True)
        raise error

    agreement = model(Agreement)
    return Call(
        "POST",
        f"/v1/customers/{quote(customer_id)}/agreements",
        parse,
        json=body,
        app_user=True,
        capability="supports_mca",
        request_id=request_id,
        recover=recover,
    )


def _list(customer_id: str, *, agreement_type: str = MCA) -> PageSpec[Agreement]:
    """The customer's confirmed agreements of a type."""
    return PageSpec(
        Call(
            "GET",
            f"/v1/customers/{quote(customer_id)}/agreements",
            collection(Agreement),
            params={"agreementType": agreement_type},
            app_user=True,
            capability="supports_mca",
        )
    )


class _Operations:
    templates = listing(_templates)
    confirm = operation(_confirm)
    list = listing(_list)


class Agreements(SyncResource, _Operations):
    """``client.agreements``: MCA templates, confirmation and read-back (app+user; public cloud)."""


class AsyncAgreements(AsyncResource, _Operations):
    """MCA templates, confirmation and read-back (app+user; public cloud).

    ``client.agreements`` (async).
    """
