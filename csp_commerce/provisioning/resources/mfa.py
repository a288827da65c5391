"""Whether the credential's app+user token satisfies Partner Center's MFA rule.

Since 2026 Partner Center refuses app+user calls whose token has no MFA claim: 401, code
900421 (:class:`~csp_commerce.errors.MfaRequiredError`). Partner Center documents a request
header, ``ValidateMfa: true``, that makes a call check the claim and say whether the caller is
"MFA compliant". **Unconfirmed**: the exact shape of the compliant answer (a response header or
body field named ``isMfaCompliant`` is reported by third parties, not seen in Microsoft's text).
This module is the one place that knows the header, the probe and how the answer is read:

* the probe is the partner's own MPN profile (``GET /v1/profiles/mpn``, app+user, offered in
  every cloud) sent with ``ValidateMfa: true``;
* 900421 means not compliant; a success means compliant, unless the answer carries an
  ``isMfaCompliant`` header or body field that says ``false``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from csp_commerce import errors as E
from csp_commerce.provisioning._core import Call
from csp_commerce.provisioning.resources._resource import AsyncResource, SyncResource, operation

if TYPE_CHECKING:
    import httpx

#: Partner Center's MFA-validation request header and its value.
VALIDATE_MFA_HEADER = "ValidateMfa"
#: Where a compliant answer may say so (unconfirmed: header or body field of this name).
COMPLIANCE_FIELD = "isMfaCompliant"
PROBE_PATH = "/v1/profiles/mpn"


@dataclass(frozen=True)
class MfaStatus:
    """The answer of an MFA check: ``compliant``, and what said so."""

    compliant: bool
    detail: str
    request_id: str | None = None


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _read(response: httpx.Response) -> MfaStatus:
    request_id = response.request.headers.get("MS-RequestId") if response.request else None
    said = _flag(response.headers.get(COMPLIANCE_FIELD))
    if said is None:
        try:
            body = json.loads(response.content) if response.content else None
        except ValueError:
            body = None
        said = _flag(body.get(COMPLIANCE_FIELD)) if isinstance(body, dict) else None
    if said is None:
        return MfaStatus(True, "Partner Center accepted the call with ValidateMfa", request_id)
    return MfaStatus(said, f"Partner Center answered {COMPLIANCE_FIELD}={said}", request_id)


def _refused(error: E.PartnerCenterError) -> MfaStatus:
    if isinstance(error, E.MfaRequiredError):
        return MfaStatus(False, "Partner Center refused the token: 900421", error.request_id)
    raise error


def _check() -> Call[MfaStatus]:
    """Whether the app+user token satisfies Partner Center's MFA rule (``ValidateMfa``); a
    refusal with 900421 is an answer (not compliant), any other failure is raised."""
    return Call(
        "GET",
        PROBE_PATH,
        _read,
        headers={VALIDATE_MFA_HEADER: "true"},
        app_user=True,
        recover=_refused,
    )


class _Operations:
    check = operation(_check)


class Mfa(SyncResource, _Operations):
    """``client.mfa``: Partner Center's MFA check of the app+user token."""


class AsyncMfa(AsyncResource, _Operations):
    """``client.mfa`` (async): Partner Center's MFA check of the app+user token."""
