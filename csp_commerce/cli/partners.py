"""``csp-commerce partners``: register partner accounts (consent once, refresh token kept in a
token store), list and remove them.

On the embedded sandbox the consent is simulated; with ``--live`` it is Microsoft's: the
authorization-code flow in a browser (the app's secret from ``CSP_COMMERCE_CLIENT_SECRET``,
never from the command line) or ``--device-code``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_INVALID, EXIT_OK
from csp_commerce.cli._env import Environment, add_arguments
from csp_commerce.cli._globals import add_confirmation, confirmed
from csp_commerce.errors import ConfigurationError
from csp_commerce.models.clouds import Cloud

if TYPE_CHECKING:
    import argparse

    from csp_commerce.store.discovery_store import DiscoveryStore

DISCOVERY_DB = "discovery.sqlite3"
SANDBOX_REFRESH_TOKEN = "sandbox-refresh-token"
#: The sandbox consent simulated without MFA (``partners add --without-mfa``): its app+user
#: token has no MFA claim, and Partner Center (the sandbox) refuses it with 900421.
SANDBOX_NO_MFA_REFRESH_TOKEN = "sandbox-refresh-token-without-mfa"
_COLUMNS = ("name", "tenant id", "client id", "cloud", "token store", "created", "discovery")


def register(subparsers: Any) -> None:
    """Add ``partners add|list|remove|check``."""
    parser = subparsers.add_parser(
        "partners", help="register and list partner accounts", description=__doc__
    )
    actions = parser.add_subparsers(dest="partners_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="register a partner account (runs the consent)")
    add.add_argument("name", help="the account's name, e.g. the partner's company")
    add.add_argument("--tenant-id", required=True, help="the partner's Entra tenant id (GUID)")
    add.add_argument("--client-id", required=True, help="the app registration's id (GUID)")
    add.add_argument(
        "--cloud", choices=[cloud.value for cloud in Cloud], default=Cloud.GLOBAL.value
    )
    add.add_argument("--device-code", action="store_true", help="consent by device code")
    add.add_argument(
        "--without-mfa",
        action="store_true",
        help="sandbox only: simulate a consent signed in without MFA (for 'partners check')",
    )
    add.add_argument("--port", type=int, default=0, help="local redirect port (auth-code flow)")
    add.add_argument(
        "--token-store",
        type=Path,
        help="file for the refresh token (default: DATA_DIR/tokens/NAME.refresh-token)",
    )
    add_arguments(add)
    add.set_defaults(func=_add)

    listing = actions.add_parser("list", help="list the registered partner accounts")
    listing.add_argument("--json", action="store_true", help="print JSON")
    add_arguments(listing)
    listing.set_defaults(func=_list)

    check = actions.add_parser(
        "check",
        help="is the stored credential MFA-compliant? its token's expiry; each cloud's sign-in",
        description="Signs in with each account's stored credential, asks Partner Center to "
        "validate MFA (the ValidateMfa header), and shows the token's expiry and how each "
        "cloud is signed in to. Exits 1 when a credential is not compliant.",
    )
    check.add_argument("name", nargs="?", help="one account (default: every account)")
    check.add_argument("--json", action="store_true", help="print JSON")
    add_arguments(check)
    check.set_defaults(func=_check)

    remove = actions.add_parser("remove", help="forget a partner account and its discovery data")
    remove.add_argument("name")
    add_arguments(remove)
    add_confirmation(remove)
    remove.set_defaults(func=_remove)


def open_store(env: Environment) -> DiscoveryStore:
    """The discovery store (partner accounts, runs, fingerprints) in the data directory."""
    from csp_commerce.store.discovery_store import DiscoveryStore

    return DiscoveryStore(env.store_location(DISCOVERY_DB, shared=True))


def _add(args: argparse.Namespace) -> int:
    from csp_commerce.operations.onboarding import (
        AuthCodeConsent,
        ConsentFlow,
        DeviceCodeConsent,
        PartnerRegistration,
        StaticConsent,
        register_partner,
    )
    from csp_commerce.provisioning.auth import FileTokenStore

    env = Environment.from_args(args)
    registration = PartnerRegistration(args.name, args.tenant_id, args.client_id, Cloud(args.cloud))
    consent: ConsentFlow
    if not env.live:
        token = SANDBOX_NO_MFA_REFRESH_TOKEN if args.without_mfa else SANDBOX_REFRESH_TOKEN
        consent = StaticConsent(token, "admin@sandbox.onmicrosoft.com")
    elif args.without_mfa:
        raise ConfigurationError("--without-mfa simulates a sandbox consent only")
    elif args.device_code:
        consent = DeviceCodeConsent()
    else:
        secret = os.environ.get("CSP_COMMERCE_CLIENT_SECRET")
        if not secret:
            raise ConfigurationError("the auth-code consent needs CSP_COMMERCE_CLIENT_SECRET")
        consent = AuthCodeConsent(secret, port=args.port)
    safe_name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in args.name)
    path = args.token_store or env.home / "tokens" / f"{safe_name}.refresh-token"
    with open_store(env) as store:
        account = register_partner(
            store, registration, consent, FileTokenStore(path), token_store_ref=str(path)
        )
    print(f"registered {account.name} (tenant {account.tenant_id}); refresh token in {path}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    env = Environment.from_args(args)
    with open_store(env) as store:
        accounts = store.partners()
        states = {account.name: store.state(account.name).value for account in accounts}
    if args.json:
        rows = [
            {
                "name": account.name,
                "tenantId": account.tenant_id,
                "clientId": account.client_id,
                "cloud": account.cloud,
                "tokenStore": account.token_store,
                "created": account.created_at.isoformat(),
                "discovery": states[account.name],
            }
            for account in accounts
        ]
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    from rich.table import Table

    from csp_commerce.cli._render import console

    table = Table(title="Partner accounts")
    for column in (
        "name",
        "tenant id",
        "client id",
        "cloud",
        "token store",
        "created",
        "discovery",
    ):
        table.add_column(column, overflow="fold")
    for account in accounts:
        table.add_row(
            account.name,
            account.tenant_id,
            account.client_id,
            account.cloud,
            account.token_store,
            account.created_at.isoformat(),
            states[account.name],
        )
    console().print(table)
    return EXIT_OK


def _remove(args: argparse.Namespace) -> int:
    env = Environment.from_args(args)
    if not confirmed(args, f"forget the partner account {args.name!r} and its discovery runs"):
        return EXIT_OK
    with open_store(env) as store:
        removed = store.remove_partner(args.name)
    if not removed:  # an unknown name: exit 2, as every unknown id
        raise ConfigurationError(f"no partner account named {args.name!r} (see 'partners list')")
    print(f"removed {args.name} (its token store file is left in place)")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from csp_commerce.operations.sign_in import check_credential, cloud_sign_in

    env = Environment.from_args(args)
    with open_store(env) as store:
        accounts = store.partners()
    if args.name is not None:
        accounts = [account for account in accounts if account.name == args.name]
        if not accounts:
            raise ConfigurationError(f"no partner account named {args.name!r}")
    secret = os.environ.get("CSP_COMMERCE_CLIENT_SECRET")
    if env.live and accounts and not secret:
        raise ConfigurationError("--live partners check needs CSP_COMMERCE_CLIENT_SECRET")
    checks = []
    for account in accounts:
        if env.live:
            from csp_commerce.operations.onboarding import credential_for

            credential = credential_for(account, str(secret))
            checks.append(check_credential(account.name, credential, Cloud(account.cloud)))
        else:
            checks.append(_sandbox_check(env, account.name, Path(account.token_store)))
    clouds = cloud_sign_in({Cloud(account.cloud) for account in accounts})
    if args.json:
        print(json.dumps({"accounts": [c.as_json() for c in checks], "clouds": clouds}, indent=2))
    else:
        _print_checks(checks, clouds)
    return EXIT_OK if all(check.compliant for check in checks) else EXIT_INVALID


def _sandbox_check(env: Environment, name: str, token_store: Path) -> Any:
    from csp_commerce.operations.sign_in import check_credential
    from csp_commerce.sandbox import SandboxCredential

    try:
        stored = token_store.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        stored = ""
    credential = SandboxCredential(mfa=stored != SANDBOX_NO_MFA_REFRESH_TOKEN)
    return check_credential(name, credential, Cloud.GLOBAL, http=env.sandbox.httpx_client())


def _print_checks(checks: list[Any], clouds: list[dict[str, Any]]) -> None:
    from rich.table import Table

    from csp_commerce.cli._render import console

    table = Table(title="Stored credentials")
    columns = ("account", "cloud", "kind", "MFA compliant", "token expires", "detail")
    for column in columns:
        table.add_column(column, overflow="fold")
    for check in checks:
        compliant = {True: "yes", False: "NO"}[check.compliant]
        expires = check.expires_at.isoformat() if check.expires_at else "-"
        table.add_row(check.name, check.cloud, check.kind, compliant, expires, check.detail)
    console().print(table)
    sign_in = Table(title="Sign-in per cloud")
    headers = ("cloud", "your accounts", "authority", "token audience", "token route", "recon v2")
    for header in headers:
        sign_in.add_column(header)
    for cloud in clouds:
        sign_in.add_row(
            cloud["cloud"],
            "yes" if cloud["used"] else "-",
            cloud["authority"],
            cloud["audience"],
            cloud["tokenRoute"],
            "yes" if cloud["reconciliationV2"] else "no (v1)",
        )
    console().print(sign_in)
