"""Credentials with msal mocked at its boundary (never the network), token caches, stores."""

from __future__ import annotations

import asyncio
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

import msal
import pytest

from csp_commerce.errors import RefreshTokenExpiredError, TokenAcquisitionError
from csp_commerce.models.clouds import Cloud
from csp_commerce.provisioning import (
    CertificateCredential,
    ClientSecretCredential,
    FileTokenStore,
    MemoryTokenStore,
    RefreshTokenCredential,
)
from csp_commerce.provisioning._tokens import AsyncTokenProvider, TokenProvider
from csp_commerce.provisioning.auth import AccessToken, CredentialKind, credential_kind

SECRET = "client-secret-value-xyz"
SCOPE = "https://api.partnercenter.microsoft.com/.default"


class FakeApp:
    """Stands in for msal.ConfidentialClientApplication; records what it was asked."""

    instances: list[FakeApp] = []  # noqa: RUF012 - test registry

    def __init__(self, client_id: str, authority: str, client_credential: Any) -> None:
        self.client_id = client_id
        self.authority = authority
        self.client_credential = client_credential
        self.requests: list[tuple[str, Any, list[str]]] = []
        self.result: dict[str, Any] = {"access_token": "at-1", "expires_in": 3600}
        self.counter = 0
        FakeApp.instances.append(self)

    def acquire_token_for_client(self, scopes: list[str]) -> dict[str, Any]:
        self.requests.append(("client", None, scopes))
        self.counter += 1
        return (
            {**self.result, "access_token": f"at-{self.counter}"}
            if "access_token" in self.result
            else self.result
        )

    def acquire_token_by_refresh_token(
        self, refresh_token: str, scopes: list[str]
    ) -> dict[str, Any]:
        self.requests.append(("refresh", refresh_token, scopes))
        self.counter += 1
        if "access_token" not in self.result:
            return self.result
        return {
            **self.result,
            "access_token": f"at-{self.counter}",
            "refresh_token": f"rt-{self.counter}",
        }


@pytest.fixture(autouse=True)
def fake_msal(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeApp.instances.clear()
    monkeypatch.setattr(msal, "ConfidentialClientApplication", FakeApp)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_client_secret_credential_asks_msal_for_an_app_token() -> None:
    credential = ClientSecretCredential("tenant-1", "app-1", SECRET)
    token = credential.get_token(SCOPE)
    (app,) = FakeApp.instances
    assert app.authority == "https://login.microsoftonline.com/tenant-1"
    assert app.client_credential == SECRET
    assert app.requests == [("client", None, [SCOPE])]
    assert token.token == "at-1"
    assert credential.kind is CredentialKind.APP
    assert SECRET not in repr(credential) and "at-1" not in repr(token)


def test_national_cloud_authority() -> None:
    ClientSecretCredential("t", "a", SECRET, cloud=Cloud.CHINA).get_token(SCOPE)
    assert FakeApp.instances[0].authority == "https://login.partner.microsoftonline.cn/t"
    ClientSecretCredential("t", "a", SECRET, authority="https://login.example.test/").get_token(
        SCOPE
    )
    assert FakeApp.instances[1].authority == "https://login.example.test/t"


def test_tokens_are_cached_until_the_refresh_margin() -> None:
    clock = Clock()
    credential = ClientSecretCredential("t", "a", SECRET, refresh_margin=300, clock=clock)
    assert credential.get_token(SCOPE).token == "at-1"
    clock.now += 3600 - 301
    assert credential.get_token(SCOPE).token == "at-1"
    clock.now += 2
    assert credential.get_token(SCOPE).token == "at-2"


def test_one_refresh_in_flight_across_threads() -> None:
    credential = ClientSecretCredential("t", "a", SECRET)
    start = threading.Barrier(8)
    tokens: list[str] = []

    def worker() -> None:
        start.wait()
        tokens.append(credential.get_token(SCOPE).token)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tokens == ["at-1"] * 8
    assert len(FakeApp.instances) == 1 and len(FakeApp.instances[0].requests) == 1


def test_certificate_credential_passes_msal_its_certificate() -> None:
    CertificateCredential("t", "a", private_key="PEM", thumbprint="AB12").get_token(SCOPE)
    assert FakeApp.instances[-1].client_credential == {"private_key": "PEM", "thumbprint": "AB12"}
    CertificateCredential("t", "a", pfx_path="cert.pfx", passphrase="pw").get_token(SCOPE)
    assert FakeApp.instances[-1].client_credential == {
        "private_key_pfx_path": "cert.pfx",
        "passphrase": "pw",
    }
    with pytest.raises(ValueError, match="pfx_path"):
        CertificateCredential("t", "a")


def test_refresh_token_rotates_on_every_use() -> None:
    clock = Clock()
    store = MemoryTokenStore("rt-0")
    credential = RefreshTokenCredential("t", "a", store, client_secret=SECRET, clock=clock)
    assert credential.kind is CredentialKind.APP_USER
    assert credential.get_token(SCOPE).token == "at-1"
    assert store.load() == "rt-1"
    clock.now += 4000
    credential.get_token(SCOPE)
    assert [r[1] for r in FakeApp.instances[0].requests] == ["rt-0", "rt-1"]
    assert store.load() == "rt-2"
    assert "rt-2" not in repr(store) and "rt-2" not in repr(credential)


def test_expired_refresh_token_is_a_clear_error() -> None:
    credential = RefreshTokenCredential("t", "a", MemoryTokenStore("rt-0"), client_secret=SECRET)
    credential.get_token(SCOPE)  # builds the app
    FakeApp.instances[0].result = {
        "error": "invalid_grant",
        "error_description": "AADSTS700082: The refresh token has expired.\nTrace ID: 1",
    }
    credential._cache.clear()
    with pytest.raises(RefreshTokenExpiredError, match="AADSTS700082"):
        credential.get_token(SCOPE)
    with pytest.raises(RefreshTokenExpiredError, match="No refresh token"):
        RefreshTokenCredential("t", "a", MemoryTokenStore(), client_secret=SECRET).get_token(SCOPE)


def test_other_msal_errors() -> None:
    credential = ClientSecretCredential("t", "a", SECRET)
    credential.get_token(SCOPE)
    FakeApp.instances[0].result = {"error": "invalid_client", "error_description": "AADSTS7000215"}
    credential._cache.clear()
    with pytest.raises(TokenAcquisitionError) as caught:
        credential.get_token(SCOPE)
    assert caught.value.error == "invalid_client" and SECRET not in str(caught.value)


def test_credential_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="required"):
        ClientSecretCredential("t", "a", "")
    with pytest.raises(ValueError, match="exactly one"):
        RefreshTokenCredential("t", "a", MemoryTokenStore())
    with pytest.raises(ValueError, match="scope"):
        ClientSecretCredential("t", "a", SECRET).get_token()


def test_credential_kind_of_unknown_objects() -> None:
    assert credential_kind(object()) is None
    assert credential_kind(type("C", (), {"kind": "app"})()) is CredentialKind.APP
    assert credential_kind(type("C", (), {"kind": "weird"})()) is None


def test_file_token_store_is_private_and_atomic(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "vault" / "rt")
    assert store.load() is None
    store.save("rt-secret")
    assert store.load() == "rt-secret"
    assert stat.S_IMODE(os.stat(tmp_path / "vault" / "rt").st_mode) == 0o600
    store.save("rt-next")
    assert store.load() == "rt-next"
    assert sorted(p.name for p in (tmp_path / "vault").iterdir()) == ["rt"]
    assert "rt-next" not in repr(store)


class CountingCredential:
    def __init__(self, lifetime: int = 3600) -> None:
        self.calls = 0
        self.lifetime = lifetime

    def get_token(self, *scopes: str) -> AccessToken:
        self.calls += 1
        time.sleep(0.01)
        return AccessToken(f"t{self.calls}", int(time.time()) + self.lifetime)


def test_client_token_provider_refreshes_within_the_margin() -> None:
    credential = CountingCredential(lifetime=60)  # inside the 120 s margin: always refresh
    provider = TokenProvider(credential, SCOPE)
    provider.get()
    provider.get()
    assert credential.calls == 2
    fresh = CountingCredential()
    provider = TokenProvider(fresh, SCOPE)
    threads = [threading.Thread(target=provider.get) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fresh.calls == 1


async def test_async_provider_single_refresh_and_async_credentials() -> None:
    credential = CountingCredential()
    provider = AsyncTokenProvider(credential, SCOPE)
    tokens = await asyncio.gather(*(provider.get() for _ in range(10)))
    assert set(tokens) == {"t1"} and credential.calls == 1

    class AsyncCredential:
        calls = 0

        async def get_token(self, *scopes: str) -> AccessToken:
            AsyncCredential.calls += 1
            await asyncio.sleep(0)
            return AccessToken("async-token", int(time.time()) + 3600)

    provider = AsyncTokenProvider(AsyncCredential(), SCOPE)
    assert set(await asyncio.gather(*(provider.get() for _ in range(5)))) == {"async-token"}
    assert AsyncCredential.calls == 1


def test_a_credential_returning_nonsense_is_refused() -> None:
    class Bad:
        def get_token(self, *scopes: str) -> str:
            return "just-a-string"

    with pytest.raises(TypeError, match="expires_on"):
        TokenProvider(Bad(), SCOPE).get()


def test_a_network_failure_reaching_entra_id_is_a_token_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Unreachable(FakeApp):
        def acquire_token_for_client(self, scopes: list[str]) -> dict[str, Any]:
            raise ConnectionError("login.microsoftonline.com: name resolution failed")

    monkeypatch.setattr(msal, "ConfidentialClientApplication", Unreachable)
    credential = ClientSecretCredential("tenant", "client", "s3cret")
    with pytest.raises(TokenAcquisitionError, match="could not reach Entra ID") as caught:
        credential.get_token(SCOPE)
    assert "s3cret" not in str(caught.value)
