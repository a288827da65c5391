"""The Microsoft clouds Partner Center runs in, and what each one offers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Cloud(str, Enum):
    """A Partner Center cloud. US Government shares the public API host but not its authority."""

    GLOBAL = "global"
    CHINA = "china"  # operated by 21Vianet
    US_GOV = "usgov"


@dataclass(frozen=True)
class CloudEndpoints:
    """Where a cloud's Partner Center API and Entra ID authority live, and what it lacks."""

    api_base: str
    authority_host: str
    resource: str
    #: Microsoft Graph for this cloud (the reconciliation v2 exports live there).
    graph_base: str = "https://graph.microsoft.com/v1.0"
    graph_resource: str = "https://graph.microsoft.com"
    #: The secure application model's token exchange route (``/v3/generatetoken`` replaced
    #: ``/generatetoken`` on 27 Feb 2025; the ``graph.windows.net`` audience is refused since
    #: Aug 2025). Tokens for ``resource`` come straight from Entra ID through msal; this is
    #: the route Partner Center documents for hosts that exchange tokens through it.
    generate_token_route: str = "/v3/generatetoken"
    supports_mca: bool = True
    supports_licence_management: bool = True
    supports_password_reset: bool = True
    supports_user_creation: bool = True
    supports_multi_partner: bool = True
    annual_billing_only: bool = False
    #: Billing reconciliation v2 (Graph exports) is offered in the global cloud only.
    supports_reconciliation_v2: bool = True

    @property
    def scope(self) -> str:
        """The OAuth scope for app-only tokens on this cloud."""
        return f"{self.resource}/.default"

    @property
    def graph_scope(self) -> str:
        """The OAuth scope of Microsoft Graph tokens on this cloud."""
        return f"{self.graph_resource}/.default"


ENDPOINTS: dict[Cloud, CloudEndpoints] = {
    Cloud.GLOBAL: CloudEndpoints(
        api_base="https://api.partnercenter.microsoft.com",
        authority_host="https://login.microsoftonline.com",
        resource="https://api.partnercenter.microsoft.com",
    ),
    Cloud.CHINA: CloudEndpoints(
        api_base="https://partner.partnercenterapi.microsoftonline.cn",
        authority_host="https://login.partner.microsoftonline.cn",
        resource="https://partner.partnercenterapi.microsoftonline.cn",
        supports_mca=False,
        supports_licence_management=False,
        supports_password_reset=False,
        annual_billing_only=True,
        graph_base="https://microsoftgraph.chinacloudapi.cn/v1.0",
        graph_resource="https://microsoftgraph.chinacloudapi.cn",
        supports_reconciliation_v2=False,
    ),
    Cloud.US_GOV: CloudEndpoints(
        api_base="https://api.partnercenter.microsoft.com",
        authority_host="https://login.microsoftonline.us",
        resource="https://api.partnercenter.microsoft.com",
        supports_mca=False,
        supports_password_reset=False,
        supports_user_creation=False,  # partners cannot create customer users there
        supports_multi_partner=False,
        graph_base="https://graph.microsoft.us/v1.0",
        graph_resource="https://graph.microsoft.us",
        supports_reconciliation_v2=False,
    ),
}
