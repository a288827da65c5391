"""``csp-commerce resellers list|check``: an indirect provider's resellers.

``list`` shows the indirect resellers related to the partner; ``check MPN_ID`` shows a reseller's
partner profile and whether it signed the Microsoft Partner Agreement (exit 0 when it can be
named as a partner of record, 1 when not, 2 when the id is unknown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_INVALID, EXIT_OK, _env
from csp_commerce.cli._render import emit
from csp_commerce.cli.prices import add_format

if TYPE_CHECKING:
    import argparse

COLUMNS = ("tenant id", "name", "MPN id", "state", "location")


def register(subparsers: Any) -> None:
    """Add ``resellers`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "resellers", help="indirect resellers: list, check an MPN id and its MPA",
        description=__doc__,
    )  # fmt: skip
    actions = parser.add_subparsers(dest="resellers_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the indirect resellers related to the partner")
    add_format(listing, "table", "json", "csv")
    listing.set_defaults(func=run_list)
    check = actions.add_parser("check", help="a reseller's MPN profile and MPA status")
    check.add_argument("mpn_id", metavar="MPN_ID")
    add_format(check, "table", "json")
    check.set_defaults(func=run_check)
    for action in (listing, check):
        _env.add_arguments(action)


def run_list(args: argparse.Namespace) -> int:
    """``resellers list``."""
    with _env.Environment.from_args(args) as env:
        resellers = list(env.client.relationships.indirect_resellers())
    rows = [(r.id, r.name, r.mpn_id, r.state, r.location) for r in resellers]
    emit(args.format, f"{len(resellers)} indirect reseller(s)", COLUMNS, rows, resellers)
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """``resellers check MPN_ID``: an unknown MPN id is Partner Center's 404 (exit 2)."""
    from csp_commerce.errors import MpaStatusError

    with _env.Environment.from_args(args) as env:
        profile = env.client.relationships.mpn_profile(args.mpn_id)
        try:
            signed = env.client.relationships.mpa_status(args.mpn_id).is_agreement_signed
        except MpaStatusError as error:
            signed, reason = False, str(error)
        else:
            reason = "" if signed else "the reseller has not signed the MPA"
    record = {"mpnId": profile.mpn_id, "partnerName": profile.partner_name,
              "isAgreementSigned": signed, "reason": reason or None}  # fmt: skip
    rows = list(record.items())
    emit(args.format, f"reseller {profile.mpn_id}", ("field", "value"), rows, [record])
    return EXIT_OK if signed else EXIT_INVALID
