"""Tokens the sandbox accepts, with the shape of azure-core's ``TokenCredential``."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable

TOKEN_LIFETIME_SECONDS = 3600


class AccessToken(NamedTuple):
    """A bearer token and its expiry in epoch seconds (azure-core's ``AccessToken`` shape)."""

    token: str
    expires_on: int


class SandboxCredential:
    """A credential for the sandbox: ``sandbox-user`` (app+user) or ``sandbox-app`` (app-only);
    ``mfa=False`` gives an app+user token signed in without MFA (``sandbox-user-nomfa``), which
    the sandbox refuses with 900421 as Partner Center does."""

    #: The sandbox's partner tenant: the step engine's target tells it apart from live ones.
    tenant_id = "sandbox"

    def __init__(
        self, user: bool = True, clock: Callable[[], float] = time.time, *, mfa: bool = True
    ) -> None:
        self.user = user
        self.mfa = mfa
        self.kind = "app+user" if user else "app"
        self._clock = clock

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """A token for any scope; valid for an hour."""
        token = "sandbox-app"
        if self.user:
            token = "sandbox-user" if self.mfa else "sandbox-user-nomfa"
        return AccessToken(token, int(self._clock()) + TOKEN_LIFETIME_SECONDS)

    def __repr__(self) -> str:
        return f"SandboxCredential(kind={self.kind!r}, mfa={self.mfa!r})"
