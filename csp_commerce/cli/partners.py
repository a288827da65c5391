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

from csp_commerce.cli import EXIT_OK
from csp_commerce.cli._env import Environment, add_arguments
from csp_commerce.cli._globals import add_confirmation, confirmed
from csp_commerce.errors import ConfigurationError
from csp_commerce.models.clouds import Cloud

if TYPE_CHECKING:
    import argparse

    from csp_commerce.store.discovery_store import DiscoveryStore

DISCOVERY_DB = "discovery.sqlite3"
SANDBOX_REFRESH_TOKEN = "sandbox-refresh-token"
_COLUMNS = ("name", "tenant id", "client id", "cloud", "token store", "created", "discovery")


def register(subparsers: Any) -> None:
    """Add ``partners add|list|remove``."""
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

    remove = actions.add_parser("remove", help="forget a partner account and its discovery data")
    remove.add_argument("name")
    add_arguments(remove)
    add_confirmation(remove)
    remove.set_defaults(func=_remove)


def open_store(env: Environment) -> DiscoveryStore:
    """The discovery store (partner accounts, runs, fingerprints) in the data directory."""
    from csp_commerce.store.discovery_store import DiscoveryStore

    return DiscoveryStore(env.home / DISCOVERY_DB)


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
        consent = StaticConsent(SANDBOX_REFRESH_TOKEN, "admin@sandbox.onmicrosoft.com")
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
        table.add_column(column)
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
