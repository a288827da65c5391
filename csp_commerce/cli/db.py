"""``csp-commerce db upgrade|prune``: the stores' schemas, and the ledger's retention.

``upgrade`` brings the target's ledger, MCA evidence log, export eTags and shared request budget,
and the discovery store, to this release's schema and prints each one's version (opening a store
does the same; run it at deploy time with a database role allowed to change the schema, before
starting processes that use one that is not). ``prune --older-than DAYS`` deletes the target's
finished orders (placed or failed, the host told) last changed more than DAYS days ago, with
their steps; never an open order, nor one whose notification is not delivered.

Both work on the stores ``--database`` (or ``$CSP_COMMERCE_DATABASE_URL``) names, SQLite files
in the data directory by default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_OK, _env
from csp_commerce.errors import InputError

if TYPE_CHECKING:
    import argparse

SECONDS_PER_DAY = 86_400


def register(subparsers: Any) -> None:
    """Add ``db`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "db",
        help="upgrade the stores' schemas, prune old finished orders",
        description=__doc__,
    )
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = actions.add_parser("upgrade", help="bring every store to this release's schema")
    upgrade.set_defaults(func=run_upgrade)
    prune = actions.add_parser("prune", help="delete finished orders older than some days")
    prune.add_argument(
        "--older-than", type=float, required=True, metavar="DAYS", help="age in days"
    )
    prune.set_defaults(func=run_prune)
    for action in (upgrade, prune):
        _env.add_arguments(action)


def run_upgrade(args: argparse.Namespace) -> int:
    """Upgrade the ledger, the MCA evidence log, the export eTags, the discovery store and the
    shared budget; print their versions."""
    from csp_commerce.cli.billing import EXPORTS_FILE
    from csp_commerce.cli.partners import DISCOVERY_DB
    from csp_commerce.store._db import connect
    from csp_commerce.store._schema import version
    from csp_commerce.store.discovery_store import upgrade_discovery
    from csp_commerce.store.export_etags import upgrade_export_etags
    from csp_commerce.store.ledger import upgrade_ledger
    from csp_commerce.store.mca_log import upgrade_mca_log
    from csp_commerce.store.partner_budget import upgrade_partner_budget

    with _env.Environment.from_args(args) as env:
        stores = (
            ("ledger", env.store_location(_env.LEDGER_FILE), upgrade_ledger),
            ("mca_evidence", env.store_location(_env.MCA_FILE), upgrade_mca_log),
            ("discovery", env.store_location(DISCOVERY_DB, shared=True), upgrade_discovery),
            ("export_etags", env.store_location(EXPORTS_FILE), upgrade_export_etags),
            ("partner_budget", env.store_location(_env.BUDGET_FILE), upgrade_partner_budget),
        )
        for name, location, upgrade in stores:
            db = connect(location, store=name)
            try:
                applied = upgrade(db)
                now = version(db, name)
                where = db.location
            finally:
                db.close()
            done = f"applied {', '.join(map(str, applied))}" if applied else "up to date"
            print(f"{name}: schema version {now} ({done}) in {where}")
    return EXIT_OK


def run_prune(args: argparse.Namespace) -> int:
    """Delete the target's old finished orders; print how many went."""
    if args.older_than < 0:
        raise InputError("--older-than must be a number of days, 0 or more")
    with _env.Environment.from_args(args) as env:
        pruned = env.ledger.prune(args.older_than * SECONDS_PER_DAY)
        print(f"pruned {pruned} finished order(s) older than {args.older_than:g} day(s)")
    return EXIT_OK
