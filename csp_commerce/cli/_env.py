"""Where a ``csp-commerce`` command keeps its state, and which Partner Center it talks to.

By default every command works on the embedded sandbox, whose world is kept in the data
directory between commands (``.csp-commerce/`` in the working directory, or
``$CSP_COMMERCE_HOME``, or ``--home``), next to the provisioning ledger and the MCA evidence
log. ``--live`` talks to the real Partner Center with credentials from the environment, or from
a JSON config file (``config.json`` in the data directory, or ``$CSP_COMMERCE_CONFIG``) with the
same names in lower case without the prefix (``{"tenant_id": ..., "client_id": ...}``); the
environment wins over the file:

=============================== ===========================================================
``CSP_COMMERCE_TENANT_ID``      the partner's Entra tenant id
``CSP_COMMERCE_CLIENT_ID``      the app registration's client id
``CSP_COMMERCE_CLIENT_SECRET``  its secret (app-only tokens; with a refresh token: app+user)
``CSP_COMMERCE_TOKEN_STORE``    a file holding the app+user refresh token (secure
                                application model); rotated on every use
``CSP_COMMERCE_CLOUD``          ``global`` (default), ``china`` or ``usgov``
=============================== ===========================================================

``CSP_COMMERCE_MCA_KEY`` (or ``--key-file`` on the ``mca`` commands) is the key of the MCA
evidence log's keyed chain (HMAC-SHA256, at least 16 bytes): every command that writes to the
log signs its entries with it; it is never stored.
"""

from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csp_commerce.errors import ConfigurationError
from csp_commerce.models.clouds import Cloud

if TYPE_CHECKING:
    import argparse
    from types import TracebackType

    from csp_commerce.fulfilment.order_saga import Provisioner
    from csp_commerce.hooks.manager import HookManager
    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.sandbox import Sandbox
    from csp_commerce.store.ledger import Ledger
    from csp_commerce.store.mca_log import McaEvidenceLog

HOME_ENV = "CSP_COMMERCE_HOME"
DEFAULT_HOME = ".csp-commerce"
SANDBOX_FILE = "sandbox.json"
SANDBOX_SEED = 2026
CONFIG_ENV = "CSP_COMMERCE_CONFIG"
CONFIG_FILE = "config.json"
#: The live settings, as config-file keys (environment: ``CSP_COMMERCE_`` + upper case).
SETTINGS = ("tenant_id", "client_id", "client_secret", "token_store", "cloud")
#: The MCA evidence log's key (bytes of the UTF-8 text); ``--key-file`` wins over it.
MCA_KEY_ENV = "CSP_COMMERCE_MCA_KEY"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every command that talks to Partner Center shares."""
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help=f"data directory (default: ${HOME_ENV} or ./{DEFAULT_HOME})",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="use the real Partner Center (credentials from CSP_COMMERCE_* variables) "
        "instead of the embedded sandbox",
    )


class Environment:
    """The data directory, the Partner Center (sandbox or live) and the stores of one command.

    Use it as a context manager: on exit the sandbox's world is saved and the stores closed
    (the embedded sandbox also saves after every change it answers, so nothing depends on
    reaching the exit).
    Everything is opened on first use, so a command pays only for what it touches.
    """

    def __init__(
        self, home: Path | None = None, *, live: bool = False, mca_key: bytes | None = None
    ) -> None:
        self.home = home or Path(os.environ.get(HOME_ENV) or DEFAULT_HOME)
        self.live = live
        self.mca_key = mca_key

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Environment:
        """The environment the command line asked for."""
        return cls(
            getattr(args, "home", None),
            live=bool(getattr(args, "live", False)),
            mca_key=mca_key(getattr(args, "key_file", None)),
        )

    def __enter__(self) -> Environment:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _path(self, name: str) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home / name

    @cached_property
    def sandbox(self) -> Sandbox:
        """The embedded sandbox, as the last command left it (a fresh seeded world at first).

        Every change is saved (atomically) before its answer reaches the client, so a command
        killed at any point leaves a world that holds every change its ledger knows about.
        A damaged ``sandbox.json`` is a :class:`ConfigurationError` naming the file.
        """
        from csp_commerce.sandbox import Sandbox

        path = self._path(SANDBOX_FILE)
        if path.exists():
            return Sandbox.load(path, autosave=path)
        return Sandbox(seed=SANDBOX_SEED, autosave=path)

    @cached_property
    def client(self) -> PartnerCenterClient:
        """A Partner Center client: on the sandbox, or live with the environment's credential."""
        from csp_commerce.provisioning import PartnerCenterClient

        if not self.live:
            from csp_commerce.sandbox import SandboxCredential

            return PartnerCenterClient(
                SandboxCredential(),
                http_client=self.sandbox.httpx_client(),
                application_name="csp-commerce",
            )
        settings = self.live_settings()
        cloud = _cloud(settings.get("cloud") or "global")
        return PartnerCenterClient(
            _live_credential(settings, cloud), cloud=cloud, application_name="csp-commerce"
        )

    def live_settings(self) -> dict[str, str]:
        """The live Partner Center settings: the config file, overridden by the environment."""
        path = Path(os.environ.get(CONFIG_ENV) or self.home / CONFIG_FILE)
        settings: dict[str, str] = {}
        if path.exists():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise ConfigurationError(f"cannot read {path}: {error}") from None
            if not isinstance(loaded, dict):
                raise ConfigurationError(f"{path} must hold a JSON object")
            unknown = sorted(set(loaded) - set(SETTINGS))
            if unknown:
                raise ConfigurationError(f"{path}: unknown settings {', '.join(unknown)}")
            settings.update({key: str(value) for key, value in loaded.items() if value})
        for key in SETTINGS:
            value = os.environ.get(f"CSP_COMMERCE_{key.upper()}")
            if value:
                settings[key] = value
        return settings

    @cached_property
    def ledger(self) -> Ledger:
        """The provisioning ledger (``ledger.sqlite3`` in the data directory)."""
        from csp_commerce.store.ledger import Ledger

        return Ledger(self._path("ledger.sqlite3"))

    @cached_property
    def mca_log(self) -> McaEvidenceLog:
        """The MCA evidence log (``mca.sqlite3`` in the data directory)."""
        from csp_commerce.store.mca_log import McaEvidenceLog

        return McaEvidenceLog(self._path("mca.sqlite3"), key=self.mca_key)

    def provisioner(self, hooks: HookManager) -> Provisioner:
        """A provisioner on this environment's client and ledger, telling ``hooks``."""
        from csp_commerce.fulfilment.order_saga import Provisioner

        return Provisioner(self.client, self.ledger, hooks)

    def save(self) -> None:
        """Keep the sandbox's world for the next command (nothing to do when live)."""
        if "sandbox" in self.__dict__:
            self.sandbox.save(self._path(SANDBOX_FILE))

    def close(self) -> None:
        """Save the sandbox and close what was opened."""
        self.save()
        for name in ("client", "ledger", "mca_log"):
            resource: Any = self.__dict__.pop(name, None)
            if resource is not None:
                resource.close()


def mca_key(key_file: Path | None) -> bytes | None:
    """The evidence log's key: ``key_file``'s bytes (without a trailing newline), else
    ``$CSP_COMMERCE_MCA_KEY``, else None (an unkeyed log)."""
    if key_file is not None:
        try:
            return key_file.read_bytes().rstrip(b"\r\n")
        except OSError as error:
            raise ConfigurationError(f"cannot read the key file {key_file}: {error}") from None
    value = os.environ.get(MCA_KEY_ENV)
    return value.encode("utf-8") if value else None


def _cloud(name: str) -> Cloud:
    try:
        return Cloud(name.strip().lower())
    except ValueError:
        known = ", ".join(cloud.value for cloud in Cloud)
        raise ConfigurationError(f"CSP_COMMERCE_CLOUD={name!r} is not one of: {known}") from None


def _live_credential(settings: dict[str, str], cloud: Cloud) -> Any:
    from csp_commerce.provisioning import (
        ClientSecretCredential,
        FileTokenStore,
        RefreshTokenCredential,
    )

    required = ("tenant_id", "client_id", "client_secret")
    missing = [f"CSP_COMMERCE_{key.upper()}" for key in required if not settings.get(key)]
    if missing:
        raise ConfigurationError(
            "--live needs Partner Center credentials: set "
            + ", ".join(missing)
            + f" (or put them in {CONFIG_FILE} in the data directory)"
        )
    tenant, client_id, secret = (settings[key] for key in required)
    store = settings.get("token_store")
    if store:
        return RefreshTokenCredential(
            tenant, client_id, FileTokenStore(store), client_secret=secret, cloud=cloud
        )
    return ClientSecretCredential(tenant, client_id, secret, cloud=cloud)
