"""The resilient Partner Center client: sync and async twins over one pure core.

>>> from csp_commerce.provisioning import PartnerCenterClient, ClientSecretCredential
>>> credential = ClientSecretCredential(tenant_id, client_id, client_secret)  # doctest: +SKIP
>>> with PartnerCenterClient(credential) as client:  # doctest: +SKIP
...     customer = client.customers.get(customer_id)
"""

from __future__ import annotations

from csp_commerce.provisioning.async_client import AsyncPartnerCenterClient
from csp_commerce.provisioning.auth import (
    AccessToken,
    CertificateCredential,
    ClientSecretCredential,
    CredentialKind,
    FileTokenStore,
    MemoryTokenStore,
    RefreshTokenCredential,
    TokenCredential,
    TokenStore,
)
from csp_commerce.provisioning.blobs import BadRow
from csp_commerce.provisioning.client import PartnerCenterClient
from csp_commerce.provisioning.pacing import (
    DEFAULT_REQUESTS_PER_MINUTE,
    DOCUMENTED_RATES,
    Budget,
    PacedTransport,
    PartnerBudget,
    TokenBucket,
)
from csp_commerce.provisioning.pagination import AsyncPager, SyncPager
from csp_commerce.provisioning.resources.mfa import MfaStatus
from csp_commerce.provisioning.retry import RetryPolicy

__all__ = [
    "DEFAULT_REQUESTS_PER_MINUTE",
    "DOCUMENTED_RATES",
    "AccessToken",
    "AsyncPager",
    "AsyncPartnerCenterClient",
    "BadRow",
    "Budget",
    "CertificateCredential",
    "ClientSecretCredential",
    "CredentialKind",
    "FileTokenStore",
    "MemoryTokenStore",
    "MfaStatus",
    "PacedTransport",
    "PartnerBudget",
    "PartnerCenterClient",
    "RefreshTokenCredential",
    "RetryPolicy",
    "SyncPager",
    "TokenBucket",
    "TokenCredential",
    "TokenStore",
]
