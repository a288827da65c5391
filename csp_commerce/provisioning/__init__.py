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
from csp_commerce.provisioning.client import PartnerCenterClient
from csp_commerce.provisioning.country_rules import PartnerCenterCountryRules
from csp_commerce.provisioning.errors import (
    AgreementAlreadyConfirmedError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AppUserRequiredError,
    AuthenticationError,
    BadRequestError,
    CancellationWindowClosedError,
    CartAlreadySubmittedError,
    CartBusyError,
    ConflictError,
    InternalServerError,
    McaNotAcceptedError,
    MpaStatusError,
    NotFoundError,
    OperationNotSupportedError,
    OrderInProgressError,
    PartnerCenterError,
    PermissionDeniedError,
    PhoneNumberRequiredError,
    PreconditionFailedError,
    RateLimitError,
    RefreshTokenExpiredError,
    RegistrationNumberError,
    ResponseValidationError,
    StaleETagError,
    TokenAcquisitionError,
    UnknownMpnError,
)
from csp_commerce.provisioning.facts import gather_facts, gather_facts_async
from csp_commerce.provisioning.pagination import AsyncPager, SyncPager
from csp_commerce.provisioning.retry import RetryPolicy

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AccessToken",
    "AgreementAlreadyConfirmedError",
    "AppUserRequiredError",
    "AsyncPager",
    "AsyncPartnerCenterClient",
    "AuthenticationError",
    "BadRequestError",
    "CancellationWindowClosedError",
    "CartAlreadySubmittedError",
    "CartBusyError",
    "CertificateCredential",
    "ClientSecretCredential",
    "ConflictError",
    "CredentialKind",
    "FileTokenStore",
    "InternalServerError",
    "McaNotAcceptedError",
    "MemoryTokenStore",
    "MpaStatusError",
    "NotFoundError",
    "OperationNotSupportedError",
    "OrderInProgressError",
    "PartnerCenterClient",
    "PartnerCenterCountryRules",
    "PartnerCenterError",
    "PermissionDeniedError",
    "PhoneNumberRequiredError",
    "PreconditionFailedError",
    "RateLimitError",
    "RefreshTokenCredential",
    "RefreshTokenExpiredError",
    "RegistrationNumberError",
    "ResponseValidationError",
    "RetryPolicy",
    "StaleETagError",
    "SyncPager",
    "TokenAcquisitionError",
    "TokenCredential",
    "TokenStore",
    "UnknownMpnError",
    "gather_facts",
    "gather_facts_async",
]
