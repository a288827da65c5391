"""Is a stored credential fit for Partner Center as it runs in 2026?

Since 2026 Partner Center refuses app+user calls without an MFA claim (401, code 900421); the
``graph.windows.net`` audience has been refused since August 2025 (tokens are for the cloud's
Partner Center resource, ``/v3/generatetoken`` replaced ``/generatetoken``).
:func:`check_credential` signs in with a stored credential and asks Partner Center to validate MFA
(:mod:`csp_commerce.provisioning.resources.mfa`, where the unconfirmed answer shape is kept);
:func:`cloud_sign_in` lists how each cloud is signed in to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from csp_commerce.errors import MFA_ADVICE, PartnerCenterError, TokenAcquisitionError
from csp_commerce.models.clouds import ENDPOINTS, Cloud
from csp_commerce.provisioning.auth import CredentialKind, credential_kind

if TYPE_CHECKING:
    from collections.abc import Iterable

    import httpx


@dataclass(frozen=True)
class CredentialCheck:
    """One account's answer: MFA compliance, its token's expiry, and why."""

    name: str
    cloud: str
    kind: str
    compliant: bool
    expires_at: datetime | None
    detail: str

    def as_json(self) -> dict[str, Any]:
        """JSON-ready (the expiry as ISO 8601)."""
        return {
            "name": self.name,
            "cloud": self.cloud,
            "kind": self.kind,
            "mfaCompliant": self.compliant,
            "tokenExpiresAt": self.expires_at.isoformat() if self.expires_at else None,
            "detail": self.detail,
        }


def check_credential(
    name: str, credential: Any, cloud: Cloud, *, http: httpx.Client | None = None
) -> CredentialCheck:
    """Sign in with ``credential`` and ask Partner Center whether its token satisfies MFA.

    An app-only credential has no user and nothing to check (compliant); a refused sign-in or a
    900421 is not compliant, with the operator's next step in ``detail``.
    """
    from csp_commerce.provisioning import PartnerCenterClient

    kind = credential_kind(credential) or CredentialKind.APP_USER
    base = {"name": name, "cloud": cloud.value, "kind": kind.value}
    if kind is CredentialKind.APP:
        detail = "app-only: Partner Center's MFA rule is for app+user"
        return CredentialCheck(**base, compliant=True, expires_at=None, detail=detail)
    try:
        token = credential.get_token(ENDPOINTS[cloud].scope)
    except TokenAcquisitionError as error:
        detail = f"sign-in refused ({error}); {MFA_ADVICE}"
        return CredentialCheck(**base, compliant=False, expires_at=None, detail=detail)
    expires = datetime.fromtimestamp(float(token.expires_on), timezone.utc)
    client = PartnerCenterClient(
        credential, cloud=cloud, http_client=http, application_name="csp-commerce partners check"
    )
    try:
        status = client.mfa.check()
    except PartnerCenterError as error:
        return CredentialCheck(**base, compliant=False, expires_at=expires, detail=str(error))
    finally:
        client.close()
    detail = status.detail if status.compliant else f"{status.detail}; {MFA_ADVICE}"
    return CredentialCheck(**base, compliant=status.compliant, expires_at=expires, detail=detail)


def cloud_sign_in(used: Iterable[Cloud] = ()) -> list[dict[str, Any]]:
    """Each cloud's sign-in: authority, token audience, token route, reconciliation v2."""
    chosen = set(used)
    return [
        {
            "cloud": cloud.value,
            "used": cloud in chosen,
            "authority": endpoints.authority_host,
            "audience": endpoints.resource,
            "tokenRoute": endpoints.generate_token_route,
            "reconciliationV2": endpoints.supports_reconciliation_v2,
        }
        for cloud, endpoints in ENDPOINTS.items()
    ]


__all__ = ["CredentialCheck", "check_credential", "cloud_sign_in"]
