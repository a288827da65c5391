"""``csp-commerce mca record|list|export|verify``: the MCA evidence log.

``record`` adds a customer's Microsoft Customer Agreement acceptance (refused, exit 1, when it
is not valid evidence), ``list`` shows the entries, ``export`` writes them as CSV or JSON for an
audit, ``verify`` walks the hash chain: exit 0 when intact, 1 naming the first broken entry.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_INVALID, EXIT_OK, _env
from csp_commerce.errors import InputError

if TYPE_CHECKING:
    import argparse

    from csp_commerce.cli._env import Environment
    from csp_commerce.store.mca_log import McaEvidenceEntry

#: The columns of ``mca export --format csv``.
CSV_COLUMNS = (
    "seq",
    "recorded_at",
    "customer_reference",
    "tenant_id",
    "template_id",
    "accepted_at",
    "source",
    "confirmed_by",
    "reseller_partner_id",
    "channel",
    "first_name",
    "last_name",
    "email",
    "phone_number",
    "prev_hash",
    "hash",
)


def register(subparsers: Any) -> None:
    """Add ``mca`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "mca", help="record, list, export and verify MCA acceptances", description=__doc__
    )
    actions = parser.add_subparsers(dest="mca_command", metavar="ACTION", required=True)
    record = actions.add_parser("record", help="record a customer's MCA acceptance")
    record.add_argument("--customer", required=True, help="the host's customer reference")
    record.add_argument("--first-name", required=True)
    record.add_argument("--last-name", required=True)
    record.add_argument("--email", required=True)
    record.add_argument("--phone", help="phone number (Microsoft requires one)")
    record.add_argument(
        "--template-id",
        help="the agreement template id (default: Partner Center's current MCA template)",
    )
    record.add_argument("--tenant-id", help="the customer's tenant id, when known")
    record.add_argument(
        "--source",
        choices=("customer", "reseller"),
        default="customer",
        help="who accepted or confirmed it (default customer)",
    )
    record.add_argument("--reseller-id", help="the confirming reseller's partner id")
    record.add_argument("--confirmed-by", help="who confirmed it (default: the e-mail address)")
    record.add_argument("--accepted-at", help="when, ISO 8601 with a time zone (default: now, UTC)")
    record.set_defaults(func=run_record)
    listing = actions.add_parser("list", help="the entries, oldest first")
    listing.add_argument("--customer", help="only this customer's entries")
    listing.set_defaults(func=run_list)
    export = actions.add_parser("export", help="write every entry as CSV or JSON")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", "-o", metavar="FILE", help="write here (default stdout)")
    export.set_defaults(func=run_export)
    verify = actions.add_parser("verify", help="check the hash chain")
    verify.set_defaults(func=run_verify)
    for action in (record, listing, export, verify):
        _env.add_arguments(action)


def run_record(args: argparse.Namespace) -> int:
    """Record one acceptance through the checkout (so every recording plugin sees it)."""
    from pydantic import ValidationError

    from csp_commerce.checkout import Checkout
    from csp_commerce.cli import _render
    from csp_commerce.models import AcceptanceSource, Contact, McaAcceptance

    out = _render.console()
    with _env.Environment.from_args(args) as env:
        try:
            acceptance = McaAcceptance(
                customer_reference=args.customer,
                tenant_id=args.tenant_id,
                template_id=args.template_id or _current_template(env),
                contact=Contact(
                    first_name=args.first_name,
                    last_name=args.last_name,
                    email=args.email,
                    phone_number=args.phone,
                ),
                accepted_at=_accepted_at(args.accepted_at),
                source=AcceptanceSource(args.source),
                confirmed_by=args.confirmed_by or args.email,
                reseller_partner_id=args.reseller_id,
                channel="cli",
            )
        except ValidationError as error:
            raise InputError(_explain(error)) from None
        checkout = Checkout(mca_log=env.mca_log)
        problems = checkout.record_mca_acceptance(acceptance)
        if problems:
            out.print(_render.problems_table(problems))
            out.print("[red]not recorded[/red]")
            return EXIT_INVALID
        entry = env.mca_log.latest(args.customer)
    assert entry is not None
    out.print(f"recorded entry #{entry.seq} for {args.customer} (hash {entry.hash[:16]}…)")
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    """Print the entries as a table."""
    from rich.table import Table

    from csp_commerce.cli import _render

    with _env.Environment.from_args(args) as env:
        entries = env.mca_log.entries(args.customer)
    table = Table(title=f"MCA evidence: {len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")
    for column in ("#", "customer", "accepted at", "source", "confirmed by", "contact", "hash"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        acceptance = entry.acceptance
        contact = acceptance.contact
        source = acceptance.source.value
        if acceptance.reseller_partner_id:
            source += f" ({acceptance.reseller_partner_id})"
        table.add_row(
            str(entry.seq),
            acceptance.customer_reference,
            acceptance.accepted_at.isoformat(),
            source,
            acceptance.confirmed_by,
            f"{contact.first_name} {contact.last_name} <{contact.email}>",
            entry.hash[:16] + "…",
        )
    _render.console().print(table)
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """Write every entry as CSV or JSON."""
    with _env.Environment.from_args(args) as env:
        rows = [export_row(entry) for entry in env.mca_log.entries()]
    if args.format == "json":
        text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        print(f"wrote {len(rows)} entries to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    """Walk the hash chain; exit 1 naming the first broken entry."""
    from csp_commerce.cli import _render

    out = _render.console()
    with _env.Environment.from_args(args) as env:
        result = env.mca_log.verify()
        head = env.mca_log.head()
    if result.ok:
        out.print(f"[green]intact[/green]: {result.checked} entries, head {head}")
        return EXIT_OK
    out.print(
        f"[red]broken[/red] at entry #{result.broken_seq}: {result.reason} "
        f"({result.checked} entries before it are intact)"
    )
    return EXIT_INVALID


def export_row(entry: McaEvidenceEntry) -> dict[str, Any]:
    """One entry flattened for CSV and JSON export."""
    acceptance = entry.acceptance
    contact = acceptance.contact
    return {
        "seq": entry.seq,
        "recorded_at": entry.recorded_at.isoformat(),
        "customer_reference": acceptance.customer_reference,
        "tenant_id": acceptance.tenant_id or "",
        "template_id": acceptance.template_id,
        "accepted_at": acceptance.accepted_at.isoformat(),
        "source": acceptance.source.value,
        "confirmed_by": acceptance.confirmed_by,
        "reseller_partner_id": acceptance.reseller_partner_id or "",
        "channel": acceptance.channel,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "phone_number": contact.phone_number or "",
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _current_template(env: Environment) -> str:
    templates = list(env.client.agreements.templates())
    if not templates:
        raise InputError("Partner Center offers no MCA template: pass --template-id")
    return str(templates[0].template_id)


def _accepted_at(text: str | None) -> datetime:
    if text is None:
        return datetime.now(timezone.utc)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--accepted-at {text!r} is not an ISO 8601 date and time") from None
    if when.tzinfo is None:
        raise InputError(f"--accepted-at {text!r} needs a time zone, e.g. 2026-05-01T10:00Z")
    return when


def _explain(error: Any) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
        for item in error.errors(include_url=False)
    )
