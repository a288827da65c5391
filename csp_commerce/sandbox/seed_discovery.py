"""A sandbox populated for discovery: many customers with subscriptions, written into the
sandbox's world directly (administration, not thousands of requests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from csp_commerce.sandbox import Sandbox


def seed_sandbox(
    sandbox: Sandbox,
    customers: int,
    subscriptions_per_customer: int = 10,
    *,
    prefix: str = "discovered",
) -> list[str]:
    """Add ``customers`` related customers, each with ``subscriptions_per_customer`` active
    subscriptions (one order each); returns their tenant ids. No audit records are written:
    this is the world as it stood before discovery first looked."""
    from csp_commerce.models.offer import Segment
    from csp_commerce.sandbox import admin_routes, commerce_routes

    ctx = sandbox.app.ctx
    items = [
        item
        for item in sandbox.catalog
        if not item.is_addon
        and item.segment is Segment.COMMERCIAL
        and item.countries is None
        and item.supports("P1Y", "monthly")
    ]
    start = len(ctx.world.customers)
    tenant_ids: list[str] = []
    with sandbox.app.lock:
        for number in range(start, start + customers):
            tenant_id = admin_routes.add_existing_tenant(
                ctx, f"{prefix}{number:06d}", f"Customer {number}"
            )
            admin_routes.accept_relationship(ctx, tenant_id)
            lines = [
                commerce_routes.Line(
                    index, items[index % len(items)], 1 + index % 5, "monthly", "P1Y"
                )
                for index in range(subscriptions_per_customer)
            ]
            if lines:
                customer = ctx.world.customers[tenant_id]
                commerce_routes.place_order(ctx, customer, lines, "monthly", False)
            tenant_ids.append(tenant_id)
    return tenant_ids


__all__ = ["seed_sandbox"]
