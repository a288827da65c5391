"""The Partner Center client's exceptions: one tree under :class:`CSPCommerceError`.

Every error carries what support needs to find the call on Microsoft's side: the
``MS-RequestId`` and ``MS-CorrelationId`` it was sent with, and (for status errors) Partner
Center's own error ``code`` and ``description``. Known codes get their own class, so a caller
can ``except CartBusyError`` instead of comparing numbers. No message ever contains a token.
"""

from __future__ import annotations

from typing import Any

from csp_commerce.errors import CSPCommerceError


class PartnerCenterError(CSPCommerceError):
    """Base of every error the Partner Center client raises.

    :ivar request_id: the ``MS-RequestId`` of the logical operation (None before any request).
    :ivar correlation_id: the ``MS-CorrelationId`` it was sent with.
    :ivar code: Partner Center's error code (an int as a rule; None when there was none).
    :ivar description: Partner Center's description of the error, or our own explanation.
    :ivar status_code: the HTTP status (None when no response arrived).
    """

    status_code: int | None = None

    def __init__(
        self,
        message: str,
        *,
        request_id: str | None = None,
        correlation_id: str | None = None,
        code: int | str | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        self.correlation_id = correlation_id
        self.code = code
        self.description = description

    def __str__(self) -> str:
        ids = []
        if self.request_id:
            ids.append(f"request id {self.request_id}")
        if self.correlation_id:
            ids.append(f"correlation id {self.correlation_id}")
        return f"{self.message} ({', '.join(ids)})" if ids else self.message


# ---------------------------------------------------------------------------------------------
# Raised before any request


class AppUserRequiredError(PartnerCenterError):
    """The operation needs an app+user token but the credential is app-only.

    Raised before any request; use a :class:`RefreshTokenCredential` (secure application model).
    """


class OperationNotSupportedError(PartnerCenterError):
    """The client's cloud does not offer the operation (e.g. MCA confirmation in China).

    :ivar capability: the :class:`~csp_commerce.clouds.CloudEndpoints` flag that is False.
    """

    def __init__(self, message: str, *, capability: str) -> None:
        super().__init__(message)
        self.capability = capability


class CancellationWindowClosedError(PartnerCenterError):
    """A subscription's cancellation window (``cancellationAllowedUntilDate``) has passed."""


class TokenAcquisitionError(PartnerCenterError):
    """Entra ID (through msal) refused to issue a token.

    :ivar error: the OAuth error (e.g. ``invalid_client``), never a secret.
    """

    def __init__(self, message: str, *, error: str | None = None) -> None:
        super().__init__(message, description=message)
        self.error = error


class RefreshTokenExpiredError(TokenAcquisitionError):
    """The stored refresh token is missing, expired or revoked: a new interactive consent
    (secure application model) is needed. Unused refresh tokens die after 90 days."""


# ---------------------------------------------------------------------------------------------
# No usable response


class APIConnectionError(PartnerCenterError):
    """The request never got a response (DNS, connection refused or reset), after retries."""


class APITimeoutError(APIConnectionError):
    """The request timed out, after retries."""


class ResponseValidationError(PartnerCenterError):
    """A response arrived but does not have the shape Partner Center documents.

    :ivar errors: pydantic's list of what did not validate (or a note on a non-JSON body).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        errors: list[Any],
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id, correlation_id=correlation_id)
        self.status_code = status_code
        self.errors = errors


# ---------------------------------------------------------------------------------------------
# HTTP status errors


class APIStatusError(PartnerCenterError):
    """Partner Center answered with an error status.

    :ivar status_code: the HTTP status.
    :ivar data: the error's ``data`` list (often empty).
    :ivar body: the decoded error body (dict), or None when it was not JSON.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None = None,
        correlation_id: str | None = None,
        code: int | str | None = None,
        description: str | None = None,
        data: list[Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            message,
            request_id=request_id,
            correlation_id=correlation_id,
            code=code,
            description=description,
        )
        self.status_code = status_code
        self.data = data or []
        self.body = body


class BadRequestError(APIStatusError):
    """400: Partner Center refused the request's content (a business rule or bad input)."""


class AuthenticationError(APIStatusError):
    """401: the token was missing, expired, or of the wrong kind (800001: app+user needed)."""


class PermissionDeniedError(APIStatusError):
    """403: the partner may not do this (role, GDAP, onboarding, eligibility)."""


class NotFoundError(APIStatusError):
    """404: no such resource (code 1000 for an unknown customer)."""


class ConflictError(APIStatusError):
    """409: the resource is busy or in a conflicting state."""


class PreconditionFailedError(APIStatusError):
    """412 / 417: a precondition (e.g. an ``If-Match`` etag) did not hold."""


class RateLimitError(APIStatusError):
    """429: throttled. Raised when retries are exhausted, or at once when Retry-After exceeds the
    policy's cap.

    :ivar retry_after: seconds Partner Center asked to wait (None if it did not say).
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """5xx: Partner Center failed, after retries."""


# Known Partner Center codes -------------------------------------------------------------------


class AgreementAlreadyConfirmedError(BadRequestError):
    """600061: the same MCA acceptance is already on record. ``agreements.confirm`` treats it as
    success and returns normally; this class is raised only by raw requests."""


class McaNotAcceptedError(PermissionDeniedError):
    """13605: the customer has not accepted the Microsoft Customer Agreement."""


class CartBusyError(ConflictError):
    """800064: another request is processing the cart (retried with a delay before raising)."""


class OrderInProgressError(ConflictError):
    """800060: an order for the customer is in progress (retried with a delay before raising)."""


class CartAlreadySubmittedError(BadRequestError):
    """800065: the cart was already checked out; look up the customer's orders instead."""


class RegistrationNumberError(BadRequestError):
    """600002 / 600049 / 600050: the organisation registration number is not accepted for the
    country, missing, or malformed (the description carries the expected pattern)."""


class PhoneNumberRequiredError(BadRequestError):
    """600051: the country requires a phone number on the customer's address."""


class UnknownMpnError(NotFoundError):
    """3000 on 404: no partner organisation with that MPN id / PartnerID."""


class MpaStatusError(BadRequestError):
    """2000-2206 from the MPA status check: bad or unknown MPN/tenant id, other CSP region, or
    an account that has not signed the Microsoft Partner Agreement."""


class StaleETagError(BadRequestError):
    """2055: the ``If-Match`` etag is no longer valid; read the resource again and retry."""


#: Errors after which a write's outcome is unknown (no answer, throttled after every retry, or a
#: 5xx, which may come after the change was made): read the resource back before resending.
UNKNOWN_OUTCOME_ERRORS: tuple[type[PartnerCenterError], ...] = (
    APIConnectionError,
    RateLimitError,
    InternalServerError,
)

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AgreementAlreadyConfirmedError",
    "AppUserRequiredError",
    "AuthenticationError",
    "BadRequestError",
    "CancellationWindowClosedError",
    "CartAlreadySubmittedError",
    "CartBusyError",
    "ConflictError",
    "InternalServerError",
    "McaNotAcceptedError",
    "MpaStatusError",
    "NotFoundError",
    "OperationNotSupportedError",
    "OrderInProgressError",
    "PartnerCenterError",
    "PermissionDeniedError",
    "PhoneNumberRequiredError",
    "PreconditionFailedError",
    "RateLimitError",
    "RefreshTokenExpiredError",
    "RegistrationNumberError",
    "ResponseValidationError",
    "StaleETagError",
    "TokenAcquisitionError",
    "UnknownMpnError",
]
