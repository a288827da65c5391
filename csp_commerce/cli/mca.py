"""``csp-commerce mca record|list|export|head|verify|restore-triggers``: the MCA evidence log.

``record`` adds a customer's Microsoft Customer Agreement acceptance (refused, exit 1, when it
is not valid evidence), ``list`` shows the entries, ``export`` writes them as CSV or JSON for an
audit, ``head`` prints the last entry as ``SEQ:HASH`` to keep somewhere else, ``verify`` walks
the hash chain (and with ``--expect-head`` checks the log still holds that head): exit 0 when
intact, 1 naming the first broken entry, a missing trigger or a lost head.
``restore-triggers`` puts back the protective triggers after the log was checked.

``list`` and ``export`` exit 2 (:data:`EXIT_DAMAGED`), naming each entry that cannot be read and
why, when the log is damaged; ``export`` then writes nothing. The key of a keyed log comes
from ``--key-file`` or ``$CSP_COMMERCE_MCA_KEY``.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csp_commerce._files import write_atomically
from csp_commerce.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, _env
from csp_commerce.cli._globals import add_reference_option
from csp_commerce.errors import InputError
from csp_commerce.models.csv_cells import guard_cell

if TYPE_CHECKING:
    import argparse

    from csp_commerce.cli._env import Environment
    from csp_commerce.store.mca_log import DamagedEntry, McaEvidenceEntry, VerifyResult

#: ``list`` and ``export`` on a log with entries that cannot be read: the same exit code as any
#: unusable input, after naming each damaged entry (never a traceback).
EXIT_DAMAGED = EXIT_USAGE

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
    "mac",
)


def register(subparsers: Any) -> None:
    """Add ``mca`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "mca", help="record, list, export and verify MCA acceptances", description=__doc__
    )
    actions = parser.add_subparsers(dest="mca_command", metavar="ACTION", required=True)
    record = actions.add_parser("record", help="record a customer's MCA acceptance")
    add_reference_option(record, required=True, help_text="the host's customer reference")
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
    add_reference_option(listing, help_text="only this customer reference's entries")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(func=run_list)
    export = actions.add_parser("export", help="write every entry as CSV or JSON")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", "-o", metavar="FILE", help="write here (default stdout)")
    export.set_defaults(func=run_export)
    head = actions.add_parser("head", help="the last entry as SEQ:HASH, to keep elsewhere")
    head.add_argument("--json", action="store_true", help="print JSON")
    head.set_defaults(func=run_head)
    verify = actions.add_parser("verify", help="check the hash chain (and an anchored head)")
    verify.add_argument(
        "--expect-head",
        metavar="SEQ:HASH",
        help="a head printed earlier by `mca head`: fail unless the log still holds it",
    )
    verify.add_argument(
        "--unkeyed-through",
        metavar="SEQ",
        type=int,
        default=0,
        help="with a key: entries up to SEQ were recorded before the log was keyed",
    )
    verify.set_defaults(func=run_verify)
    restore = actions.add_parser(
        "restore-triggers",
        help="re-create missing protective triggers (after verify showed the log intact)",
    )
    restore.set_defaults(func=run_restore_triggers)
    for action in (record, listing, export, head, verify, restore):
        _env.add_arguments(action)
        action.add_argument(
            "--key-file",
            type=Path,
            metavar="FILE",
            help="the evidence log's HMAC key (default: $CSP_COMMERCE_MCA_KEY; none: unkeyed)",
        )


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
        scan = env.mca_log.scan(args.customer)
    entries = scan.entries
    if args.format == "json":
        print(json.dumps([json_row(entry) for entry in entries], indent=2, ensure_ascii=False))
        if scan.damaged:
            _report_damaged(scan.damaged)
            return EXIT_DAMAGED
        return EXIT_OK
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
            entry.hash,
        )
    _render.console().print(table)
    if scan.damaged:
        _report_damaged(scan.damaged)
        return EXIT_DAMAGED
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """Write every entry as CSV or JSON."""
    with _env.Environment.from_args(args) as env:
        scan = env.mca_log.scan()
    if scan.damaged:
        _report_damaged(scan.damaged)
        print("csp-commerce: nothing exported", file=sys.stderr)
        return EXIT_DAMAGED
    rows = [export_row(entry) for entry in scan.entries]
    if args.format == "json":
        text = json.dumps([json_row(e) for e in scan.entries], indent=2, ensure_ascii=False) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            {
                key: guard_cell(value) if isinstance(value, str) else value
                for key, value in row.items()
            }
            for row in rows
        )
        text = buffer.getvalue()
    if args.output:
        write_atomically(args.output, text)
        print(f"wrote {len(rows)} entries to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def run_head(args: argparse.Namespace) -> int:
    """Print the head (``SEQ:HASH``) to keep elsewhere; ``verify --expect-head`` checks it."""
    with _env.Environment.from_args(args) as env:
        head = env.mca_log.head()
    if args.json:
        print(json.dumps({"seq": head.seq, "hash": head.hash, "head": str(head)}))
    else:
        print(head)
        print(
            f"(entry #{head.seq}: keep this line somewhere the log's writers cannot change; "
            "`csp-commerce mca verify --expect-head` checks the log still holds it)",
            file=sys.stderr,
        )
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    """Walk the hash chain; exit 1 naming the first broken entry, a lost head or a trigger."""
    from csp_commerce.cli import _render
    from csp_commerce.store.mca_log import McaEvidenceHead

    expect = McaEvidenceHead.parse(args.expect_head) if args.expect_head else None
    out = _render.console()
    with _env.Environment.from_args(args) as env:
        result = env.mca_log.verify(expect_head=expect, unkeyed_through=args.unkeyed_through)
        head = env.mca_log.head()
    if result.ok:
        out.print(f"[green]intact[/green]: {result.checked} entries, head {head}", soft_wrap=True)
        if expect is not None:
            out.print(f"the anchored head (entry #{expect.seq}) is in the log")
    elif result.broken_seq is None:
        out.print(f"[red]damaged[/red]: {result.reason}", soft_wrap=True)
    else:
        out.print(
            f"[red]broken[/red] at entry #{result.broken_seq}: {result.reason} "
            f"({result.checked} entries before it are intact)",
            soft_wrap=True,
        )
        if result.missing_triggers:
            out.print(f"and its guards are gone: {', '.join(result.missing_triggers)}")
    for line in _key_notes(result):
        out.print(line, soft_wrap=True)
    return EXIT_OK if result.ok else EXIT_INVALID


def run_restore_triggers(args: argparse.Namespace) -> int:
    """Re-create the protective triggers that are missing or changed (a deliberate repair)."""
    with _env.Environment.from_args(args) as env:
        restored = env.mca_log.restore_triggers()
    if restored:
        print(f"restored {', '.join(restored)}")
    else:
        print("every protective trigger is in place")
    return EXIT_OK


def _key_notes(result: VerifyResult) -> list[str]:
    notes = []
    if result.unkeyed:
        notes.append(
            f"entries #1–#{result.unkeyed} carry no MAC: only the hash chain vouches for them"
        )
    if not result.macs_checked:
        notes.append("MACs not checked: no key (--key-file or $CSP_COMMERCE_MCA_KEY)")
    return notes


def _report_damaged(damaged: list[DamagedEntry]) -> None:
    for item in damaged:
        print(f"csp-commerce: entry #{item.seq} cannot be read: {item.reason}", file=sys.stderr)
    print(
        f"csp-commerce: the MCA evidence log is damaged ({len(damaged)} "
        f"entr{'y' if len(damaged) == 1 else 'ies'}); run `csp-commerce mca verify`",
        file=sys.stderr,
    )


def json_row(entry: McaEvidenceEntry) -> dict[str, Any]:
    """One entry for JSON: :func:`export_row` with Partner Center's camelCase names."""
    from pydantic.alias_generators import to_camel

    return {to_camel(key): value for key, value in export_row(entry).items()}


def export_row(entry: McaEvidenceEntry) -> dict[str, Any]:
    """One entry flattened for CSV export (column names in snake_case)."""
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
        "mac": entry.mac or "",
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
