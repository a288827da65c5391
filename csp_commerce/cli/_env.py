"""Where a ``csp-commerce`` command keeps its state, and which Partner Center it talks to.

By default every command works on the embedded sandbox. ``--live`` talks to the real Partner
Center with credentials from the environment, or from a JSON config file (``config.json`` in the
data directory, or ``$CSP_COMMERCE_CONFIG``) with the same names in lower case without the
prefix (``{"tenant_id": ..., "client_id": ...}``); the environment wins over the file:

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

**One world per Partner Center.** The data directory (``--home``, or ``$CSP_COMMERCE_HOME``,
or the user's data directory: :func:`default_home`; always used as an absolute path) keeps each
*target* (a Partner Center: its cloud and partner tenant, as
:func:`csp_commerce.fulfilment.target_of` names it) in a directory of its own, so a command
only ever sees and resumes what was done against the Partner Center it talks to::

    <home>/config.json                          live settings (optional; they choose the partner)
    <home>/sandbox/sandbox.json                 the embedded sandbox's world
    <home>/sandbox/ledger.sqlite3               its provisioning ledger
    <home>/sandbox/mca.sqlite3                  its MCA evidence log
    <home>/live/<cloud>/<partner tenant>/ledger.sqlite3, mca.sqlite3   one live partner's
    <home>/live/<cloud>/<partner tenant>/budget.sqlite3   its shared request budget

The partner tenant is ``CSP_COMMERCE_TENANT_ID`` in lower case (use the tenant's id, not one of
its domain names, or the same partner gets two directories). The discovery store
(``discovery.sqlite3``) and the partner accounts' token stores (``tokens/``) stay at the top:
they are a registry of partner accounts, each kept under its own name.

The MCA evidence log is per target too: its entries are acceptances confirmed (or about to be
confirmed) to one Partner Center, and the checkout counts the log's latest acceptance for a
customer reference as that customer's MCA. One shared log would let an acceptance recorded in
the sandbox stand as evidence for a live customer with the same reference, and would mix test
entries into the chain a partner anchors and shows Microsoft as its evidence.

**The database.** ``--database URL`` (or ``$CSP_COMMERCE_DATABASE_URL``) moves the stores: with
``postgresql://...`` each target's ledger and MCA evidence log live in a schema of their own
(``csp_sandbox``, ``csp_live_<cloud>_<tenant>``) and the discovery store in ``csp_registry``,
so that targets stay apart in one database (``?schema=NAME`` on the URL replaces the ``csp``
prefix, to keep several installations apart); ``sqlite:///DIR`` keeps the layout above under
DIR.

State files at the top of the data directory (``ledger.sqlite3``, ``mca.sqlite3``,
``sandbox.json``, the layout of 0.1.0, which mixed the sandbox and live partners) are not read:
each command that finds them says so in one line on standard error.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csp_commerce.errors import ConfigurationError, TargetMismatchError
from csp_commerce.models.clouds import ENDPOINTS, Cloud
from csp_commerce.store._db import DATABASE_URL_ENV

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

    from csp_commerce.fulfilment.order_saga import Provisioner
    from csp_commerce.hooks.manager import HookManager
    from csp_commerce.models.gdap import GdapTemplate
    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.sandbox import Sandbox
    from csp_commerce.store.ledger import Ledger
    from csp_commerce.store.mca_log import McaEvidenceLog
    from csp_commerce.store.partner_budget import SharedPartnerBudget

HOME_ENV = "CSP_COMMERCE_HOME"
#: The data directory before 0.2: ``.csp-commerce`` in the working directory.
OLD_DEFAULT_HOME = ".csp-commerce"
SANDBOX_DIR = "sandbox"
LIVE_DIR = "live"
SANDBOX_FILE = "sandbox.json"
LEDGER_FILE = "ledger.sqlite3"
MCA_FILE = "mca.sqlite3"
BUDGET_FILE = "budget.sqlite3"
#: State files at the top of the data directory: the layout of 0.1.0, no longer read.
OLD_LAYOUT = (LEDGER_FILE, MCA_FILE, SANDBOX_FILE)
#: A partner tenant as a directory name: a tenant id (GUID) or a domain name, lower case.
_TENANT = re.compile(r"[a-z0-9][a-z0-9._-]{0,252}")
SANDBOX_SEED = 2026
CONFIG_ENV = "CSP_COMMERCE_CONFIG"
CONFIG_FILE = "config.json"
#: The live settings, as config-file keys (environment: ``CSP_COMMERCE_`` + upper case).
SETTINGS = ("tenant_id", "client_id", "client_secret", "token_store", "cloud")
#: The MCA evidence log's key (bytes of the UTF-8 text); ``--key-file`` wins over it.
MCA_KEY_ENV = "CSP_COMMERCE_MCA_KEY"


def default_home() -> Path:
    """The data directory when neither ``--home`` nor ``$CSP_COMMERCE_HOME`` names one: the
    user's data directory for ``csp-commerce`` (platformdirs: ``~/.local/share/csp-commerce`` on
    Linux, ``%LOCALAPPDATA%\\csp-commerce`` on Windows, ``~/Library/Application Support/...`` on
    macOS), the same whatever the working directory."""
    import platformdirs

    return platformdirs.user_data_path("csp-commerce", appauthor=False)


def resolve_home(home: Path | None) -> Path:
    """The data directory as an absolute path: ``home``, else ``$CSP_COMMERCE_HOME``, else
    :func:`default_home`; a :class:`ConfigurationError` when it names something that is not a
    directory."""
    chosen = home or (Path(os.environ[HOME_ENV]) if os.environ.get(HOME_ENV) else default_home())
    chosen = chosen.expanduser().absolute()
    if chosen.exists() and not chosen.is_dir():
        raise ConfigurationError(f"the data directory {chosen} is a file, not a directory")
    return chosen


def add_profile_argument(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """``--profile NAME``: on the top-level parser and on every command that takes ``--home``."""
    parser.add_argument(
        "--profile",
        metavar="NAME",
        default=argparse.SUPPRESS if suppress else None,
        help="the settings of <home>/profiles/NAME.json (default: $CSP_COMMERCE_PROFILE, "
        "else config.json)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every command that talks to Partner Center shares."""
    add_database_argument(parser, suppress=True)
    add_profile_argument(parser, suppress=True)
    parser.add_argument(
        "--home",
        type=Path,
        default=argparse.SUPPRESS,  # also a global option: a value before the command stands
        help=f"data directory (default: ${HOME_ENV} or {default_home()})",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="use the real Partner Center (credentials from CSP_COMMERCE_* variables, "
        "config.json or the profile) instead of the embedded sandbox",
    )


def add_database_argument(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """``--database URL``: on the top-level parser and on every sub-command (where, given
    ``suppress``, it only overrides the top-level value when given)."""
    import argparse

    parser.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS if suppress else None,
        help=f"where the stores live: sqlite:///DIR (default: the data directory) or "
        f"postgresql://... (default: ${DATABASE_URL_ENV})",
    )


def schema_name(text: str, *, prefix: str = "csp") -> str:
    """A PostgreSQL schema name for ``text`` (a target's directory) after ``prefix``: lower
    case, ``_`` for anything else, at most 63 characters (a long one ends in a hash of it)."""
    name = f"{prefix}_" + re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if len(name) > 63:
        name = name[:54] + "_" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return name


class Environment:
    """The data directory, the Partner Center (sandbox or live) and the stores of one command.

    The ledger and the MCA evidence log are the *target's* (see the module's documentation):
    the sandbox's, or the live partner's named by the credentials.

    Use it as a context manager: on exit the sandbox's world is saved and the stores closed
    (the embedded sandbox also saves after every change it answers, so nothing depends on
    reaching the exit).
    Everything is opened on first use, so a command pays only for what it touches.
    """

    def __init__(
        self,
        home: Path | None = None,
        *,
        live: bool = False,
        mca_key: bytes | None = None,
        database: str | None = None,
        profile: str | None = None,
    ) -> None:
        from csp_commerce.cli._settings import PROFILE_ENV, load_settings, profile_path

        self.home = resolve_home(home)
        self.profile = profile or os.environ.get(PROFILE_ENV) or None
        config = (
            profile_path(self.home, self.profile)
            if self.profile
            else Path(os.environ.get(CONFIG_ENV) or self.home / CONFIG_FILE)
        )
        #: The settings: the profile's (or config.json's) under the environment.
        self.settings = load_settings(config)
        self.settings_file = config
        if self.settings.client_secret is not None:
            from csp_commerce.cli._globals import remember_secret

            remember_secret(self.settings.client_secret.get_secret_value())
        self.live = live or self.settings.live
        self.mca_key = mca_key
        self.database = (
            database or os.environ.get(DATABASE_URL_ENV) or self.settings.database or None
        )
        self._noticed = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Environment:
        """The environment the command line asked for."""
        return cls(
            getattr(args, "home", None),
            live=bool(getattr(args, "live", False)),
            mca_key=mca_key(getattr(args, "key_file", None)),
            database=getattr(args, "database", None),
            profile=getattr(args, "profile", None),
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

    # -- the target ---------------------------------------------------------------------------

    def _partner(self) -> tuple[Cloud, str]:
        """The live partner: its cloud and its tenant (lower case), from the settings."""
        settings = self.live_settings()
        tenant = settings.get("tenant_id")
        if not tenant:
            raise ConfigurationError(
                "--live needs the partner's tenant: set CSP_COMMERCE_TENANT_ID "
                f"(or put it in {CONFIG_FILE} in the data directory)"
            )
        if not _TENANT.fullmatch(tenant):
            raise ConfigurationError(
                f"CSP_COMMERCE_TENANT_ID={tenant!r} is not a tenant id (a GUID, or a domain "
                "such as contoso.onmicrosoft.com)"
            )
        return _cloud(settings.get("cloud") or "global"), tenant

    @cached_property
    def target(self) -> str:
        """The Partner Center this command's state belongs to, named as
        :func:`csp_commerce.fulfilment.target_of` names a client's (``API base|partner tenant``).

        Worked out from the settings alone (no credential is built and nothing is loaded), so
        reading the ledger needs no secret; :meth:`check_client` holds every client the
        command changes things with to it.
        """
        if not self.live:
            from csp_commerce.sandbox.credential import SandboxCredential

            cloud, tenant = Cloud.GLOBAL, SandboxCredential.tenant_id
        else:
            cloud, tenant = self._partner()
        return f"{ENDPOINTS[cloud].api_base}|{tenant}"

    @property
    def target_name(self) -> str:
        """The target for a person: ``the sandbox`` or ``partner TENANT (CLOUD cloud)``."""
        if not self.live:
            return "the sandbox"
        cloud, tenant = self._partner()
        return f"partner {tenant} ({cloud.value} cloud)"

    @cached_property
    def state_dir(self) -> Path:
        """This target's directory: ``<home>/sandbox`` or ``<home>/live/<cloud>/<tenant>``."""
        if not self.live:
            return self.home / SANDBOX_DIR
        cloud, tenant = self._partner()
        return self.home / LIVE_DIR / cloud.value / tenant

    def check_client(self, target: str) -> None:
        """Refuse a client (its ``target``) of another Partner Center than this state's."""
        if target != self.target:
            raise TargetMismatchError(
                f"the client talks to {target!r}, but this command's state "
                f"({self.state_dir}) belongs to {self.target!r}"
            )

    def store_location(self, file: str, *, shared: bool = False) -> str:
        """Where one of this command's stores lives: ``file`` in the target's directory (or,
        ``shared``, at the top of the data directory), or, with a ``postgresql://`` database,
        the target's schema in it (``csp_sandbox``, ``csp_live_<cloud>_<tenant>``; shared
        stores in ``csp_registry``; a URL's own ``schema=NAME`` replaces the ``csp`` prefix).
        A ``sqlite:///DIR`` database puts the files under DIR."""
        from csp_commerce.store._db import locate

        where = locate(self.database) if self.database else None
        if where is not None and where.engine == "postgresql":
            relative = "registry" if shared else str(self.state_dir.relative_to(self.home))
            schema = schema_name(relative, prefix=where.schema or "csp")
            assert self.database is not None
            return f"{self.database}{'&' if '?' in self.database else '?'}schema={schema}"
        if shared:
            return str((Path(where.target) if where else self.home) / file)
        path = self._state(file)
        if where is not None:
            path = Path(where.target) / path.relative_to(self.home)
            path.parent.mkdir(parents=True, exist_ok=True)
        return str(path)

    def _state(self, name: str) -> Path:
        """A file in the target's directory (created), after the notice about an old layout."""
        self._notice_old_layout()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        return self.state_dir / name

    def _notice_old_layout(self) -> None:
        if self._noticed:
            return
        self._noticed = True
        previous = Path(OLD_DEFAULT_HOME).absolute()
        if previous.is_dir() and previous != self.home:
            print(
                f"csp-commerce: note: {previous} (the data directory before 0.2) is not used; "
                f"this command's data directory is {self.home} (pass --home {OLD_DEFAULT_HOME} "
                "to keep using the old one)",
                file=sys.stderr,
            )
        old = [name for name in OLD_LAYOUT if (self.home / name).is_file()]
        if old:
            print(
                f"csp-commerce: note: {', '.join(old)} at the top of {self.home} (the layout "
                f"before one directory per Partner Center) are not used; this command's state "
                f"is in {self.state_dir}",
                file=sys.stderr,
            )

    # -- what the command uses ----------------------------------------------------------------

    @property
    def sandbox_path(self) -> Path:
        """The embedded sandbox's world: ``<home>/sandbox/sandbox.json``."""
        return self.home / SANDBOX_DIR / SANDBOX_FILE

    @cached_property
    def sandbox(self) -> Sandbox:
        """The embedded sandbox, as the last command left it (a fresh seeded world at first).

        Every change is saved (atomically) before its answer reaches the client, so a command
        killed at any point leaves a world that holds every change its ledger knows about.
        A damaged ``sandbox.json`` is a :class:`ConfigurationError` naming the file.
        """
        from csp_commerce.sandbox import Sandbox

        self._notice_old_layout()
        path = self.sandbox_path
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            return Sandbox.load(path, autosave=path)
        return Sandbox(seed=SANDBOX_SEED, autosave=path)

    def sandbox_webhook_certificates(self) -> tuple[bytes, bytes, str]:
        """The embedded sandbox's webhook root, signing certificate (PEM) and certificate URL.

        Read from a sandbox of its own that is not kept: a long-running receiver must never
        save a world other commands change meanwhile. The certificates are made (and saved)
        the first time.
        """
        from csp_commerce.sandbox import Sandbox

        path = self.sandbox_path
        path.parent.mkdir(parents=True, exist_ok=True)
        sandbox = Sandbox.load(path, autosave=path) if path.exists() else None
        if sandbox is None:
            sandbox = Sandbox(seed=SANDBOX_SEED, autosave=path)
        root = sandbox.webhook_root_pem()
        return root, sandbox.webhook_certificate_pem(), sandbox.webhook_certificate_url

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
            _live_credential(settings, cloud),
            cloud=cloud,
            application_name="csp-commerce",
            budget=self.budget,
        )

    @cached_property
    def budget(self) -> SharedPartnerBudget:
        """The live partner's request budget (``budget.sqlite3`` in the target's directory, or
        its schema): every process on this database paces together at Partner Center's
        documented rates and waits out a ``Retry-After`` any of them sees."""
        from csp_commerce.store.partner_budget import budget_for

        location = self.store_location(BUDGET_FILE)
        with _damaged_database(location):
            return budget_for(location, self.target)

    def live_settings(self) -> dict[str, str]:
        """The live Partner Center settings (:attr:`settings` as text, the secret revealed).

        The tenant id is kept in lower case (Entra ids and domain names ignore case), so one
        partner is always one target.
        """
        data = self.settings.model_dump(include=set(SETTINGS), exclude_none=True)
        settings = {
            key: value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
            for key, value in data.items()
            if value
        }
        if settings.get("tenant_id"):
            settings["tenant_id"] = settings["tenant_id"].strip().lower()
        return settings

    @cached_property
    def ledger(self) -> Ledger:
        """The target's provisioning ledger (``ledger.sqlite3`` in its directory)."""
        from csp_commerce.store.ledger import Ledger

        location = self.store_location(LEDGER_FILE)
        with _damaged_database(location):
            return Ledger(location)

    @cached_property
    def mca_log(self) -> McaEvidenceLog:
        """The target's MCA evidence log (``mca.sqlite3`` in its directory): see the module's
        documentation for why it is not shared between targets."""
        from csp_commerce.store.mca_log import McaEvidenceLog

        location = self.store_location(MCA_FILE)
        with _damaged_database(location):
            return McaEvidenceLog(location, key=self.mca_key)

    def provisioner(self, hooks: HookManager) -> Provisioner:
        """A provisioner on this environment's client and ledger, telling ``hooks``; a
        :class:`TargetMismatchError` if the client is not this state's Partner Center."""
        from csp_commerce.fulfilment.order_saga import Provisioner

        provisioner = Provisioner(
            self.client,
            self.ledger,
            hooks,
            gdap_template=self.gdap_template(),
            enable_gdap_by_default=self.settings.enable_gdap_by_default,
        )
        self.check_client(provisioner.target)
        return provisioner

    def gdap_template(self, path: str | None = None) -> GdapTemplate | None:
        """The GDAP template at ``path``, else the one the settings name (a path relative to
        the settings file), else None; a :class:`ConfigurationError` when it cannot be read."""
        from csp_commerce.models.gdap import GdapTemplate

        if path is not None:
            return GdapTemplate.from_file(path)
        named = self.settings.gdap_template
        if not named:
            return None
        return GdapTemplate.from_file(self.settings_file.parent / Path(named).expanduser())

    def save(self) -> None:
        """Keep the sandbox's world for the next command (nothing to do when live)."""
        if "sandbox" in self.__dict__:
            self.sandbox.save(self.sandbox_path)

    def close(self) -> None:
        """Save the sandbox and close what was opened."""
        self.save()
        for name in ("client", "budget", "ledger", "mca_log"):
            resource: Any = self.__dict__.pop(name, None)
            if resource is not None:
                resource.close()


@contextlib.contextmanager
def _damaged_database(path: str | Path) -> Iterator[None]:
    """Turn SQLite's refusal to open a damaged or foreign file into a message naming it."""
    import sqlite3

    try:
        yield
    except sqlite3.DatabaseError as error:
        raise ConfigurationError(
            f"{path} is damaged or not a csp-commerce database ({error}); restore it from a "
            "backup, or move it away to start an empty one"
        ) from None


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
