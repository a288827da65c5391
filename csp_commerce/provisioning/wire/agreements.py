"""Agreements: MCA templates, confirmed acceptances, and the partner-side MPA status."""

from __future__ import annotations

from pydantic import Field

from csp_commerce.provisioning.wire._pc_model import PCModel


class AgreementTemplate(PCModel):
    """An agreement template (fetch the MCA template id, never hard-code it)."""

    template_id: str
    agreement_type: str | None = None
    agreement_link: str | None = None
    version_rank: int | None = None


class PrimaryContact(PCModel):
    """The customer's contact who accepted an agreement."""

    first_name: str
    last_name: str
    email: str
    phone_number: str | None = None


class Agreement(PCModel):
    """A confirmed agreement acceptance on a customer."""

    template_id: str | None = None
    type: str | None = None
    date_agreed: str | None = None
    primary_contact: PrimaryContact | None = None
    user_id: str | None = None
    agreement_link: str | None = None


class AgreementConfirmation(PCModel):
    """The outcome of ``agreements.confirm``: the agreement on record, and whether Partner
    Center already had it (code 600061, treated as success)."""

    agreement: Agreement
    already_confirmed: bool = False


class MpaStatus(PCModel):
    """Whether an indirect reseller has signed the Microsoft Partner Agreement."""

    is_agreement_signed: bool = Field(default=False)
