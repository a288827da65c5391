"""Credentials for Partner Center, in azure-core's ``TokenCredential`` shape.

Any object with ``get_token(*scopes) -> token`` (the token having ``.token`` and
``.expires_on``) plugs into the clients, so azure-identity's credentials work as they are. Ours
use msal (imported on first use) and say what kind of token they give through ``kind``:

- :class:`ClientSecretCredential` and :class:`CertificateCredential`: app-only.
- :class:`RefreshTokenCredential`: app+user through the secure application model. The stored
  refresh token is exchanged without interaction, and the new refresh token Entra ID returns is
  persisted through a :class:`TokenStore` on every use (an unused one dies after 90 days).

Every credential caches its access token until ``refresh_margin`` seconds before expiry and lets
one refresh run at a time (a thread lock). Secrets and tokens are never part of a repr.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from csp_commerce.errors import RefreshTokenExpiredError, TokenAcquisitionError
from csp_commerce.models.clouds import ENDPOINTS, Cloud, CloudEndpoints

if TYPE_CHECKING:
    from collections.abc import Callable


class CredentialKind(str, Enum):
    """What a token lets the caller do: app-only, or app+user (delegated)."""

    APP = "app"
    APP_USER = "app+user"


@dataclass(frozen=True)
class AccessToken:
    """An access token and its expiry (POSIX seconds). The token never shows in a repr."""

    token: str = field(repr=False)
    expires_on: int


@runtime_checkable
class TokenCredential(Protocol):
    """azure-core's credential shape: what the clients need from a credential."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        """A token with ``.token`` and ``.expires_on`` for ``scopes``."""


@runtime_checkable
class TokenStore(Protocol):
    """Where a refresh token lives between uses (a vault in production)."""

    def load(self) -> str | None:
        """The stored refresh token, or None if there is none."""

    def save(self, refresh_token: str) -> None:
        """Replace the stored refresh token (called on every rotation)."""


class MemoryTokenStore:
    """A refresh token kept in memory (tests, or a host that persists it itself)."""

    def __init__(self, refresh_token: str | None = None) -> None:
        self._token = refresh_token
        self._lock = threading.Lock()

    def load(self) -> str | None:
        with self._lock:
            return self._token

    def save(self, refresh_token: str) -> None:
        with self._lock:
            self._token = refresh_token

    def __repr__(self) -> str:
        return f"MemoryTokenStore(stored={self._token is not None})"


class FileTokenStore:
    """A refresh token in a file readable by its owner only (mode 0600), replaced atomically."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self) -> str | None:
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return text or None

    def save(self, refresh_token: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".rt-", dir=self.path.parent)
        try:
            os.chmod(temp, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(refresh_token)
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"


def _endpoints(cloud: Cloud | CloudEndpoints) -> CloudEndpoints:
    return cloud if isinstance(cloud, CloudEndpoints) else ENDPOINTS[Cloud(cloud)]


def _confidential_app(client_id: str, authority: str, client_credential: Any) -> Any:
    """Build msal's ConfidentialClientApplication (the one place msal is touched)."""
    import msal  # type: ignore[import-untyped]

    return msal.ConfidentialClientApplication(
        client_id, authority=authority, client_credential=client_credential
    )


class _MsalCredential(ABC):
    """Shared machinery: lazy msal app, token cache with a refresh margin, one refresh at once."""

    kind: CredentialKind = CredentialKind.APP

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        *,
        cloud: Cloud | CloudEndpoints = Cloud.GLOBAL,
        authority: str | None = None,
        refresh_margin: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not tenant_id or not client_id:
            raise ValueError("tenant_id and client_id are required")
        host = authority or _endpoints(cloud).authority_host
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.authority = f"{host.rstrip('/')}/{tenant_id}"
        self.refresh_margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._app: Any = None
        self._cache: dict[tuple[str, ...], AccessToken] = {}

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """An access token for ``scopes``, from the cache unless it is close to expiry."""
        if not scopes:
            raise ValueError("at least one scope is required")
        key = tuple(scopes)
        token = self._cache.get(key)
        if token is not None and self._fresh(token):
            return token
        with self._lock:  # one refresh in flight; the others reuse its result
            token = self._cache.get(key)
            if token is not None and self._fresh(token):
                return token
            try:
                if self._app is None:
                    self._app = _confidential_app(self.client_id, self.authority, self._secret())
                answer = self._acquire(self._app, list(scopes))
            except TokenAcquisitionError:
                raise
            except Exception as error:  # msal's ValueError, requests' network errors
                raise TokenAcquisitionError(
                    f"could not reach Entra ID at {self.authority} for a token: "
                    f"{type(error).__name__}",
                    error=type(error).__name__,
                ) from error
            token = self._token_from(answer)
            self._cache[key] = token
            return token

    def _fresh(self, token: AccessToken) -> bool:
        return token.expires_on - self.refresh_margin > self._clock()

    def _token_from(self, result: Any) -> AccessToken:
        if not isinstance(result, dict) or "access_token" not in result:
            self._fail(result if isinstance(result, dict) else {})
        expires_in = int(result.get("expires_in", 3600))
        return AccessToken(str(result["access_token"]), int(self._clock()) + expires_in)

    def _fail(self, result: dict[str, Any]) -> None:
        error = str(result.get("error") or "unknown_error")
        # msal's descriptions name the AADSTS code and never echo the secret
        description = str(result.get("error_description") or "no description").splitlines()[0]
        raise TokenAcquisitionError(
            f"Entra ID refused a token: {error}: {description}", error=error
        )

    @abstractmethod
    def _secret(self) -> Any:
        """The client credential msal authenticates the app with."""

    def _acquire(self, app: Any, scopes: list[str]) -> Any:
        return app.acquire_token_for_client(scopes=scopes)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(tenant_id={self.tenant_id!r}, client_id={self.client_id!r}, "
            f"kind={self.kind.value!r})"
        )


class ClientSecretCredential(_MsalCredential):
    """App-only token from an Entra app registration's client secret."""

    kind = CredentialKind.APP

    def __init__(self, tenant_id: str, client_id: str, client_secret: str, **kwargs: Any) -> None:
        super().__init__(tenant_id, client_id, **kwargs)
        if not client_secret:
            raise ValueError("client_secret is required")
        self.__secret = client_secret

    def _secret(self) -> Any:
        return self.__secret


class CertificateCredential(_MsalCredential):
    """App-only token from a certificate: a PEM private key and its SHA-1 thumbprint, or a
    PFX file (``pfx_path`` with an optional ``passphrase``)."""

    kind = CredentialKind.APP

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        *,
        private_key: str | None = None,
        thumbprint: str | None = None,
        public_certificate: str | None = None,
        pfx_path: str | os.PathLike[str] | None = None,
        passphrase: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(tenant_id, client_id, **kwargs)
        if pfx_path is not None:
            self.__credential: dict[str, Any] = {"private_key_pfx_path": os.fspath(pfx_path)}
            if passphrase is not None:
                self.__credential["passphrase"] = passphrase
        elif private_key and thumbprint:
            self.__credential = {"private_key": private_key, "thumbprint": thumbprint}
            if public_certificate:
                self.__credential["public_certificate"] = public_certificate
        else:
            raise ValueError("give private_key and thumbprint, or pfx_path")

    def _secret(self) -> Any:
        return self.__credential


class RefreshTokenCredential(_MsalCredential):
    """App+user token from a stored refresh token (the secure application model).

    The app authenticates with ``client_secret`` (or ``client_credential``, msal's dict for a
    certificate); the refresh token comes from ``store`` and the rotated one goes back to it
    on every exchange.
    """

    kind = CredentialKind.APP_USER

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        store: TokenStore,
        *,
        client_secret: str | None = None,
        client_credential: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(tenant_id, client_id, **kwargs)
        if (client_secret is None) == (client_credential is None):
            raise ValueError("give exactly one of client_secret or client_credential")
        self.store = store
        self.__credential: Any = client_secret if client_secret is not None else client_credential

    def _secret(self) -> Any:
        return self.__credential

    def _acquire(self, app: Any, scopes: list[str]) -> Any:
        refresh_token = self.store.load()
        if not refresh_token:
            raise RefreshTokenExpiredError(
                "No refresh token is stored: run the secure application model consent again",
                error="no_refresh_token",
            )
        result = app.acquire_token_by_refresh_token(refresh_token, scopes=scopes)
        if isinstance(result, dict) and "access_token" in result:
            rotated = result.get("refresh_token")
            if rotated and rotated != refresh_token:
                self.store.save(str(rotated))
        return result

    def _fail(self, result: dict[str, Any]) -> None:
        if result.get("error") == "invalid_grant":
            description = str(result.get("error_description") or "").splitlines()
            raise RefreshTokenExpiredError(
                "The refresh token was refused (expired, revoked or MFA expired): "
                + (description[0] if description else "invalid_grant"),
                error="invalid_grant",
            )
        super()._fail(result)


def credential_kind(credential: object) -> CredentialKind | None:
    """The kind a credential declares (None: unknown, assumed capable of app+user)."""
    kind = getattr(credential, "kind", None)
    if kind is None:
        return None
    try:
        return CredentialKind(kind)
    except ValueError:
        return None


__all__ = [
    "AccessToken",
    "CertificateCredential",
    "ClientSecretCredential",
    "CredentialKind",
    "FileTokenStore",
    "MemoryTokenStore",
    "RefreshTokenCredential",
    "TokenCredential",
    "TokenStore",
    "credential_kind",
]
