"""``csp-commerce profiles list|show NAME``: the named settings in ``<home>/profiles``.

A profile is a JSON file of settings (``live``, ``tenant_id``, ``client_id``, ``client_secret``,
``token_store``, ``cloud``, ``database``) chosen with ``--profile NAME``; each names its target,
and a command's state follows its target (one ledger per Partner Center). ``show`` never prints
the secret.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from csp_commerce.cli import EXIT_OK, _env
from csp_commerce.cli._render import emit
from csp_commerce.cli.prices import add_format


def register(subparsers: Any) -> None:
    """Add ``profiles`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "profiles", help="named settings: list them, show one (secrets hidden)", description=__doc__
    )
    actions = parser.add_subparsers(dest="profiles_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every profile and its target")
    add_format(listing, "table", "json")
    listing.set_defaults(func=run_list)
    show = actions.add_parser("show", help="one profile's settings")
    show.add_argument("name", metavar="NAME")
    add_format(show, "table", "json")
    show.set_defaults(func=run_show)
    for action in (listing, show):
        action.add_argument("--home", type=Path, default=argparse.SUPPRESS)


def _described(home: Any, name: str) -> dict[str, Any]:
    env = _env.Environment(home, profile=name)
    data = env.settings.model_dump(mode="json", exclude_none=True)
    if "client_secret" in data:
        data["client_secret"] = "********"
    from pydantic.alias_generators import to_camel

    return {"name": name, "target": env.target_name, "stateDir": str(env.state_dir),
            **{to_camel(key): value for key, value in data.items()}}  # fmt: skip


def run_list(args: argparse.Namespace) -> int:
    """``profiles list``."""
    from csp_commerce.cli._settings import profile_names
    from csp_commerce.errors import ConfigurationError

    home = _env.resolve_home(getattr(args, "home", None))
    records = []
    for name in profile_names(home):
        try:
            records.append(_described(home, name))
        except ConfigurationError as error:  # one bad file does not hide the others
            records.append({"name": name, "target": f"unusable: {error}", "stateDir": ""})
    rows = [(r["name"], r["target"], r["stateDir"]) for r in records]
    emit(args.format, f"{len(records)} profile(s) in {home}", ("profile", "target", "state"),
         rows, records)  # fmt: skip
    return EXIT_OK


def run_show(args: argparse.Namespace) -> int:
    """``profiles show NAME``: an unknown name is exit 2."""
    record = _described(_env.resolve_home(getattr(args, "home", None)), args.name)
    emit(args.format, f"profile {args.name}", ("setting", "value"), list(record.items()), [record])
    return EXIT_OK
