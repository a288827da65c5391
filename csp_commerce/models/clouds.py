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
    supports_mca: bool = True
    supports_licence_management: bool = True
    supports_password_reset: bool = True
    supports_user_creation: bool = True
    supports_multi_partner: bool = True
    annual_billing_only: bool = False
    #: Microsoft Graph (GDAP) on this cloud; empty where the library does not reach it.
    graph_base: str = "https://graph.microsoft.com"

    @property
    def scope(self) -> str:
        """The OAuth scope for app-only tokens on this cloud."""
        return f"{self.resource}/.default"

    @property
    def graph_scope(self) -> str:
        """The OAuth scope of Microsoft Graph on this cloud."""
        return f"{self.graph_base}/.default"


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
        graph_base="https://microsoftgraph.chinacloudapi.cn",
    ),
    Cloud.US_GOV: CloudEndpoints(
        api_base="https://api.partnercenter.microsoft.com",
        authority_host="https://login.microsoftonline.us",
        resource="https://api.partnercenter.microsoft.com",
        supports_mca=False,
        supports_password_reset=False,
        supports_user_creation=False,  # partners cannot create customer users there
        supports_multi_partner=False,
        graph_base="https://graph.microsoft.us",
    ),
}
