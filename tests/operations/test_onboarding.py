"""Onboarding: the consent flows (msal mocked at its boundary), the token store, no secret in
the accounts table or the logs."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import httpx
import msal  # type: ignore[import-untyped]
import pytest

from csp_commerce.errors import InputError, TokenAcquisitionError
from csp_commerce.operations.onboarding import (
    PARTNER_CENTER_SCOPE,
    AuthCodeConsent,
    DeviceCodeConsent,
    PartnerRegistration,
    StaticConsent,
    credential_for,
    register_partner,
)
from csp_commerce.provisioning import MemoryTokenStore
from csp_commerce.provisioning.auth import FileTokenStore
from csp_commerce.store.discovery_store import DiscoveryStore

TENANT = "4f6a1b2c-0d3e-4a5b-8c7d-9e0f1a2b3c4d"
CLIENT = "11111111-2222-3333-4444-555555555555"
SECRET, REFRESH = "app-secret-value", "rt-very-secret-value"
REGISTRATION = PartnerRegistration("Contoso CSP", TENANT, CLIENT)


class FakeConfidentialApp:
    """msal's ConfidentialClientApplication at its boundary: the auth-code flow."""

    instances: ClassVar[list[FakeConfidentialApp]] = []

    def __init__(self, client_id: str, authority: str, client_credential: str) -> None:
        self.client_id, self.authority, self.secret = client_id, authority, client_credential
        self.redeemed: dict[str, str] = {}
        FakeConfidentialApp.instances.append(self)

    def initiate_auth_code_flow(self, scopes: list[str], redirect_uri: str) -> dict[str, Any]:
        self.scopes, self.redirect_uri = scopes, redirect_uri
        return {"auth_uri": f"https://login.example/authorize?state=S1&r={redirect_uri}"}

    def acquire_token_by_auth_code_flow(
        self, flow: dict[str, Any], response: dict[str, str]
    ) -> dict[str, Any]:
        self.redeemed = response
        if response.get("state") != "S1":
            raise ValueError("state mismatch")
        return {
            "access_token": "at",
            "refresh_token": REFRESH,
            "id_token_claims": {"preferred_username": "admin@contoso.example"},
        }


def _browser(follow: bool = True, state: str = "S1") -> Any:
    """A 'browser' that signs in and follows the redirect to the local server."""

    def open_browser(url: str) -> None:
        redirect = dict(parse_qsl(urlsplit(url).query))["r"]
        target = redirect.replace("localhost", "127.0.0.1") + f"?code=C0DE&state={state}"
        if follow:
            threading.Thread(target=httpx.get, args=(target,), daemon=True).start()

    return open_browser


def test_auth_code_consent_receives_the_redirect_and_stores_the_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(msal, "ConfidentialClientApplication", FakeConfidentialApp)
    caplog.set_level(logging.DEBUG, logger="csp_commerce")
    consent = AuthCodeConsent(SECRET, open_browser=_browser(), prompt=lambda _: None)
    tokens = MemoryTokenStore()
    with DiscoveryStore(tmp_path / "d.sqlite3") as store:
        account = register_partner(store, REGISTRATION, consent, tokens, token_store_ref="vault:x")
        assert store.partners() == [account]
    app = FakeConfidentialApp.instances[-1]
    assert app.scopes == [PARTNER_CENTER_SCOPE]
    assert app.authority == f"https://login.microsoftonline.com/{TENANT}"
    assert app.redirect_uri.startswith("http://localhost:")
    assert app.redeemed == {"code": "C0DE", "state": "S1"}
    assert tokens.load() == REFRESH
    # the accounts table and the log hold no secret
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("d.sqlite3*"))
    assert REFRESH.encode() not in raw and SECRET.encode() not in raw
    rows = sqlite3.connect(tmp_path / "d.sqlite3").execute("SELECT * FROM partners").fetchall()
    assert all(REFRESH not in str(row) and SECRET not in str(row) for row in rows)
    assert REFRESH not in caplog.text and SECRET not in caplog.text and "C0DE" not in caplog.text
    assert "Contoso CSP" in caplog.text
    assert SECRET not in repr(consent)


def test_a_forged_redirect_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(msal, "ConfidentialClientApplication", FakeConfidentialApp)
    consent = AuthCodeConsent(SECRET, open_browser=_browser(state="evil"), prompt=lambda _: None)
    with pytest.raises(TokenAcquisitionError, match="state mismatch"):
        consent.run(REGISTRATION)


def test_no_redirect_in_time_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(msal, "ConfidentialClientApplication", FakeConfidentialApp)
    consent = AuthCodeConsent(
        SECRET, open_browser=_browser(follow=False), prompt=lambda _: None, timeout=0.05
    )
    with pytest.raises(TokenAcquisitionError, match="in time"):
        consent.run(REGISTRATION)


class FakePublicApp:
    result: ClassVar[dict[str, Any]] = {}

    def __init__(self, client_id: str, authority: str) -> None:
        self.authority = authority

    def initiate_device_flow(self, scopes: list[str]) -> dict[str, Any]:
        assert scopes == [PARTNER_CENTER_SCOPE]
        return {"user_code": "ABCD", "message": "Go to https://microsoft.com/devicelogin: ABCD"}

    def acquire_token_by_device_flow(self, flow: dict[str, Any]) -> dict[str, Any]:
        return FakePublicApp.result


def test_device_code_consent_shows_the_code_and_returns_the_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(msal, "PublicClientApplication", FakePublicApp)
    monkeypatch.setattr(FakePublicApp, "result", {"access_token": "a", "refresh_token": REFRESH})
    shown: list[str] = []
    path = tmp_path / "tokens" / "rt"
    with DiscoveryStore(":memory:") as store:
        account = register_partner(
            store,
            REGISTRATION,
            DeviceCodeConsent(prompt=shown.append),
            FileTokenStore(path),
            token_store_ref=str(path),
        )
    assert shown == ["Go to https://microsoft.com/devicelogin: ABCD"]
    assert path.read_text() == REFRESH
    assert account.token_store == str(path)
    assert credential_for(account, SECRET).store.load() == REFRESH


def test_a_refused_consent_stores_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(msal, "PublicClientApplication", FakePublicApp)
    monkeypatch.setattr(
        FakePublicApp, "result", {"error": "access_denied", "error_description": "no\nmore"}
    )
    tokens = MemoryTokenStore()
    with DiscoveryStore(":memory:") as store:
        with pytest.raises(TokenAcquisitionError, match=r"access_denied: no$"):
            register_partner(
                store, REGISTRATION, DeviceCodeConsent(prompt=print), tokens, token_store_ref="x"
            )
        assert store.partners() == []
    assert tokens.load() is None


@pytest.mark.parametrize(
    ("name", "tenant", "client"),
    [("", TENANT, CLIENT), ("ok", "contoso.com", CLIENT), ("ok", TENANT, "nope")],
)
def test_registration_input_is_checked(name: str, tenant: str, client: str) -> None:
    with pytest.raises(InputError):
        PartnerRegistration(name, tenant, client)


def test_static_consent_never_shows_its_token() -> None:
    consent = StaticConsent(REFRESH)
    assert REFRESH not in repr(consent) and REFRESH not in repr(consent.run(REGISTRATION))


def test_consent_asks_for_the_partner_clouds_own_scope() -> None:
    from csp_commerce.models.clouds import Cloud

    china = PartnerRegistration("Contoso China", TENANT, CLIENT, cloud=Cloud.CHINA)
    assert china.scope == "https://partner.partnercenterapi.microsoftonline.cn/user_impersonation"
    assert china.authority.startswith("https://login.partner.microsoftonline.cn/")
    assert PartnerRegistration("Contoso", TENANT, CLIENT).scope == PARTNER_CENTER_SCOPE
