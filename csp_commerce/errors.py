"""The root of every exception csp_commerce raises.

Exceptions are for the program's and the network's failures; the customer's mistakes are
Problems (:class:`csp_commerce.models.Problem`). Every exception class of the library is
defined here, in one tree:

- :class:`CSPCommerceError`
  - :class:`ConfigurationError`, :class:`InputError` (:class:`OrderFileError`),
    :class:`PluginError`, :class:`PricingError` (:class:`PriceNotFoundError`)
  - :class:`PartnerCenterClientError`: what the client raises
    - raised before any request (no request id): :class:`AppUserRequiredError`,
      :class:`OperationNotSupportedError`, :class:`CancellationWindowClosedError`,
      :class:`TokenAcquisitionError` (Entra ID's refusal, :class:`RefreshTokenExpiredError`)
    - :class:`PartnerCenterError`: a request was sent; carries Partner Center's ``code``, the
      ``request_id`` and ``correlation_id`` (connection, validation and status errors)
  - provisioning: :class:`ProvisioningInterrupted`, :class:`OrderBusyError`,
    :class:`LeaseLostError`, :class:`TargetMismatchError`, :class:`WorkerStopping`
  - the MCA evidence log: :class:`McaEvidenceDamagedError`
  - the sandbox's error answers: :class:`EmulatedError`

This module imports nothing else of the library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence


class CSPCommerceError(Exception):
    """Base class of every csp_commerce exception."""


class ConfigurationError(CSPCommerceError):
    """The library was set up wrongly (a missing credential, an unknown cloud, a bad path)."""


class InputError(CSPCommerceError):
    """Input the library cannot use at all (a malformed order file, a wrong type).

    Raised for input that never became a model; once it is a model, mistakes are Problems.
    """


class PluginError(CSPCommerceError):
    """A host plugin broke the hook contract (e.g. returned the wrong type)."""


class OrderFileError(InputError):
    """The order file cannot be used as it is; the message says where and why."""


class PricingError(CSPCommerceError):
    """The price list or markups cannot price a line (a configuration mistake of the host)."""


class PriceNotFoundError(PricingError):
    """No entry of the price list matches the line's offer, billing cycle and term."""


class PartnerCenterClientError(CSPCommerceError):
    """Base of every error the Partner Center client raises: refused before sending, sign-in
    failed, or Partner Center's own answer (:class:`PartnerCenterError`).

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


class PartnerCenterError(PartnerCenterClientError):
    """A request was sent to Partner Center and failed: no usable answer, or an error answer.

    ``request_id`` is always set (the ``MS-RequestId`` the request was sent with).
    """


# ---------------------------------------------------------------------------------------------
# Raised before any request: nothing reached Partner Center, so there is no request id


class AppUserRequiredError(PartnerCenterClientError):
    """The operation needs an app+user token but the credential is app-only.

    Raised before any request; use a :class:`RefreshTokenCredential` (secure application model).
    """


class OperationNotSupportedError(PartnerCenterClientError):
    """The client's cloud does not offer the operation (e.g. MCA confirmation in China).

    :ivar capability: the :class:`~csp_commerce.models.clouds.CloudEndpoints` flag that is False.
    """

    def __init__(self, message: str, *, capability: str) -> None:
        super().__init__(message)
        self.capability = capability


class CancellationWindowClosedError(PartnerCenterClientError):
    """A subscription's cancellation window (``cancellationAllowedUntilDate``) has passed."""


class TokenAcquisitionError(PartnerCenterClientError):
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


#: What an operator does about 900421 (the message of :class:`MfaRequiredError`).
MFA_ADVICE = (
    "the app+user token has no MFA claim: sign in again with multi-factor authentication and "
    "re-consent the secure application model, then store the new refresh token"
)


class MfaRequiredError(AuthenticationError):
    """401 code 900421: an app+user call without an MFA claim in its token (enforced on every
    Partner Center API from 2026). Re-consent with an MFA sign-in; retrying cannot help."""


# ---------------------------------------------------------------------------------------------
# Billing reconciliation v2 (Graph exports): the operation and its blobs


class ReconciliationExportError(PartnerCenterError):
    """A reconciliation v2 export failed: the operation, its manifest or one of its blobs.

    No report is built from a failed export (never a partial one presented as complete).
    """


class ExportFailedError(ReconciliationExportError):
    """The export operation ended as ``failedOperation`` (``code`` and ``description`` are
    Graph's)."""


class LegacyInvoiceError(ExportFailedError):
    """Code 5000: v2 has no data for the invoice (legacy commerce); read it with v1."""


class ExportTimeoutError(ReconciliationExportError):
    """The export operation was still running when the bounded wait ran out."""


class ManifestError(ReconciliationExportError):
    """The manifest is unusable: ``blobCount`` disagrees with its blobs, or a field is missing."""


class BlobMissingError(ReconciliationExportError):
    """A blob the manifest lists is not in storage (404)."""


class BlobCorruptError(ReconciliationExportError):
    """A blob is not whole gzip (truncated or damaged): its lines cannot all be read."""


class SasExpiredError(ReconciliationExportError):
    """Storage refused the manifest's SAS token (403, expired): run the export again."""


#: Errors after which a write's outcome is unknown (no answer, throttled after every retry, or a
#: 5xx, which may come after the change was made): read the resource back before resending.
UNKNOWN_OUTCOME_ERRORS: tuple[type[PartnerCenterError], ...] = (
    APIConnectionError,
    RateLimitError,
    InternalServerError,
)


# ---------------------------------------------------------------------------------------------
# The client's retry loop


class RetrySignal(Exception):
    """Raised inside the client's tenacity loop when the retry policy wants another attempt.

    Internal to the client; never escapes it. ``decision`` is the policy's
    ``RetryDecision``, ``call`` the operation's ``Call`` (typed loosely here, so that this module
    imports nothing else of the library).
    """

    def __init__(self, decision: Any, error: PartnerCenterError, call: Any) -> None:
        super().__init__(decision.reason)
        self.decision = decision
        self.error = error
        self.call = call


# ---------------------------------------------------------------------------------------------
# Provisioning


class ProvisioningInterrupted(CSPCommerceError):
    """Provisioning stopped with an outcome Partner Center has not confirmed yet.

    Nothing is lost: the order stays in the ledger as ``placing``, and
    :meth:`Provisioner.resume` (``csp-commerce orders resume``) reads back what Partner Center
    has and finishes it without buying anything twice.
    """

    def __init__(self, order_id: str, cause: Exception) -> None:
        super().__init__(f"order {order_id} was interrupted ({cause}); resume it to finish")
        self.order_id = order_id
        self.cause = cause


class OutcomeUnknown(CSPCommerceError):
    """Internal to the step engine: what an earlier attempt did cannot be told yet (a purchase
    not visible yet, a subscription another operation holds). The step stays ``sent``."""


class StepFailed(CSPCommerceError):
    """Internal to the step engine: a step failed for good. ``detail`` is its
    ``FailureDetail``; ``result`` what it did all the same (a cart half bought), to undo."""

    def __init__(self, detail: Any, result: dict[str, Any] | None = None) -> None:
        super().__init__(detail.message)
        self.detail = detail
        self.result = result


class TargetMismatchError(CSPCommerceError):
    """A recorded order or change was made against another Partner Center (another cloud or
    partner tenant, or the sandbox): it is never resumed against this one."""


class OrderBusyError(CSPCommerceError):
    """Another worker holds this order's lease right now."""


class OrderNotHeldError(InputError):
    """``Checkout.approve``/``reject`` of an order that cannot take that decision: never held
    for approval, approving a rejected one, or rejecting an approved one."""


class LeaseLostError(CSPCommerceError):
    """A worker's lease on an order ran out and another worker took it over: stop."""


class WorkerStopping(CSPCommerceError):
    """A worker was asked to stop (``Checkout.work``'s ``stop``, SIGTERM to ``csp-commerce
    worker``): raised before the next step of an order begins, never during one. The worker
    gives the order's lease back and returns; the next worker goes on from the steps recorded."""


# ---------------------------------------------------------------------------------------------
# The MCA evidence log


class McaEvidenceDamagedError(CSPCommerceError):
    """The MCA evidence log is damaged: entries that cannot be read, or a protective trigger
    (refusing UPDATE or DELETE) missing or changed.

    Raised when reading entries that cannot be read, and when appending to a log whose
    triggers are gone (nothing is appended then). ``McaEvidenceLog.verify`` reports the same
    damage as a result instead of raising.

    :ivar damaged_seqs: the sequence numbers of the entries that cannot be read (empty when only
        a trigger is missing).
    """

    def __init__(self, message: str, *, damaged_seqs: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.damaged_seqs = tuple(damaged_seqs)


# ---------------------------------------------------------------------------------------------
# Webhooks


class WebhookRejectedError(CSPCommerceError):
    """A webhook delivery the receiver refuses: never dispatched to any hook.

    ``status`` is the HTTP status to answer (401: unsigned, bad signature, untrusted
    certificate; 400: stale, replayed, malformed), ``reason`` a stable short code
    (``unsigned``, ``bad-signature``, ``certificate-host``, ``untrusted-certificate``,
    ``algorithm``, ``stale``, ``replayed``, ``not-json``, ``bad-payload``).
    """

    def __init__(self, message: str, *, status: int, reason: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


# ---------------------------------------------------------------------------------------------
# The sandbox


class EmulatedError(CSPCommerceError):
    """An error answer of the emulated Partner Center: HTTP ``status`` and the body's ``code``.

    The sandbox's handlers raise it; its administration helpers let it through (bad input).
    """

    def __init__(
        self,
        status: int,
        code: int,
        description: str,
        data: Sequence[Any] = (),
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.data = list(data)
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        """Partner Center's error body."""
        return {
            "code": self.code,
            "description": self.description,
            "data": self.data,
            "source": "PartnerFD",
            **self.extra,
        }


__all__ = [
    "MFA_ADVICE",
    "UNKNOWN_OUTCOME_ERRORS",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AgreementAlreadyConfirmedError",
    "AppUserRequiredError",
    "AuthenticationError",
    "BadRequestError",
    "BlobCorruptError",
    "BlobMissingError",
    "CSPCommerceError",
    "CancellationWindowClosedError",
    "CartAlreadySubmittedError",
    "CartBusyError",
    "ConfigurationError",
    "ConflictError",
    "EmulatedError",
    "ExportFailedError",
    "ExportTimeoutError",
    "InputError",
    "InternalServerError",
    "LeaseLostError",
    "LegacyInvoiceError",
    "ManifestError",
    "McaEvidenceDamagedError",
    "McaNotAcceptedError",
    "MfaRequiredError",
    "MpaStatusError",
    "NotFoundError",
    "OperationNotSupportedError",
    "OrderBusyError",
    "OrderFileError",
    "OrderInProgressError",
    "OrderNotHeldError",
    "OutcomeUnknown",
    "PartnerCenterClientError",
    "PartnerCenterError",
    "PermissionDeniedError",
    "PhoneNumberRequiredError",
    "PluginError",
    "PreconditionFailedError",
    "PriceNotFoundError",
    "PricingError",
    "ProvisioningInterrupted",
    "RateLimitError",
    "ReconciliationExportError",
    "RefreshTokenExpiredError",
    "RegistrationNumberError",
    "ResponseValidationError",
    "RetrySignal",
    "SasExpiredError",
    "StaleETagError",
    "StepFailed",
    "TargetMismatchError",
    "TokenAcquisitionError",
    "UnknownMpnError",
    "WebhookRejectedError",
    "WorkerStopping",
]
