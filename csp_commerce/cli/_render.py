"""Rich rendering shared by the ``csp-commerce`` commands: Problems, plans, outcomes, steps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from csp_commerce.models import CheckoutPlan, Problem, ProvisioningOutcome
    from csp_commerce.store.ledger import Step


def console(*, stderr: bool = False) -> Console:
    """A console that wraps wide enough for ids and never fails on a narrow pipe."""
    return Console(stderr=stderr, width=max(100, Console().width), highlight=False)


def problems_table(problems: Iterable[Problem]) -> Table:
    """Every Problem of an order: code, field and message."""
    table = Table(title="Problems", title_style="bold red", show_lines=False)
    table.add_column("code", style="red")
    table.add_column("field")
    table.add_column("message", overflow="fold")
    for problem in problems:
        table.add_row(problem.code, problem.field or "(order)", problem.message)
    return table


def plan_table(plan: CheckoutPlan) -> Table:
    """What provisioning would do for each line."""
    tenant = plan.tenant
    where = tenant.tenant_id or tenant.domain or ""
    table = Table(title=f"Plan: tenant {tenant.action.value} {where}".rstrip())
    for column in ("line", "action", "offer", "qty", "billing", "term", "partner of record"):
        table.add_column(column, overflow="fold")  # ids wrap, never cut
    for line in plan.lines:
        action = line.action.value
        if line.subscription_id:
            action += f" → {line.subscription_id}"
        table.add_row(
            line.line_id,
            action,
            line.offer_id,
            str(line.quantity),
            line.billing_cycle.value,
            line.term_duration.value if line.term_duration else "-",
            line.partner_id_on_record or "-",
        )
    return table


def outcome_table(outcome: ProvisioningOutcome) -> Table:
    """What each line became in Partner Center."""
    style = "green" if outcome.placed else "red"
    table = Table(
        title=f"Order {outcome.order_id}: {outcome.status.value}"
        + (f" (tenant {outcome.customer_tenant_id})" if outcome.customer_tenant_id else ""),
        title_style=f"bold {style}",
    )
    for column in ("line", "action", "subscription", "qty", "partner of record", "undone"):
        table.add_column(column, overflow="fold")  # ids wrap, never cut
    for line in outcome.lines:
        table.add_row(
            line.line_id,
            line.action.value,
            line.subscription_id or "-",
            str(line.quantity),
            line.partner_id_on_record or "-",
            "yes" if line.compensated else "",
        )
    return table


def steps_table(steps: Iterable[Step]) -> Table:
    """An order's saga steps with their durable MS-RequestIds."""
    table = Table(title="Steps")
    for column in ("#", "step", "kind", "status", "attempts", "MS-RequestId", "result"):
        table.add_column(column, overflow="fold")
    for step in steps:
        table.add_row(
            str(step.seq),
            step.key,
            step.kind,
            step.status.value,
            str(step.attempts),
            step.request_id,
            _short(step.result or step.error),
        )
    return table


def _short(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    return ", ".join(f"{key}={item}" for key, item in value.items() if item is not None)


def emit(
    fmt: str,
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    records: Iterable[Any],
) -> None:
    """Print data as a table (``rows``, ids never cut), CSV (``rows``, formulas guarded) or JSON
    (``records``: pydantic models dumped with Partner Center's camelCase names, or plain data)."""
    if fmt == "json":
        import json

        data = [
            record.model_dump(mode="json", by_alias=True, exclude_none=True)
            if hasattr(record, "model_dump")
            else record
            for record in records
        ]
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    elif fmt == "csv":
        import csv
        import sys

        from csp_commerce.models.csv_cells import guard_cell

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                guard_cell(cell) if isinstance(cell, str) else "" if cell is None else cell
                for cell in row
            )
    else:
        from csp_commerce.cli.prices import print_table

        print_table(title, columns, rows)
