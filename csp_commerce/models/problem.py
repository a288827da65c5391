"""Problems: the customer's mistakes, reported with stable codes instead of exceptions."""

from __future__ import annotations

from typing import TypeAlias

from pydantic import Field

from csp_commerce.models._base import Model

ParamValue: TypeAlias = str | int | float | bool | list[str] | None


class Problem(Model):
    """One thing wrong with an order or an address, written for the person at the storefront.

    ``code`` (e.g. ``postal_code.invalid``) and ``params`` are stable: hosts that write their own
    text key on them. ``message`` is the English rendering; :func:`csp_commerce.render_problem`
    renders it for another locale. ``field`` names the input the problem concerns, as a dotted
    path (``address.postal_code``, ``lines.2.billing_cycle``) or ``None`` for the order as a whole.
    """

    code: str = Field(min_length=1)
    field: str | None = None
    message: str
    params: dict[str, ParamValue] = Field(default_factory=dict)
