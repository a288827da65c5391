"""Partner onboarding: register a partner account and run the consent that yields its refresh
token (Microsoft's secure application model).

An admin agent of the partner signs in once, with MFA, and consents to the app registration
acting for them on Partner Center (scope ``user_impersonation``; msal adds ``offline_access``,
so a refresh token comes back). Two flows:

* :class:`AuthCodeConsent`: the authorization-code flow of a web app registration (client
  secret), with a one-shot HTTP server on 127.0.0.1 receiving the redirect. The redirect URI
  (``http://localhost:PORT/`` by default) must be registered on the app.
* :class:`DeviceCodeConsent`: the device-code flow, for a machine without a browser (the app
  registration must allow public client flows).

The refresh token goes to a :class:`~csp_commerce.provisioning.TokenStore` (a 0600 file by
default, a vault in production); the accounts table keeps only where it is. Neither the token
nor the client secret is stored in the accounts table or logged.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
import webbrowser
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from csp_commerce.errors import InputError, TokenAcquisitionError
from csp_commerce.models.clouds import ENDPOINTS, Cloud
from csp_commerce.store.discovery_store import DiscoveryStore, PartnerAccount, utcnow

if TYPE_CHECKING:
    from collections.abc import Callable

    from csp_commerce.provisioning.auth import RefreshTokenCredential, TokenStore

log = logging.getLogger(__name__)

#: The delegated permission on Partner Center (msal adds openid, profile and offline_access).
#: The delegated scope in the global cloud (``PartnerRegistration.scope`` gives each cloud's).
PARTNER_CENTER_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$")


@dataclass(frozen=True)
class PartnerRegistration:
    """What the admin enters: the account's name, the partner's tenant, the app, the cloud."""

    name: str
    tenant_id: str
    client_id: str
    cloud: Cloud = Cloud.GLOBAL

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise InputError(
                f"partner name {self.name!r}: 1-100 letters, digits, spaces, '.', '_' or '-'"
            )
        for label, value in (("tenant id", self.tenant_id), ("client id", self.client_id)):
            try:
                uuid.UUID(value)
            except ValueError:
                raise InputError(f"{label} {value!r} is not a GUID") from None

    @property
    def authority(self) -> str:
        """The Entra ID authority of the partner's tenant in its cloud."""
        return f"{ENDPOINTS[self.cloud].authority_host.rstrip('/')}/{self.tenant_id}"

    @property
    def scope(self) -> str:
        """The delegated Partner Center scope in the partner's cloud (its API's audience)."""
        return f"{ENDPOINTS[self.cloud].resource}/user_impersonation"


@dataclass(frozen=True)
class ConsentResult:
    """What a consent yields: the refresh token (never shown) and who signed in."""

    refresh_token: str = field(repr=False)
    username: str | None = None


class ConsentFlow(Protocol):
    """A way to obtain the admin agent's consent and the refresh token it yields."""

    def run(self, registration: PartnerRegistration) -> ConsentResult:
        """Run the consent for ``registration``; raise TokenAcquisitionError on refusal."""


def _result(result: Any) -> ConsentResult:
    if not isinstance(result, dict) or not result.get("refresh_token"):
        details = result if isinstance(result, dict) else {}
        error = str(details.get("error") or "no_refresh_token")
        description = str(details.get("error_description") or "no refresh token returned")
        raise TokenAcquisitionError(
            f"consent failed: {error}: {description.splitlines()[0]}", error=error
        )
    claims = result.get("id_token_claims") or {}
    username = claims.get("preferred_username") if isinstance(claims, dict) else None
    return ConsentResult(str(result["refresh_token"]), username)


class DeviceCodeConsent:
    """Consent by device code: the admin opens a URL anywhere and types the code shown."""

    def __init__(self, *, prompt: Callable[[str], None] = print) -> None:
        self._prompt = prompt

    def run(self, registration: PartnerRegistration) -> ConsentResult:
        """Show the code, wait for the sign-in, return the refresh token."""
        import msal  # type: ignore[import-untyped]

        app = msal.PublicClientApplication(registration.client_id, authority=registration.authority)
        flow = app.initiate_device_flow(scopes=[registration.scope])
        if "user_code" not in flow:
            raise TokenAcquisitionError(
                f"device flow refused: {flow.get('error', 'unknown_error')}",
                error=str(flow.get("error", "unknown_error")),
            )
        self._prompt(str(flow["message"]))
        return _result(app.acquire_token_by_device_flow(flow))


class AuthCodeConsent:
    """Consent by authorization code, redirected to a one-shot server on 127.0.0.1.

    :param client_secret: the web app registration's secret (kept in memory only).
    :param port: the local port (0: any free one; the redirect URI must then allow it).
    :param redirect_host: the host name in the redirect URI (``localhost`` as Entra ID expects).
    :param open_browser: opens the sign-in page (default: the system browser).
    :param timeout: seconds to wait for the redirect.
    """

    def __init__(
        self,
        client_secret: str,
        *,
        port: int = 0,
        redirect_host: str = "localhost",
        open_browser: Callable[[str], object] = webbrowser.open,
        prompt: Callable[[str], None] = print,
        timeout: float = 300.0,
    ) -> None:
        if not client_secret:
            raise InputError("the auth-code consent needs the app's client secret")
        self.__secret = client_secret
        self._port = port
        self._redirect_host = redirect_host
        self._open_browser = open_browser
        self._prompt = prompt
        self._timeout = timeout

    def run(self, registration: PartnerRegistration) -> ConsentResult:
        """Open the sign-in page, receive the redirect, redeem the code."""
        import msal

        app = msal.ConfidentialClientApplication(
            registration.client_id,
            authority=registration.authority,
            client_credential=self.__secret,
        )
        with _RedirectServer(self._port, self._timeout) as server:
            redirect_uri = f"http://{self._redirect_host}:{server.port}/"
            flow = app.initiate_auth_code_flow([registration.scope], redirect_uri=redirect_uri)
            self._prompt(f"Sign in as an admin agent of the partner: {flow['auth_uri']}")
            self._open_browser(str(flow["auth_uri"]))
            response = server.wait()
        try:
            result = app.acquire_token_by_auth_code_flow(flow, response)
        except ValueError as error:  # msal: state mismatch or a malformed response
            raise TokenAcquisitionError(
                f"consent failed: {error}", error="invalid_response"
            ) from None
        return _result(result)

    def __repr__(self) -> str:
        return f"AuthCodeConsent(port={self._port})"


class _RedirectServer:
    """Serves exactly one redirect on 127.0.0.1 and hands back its query parameters."""

    def __init__(self, port: int, timeout: float) -> None:
        received: dict[str, str] = {}
        done = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                received.update(parse_qsl(urlsplit(self.path).query))
                body = b"Consent received. You may close this window."
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                done.set()

            def log_message(self, format: str, *args: Any) -> None:
                """Silence: the query holds the authorization code."""

        self._server = HTTPServer(("127.0.0.1", port), Handler)
        self._received = received
        self._done = done
        self._timeout = timeout
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def __enter__(self) -> _RedirectServer:
        self._thread.start()
        return self

    def wait(self) -> dict[str, str]:
        if not self._done.wait(self._timeout):
            raise TokenAcquisitionError("no sign-in redirect arrived in time", error="timeout")
        return dict(self._received)

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class StaticConsent:
    """A consent that yields a given refresh token (the sandbox, or a token made elsewhere)."""

    def __init__(self, refresh_token: str, username: str | None = None) -> None:
        self.__token = refresh_token
        self._username = username

    def run(self, registration: PartnerRegistration) -> ConsentResult:
        """The given token."""
        return ConsentResult(self.__token, self._username)

    def __repr__(self) -> str:
        return "StaticConsent()"


def register_partner(
    store: DiscoveryStore,
    registration: PartnerRegistration,
    consent: ConsentFlow,
    token_store: TokenStore,
    *,
    token_store_ref: str,
) -> PartnerAccount:
    """Run the consent, save the refresh token through ``token_store`` and record the account.

    ``token_store_ref`` says where the token is (a file path, a vault secret's name); it is all
    the accounts table keeps of it.
    """
    result = consent.run(registration)
    token_store.save(result.refresh_token)
    account = PartnerAccount(
        name=registration.name,
        tenant_id=registration.tenant_id,
        client_id=registration.client_id,
        cloud=registration.cloud.value,
        token_store=token_store_ref,
        created_at=utcnow(),
    )
    store.add_partner(account)
    log.info(
        "registered partner account %s (tenant %s, signed in as %s)",
        registration.name,
        registration.tenant_id,
        result.username or "unknown",
    )
    return account


def credential_for(account: PartnerAccount, client_secret: str) -> RefreshTokenCredential:
    """The app+user credential of a registered account (its refresh token from its file)."""
    from csp_commerce.provisioning.auth import FileTokenStore, RefreshTokenCredential

    return RefreshTokenCredential(
        account.tenant_id,
        account.client_id,
        FileTokenStore(account.token_store),
        client_secret=client_secret,
        cloud=Cloud(account.cloud),
    )


__all__ = [
    "PARTNER_CENTER_SCOPE",
    "AuthCodeConsent",
    "ConsentFlow",
    "ConsentResult",
    "DeviceCodeConsent",
    "PartnerRegistration",
    "StaticConsent",
    "credential_for",
    "register_partner",
]
