"""Every Partner Center enum in the wire models keeps a value it does not know.

Partner Center adds enum values without notice (``expired`` and ``disabled`` subscriptions
crashed other clients' listings). Each field typed with a tolerant enum is found by walking the
wire models, and hypothesis feeds it values no enum has: the parse keeps the text, compares
equal to it, and writes it back unchanged; a known value comes back as its member.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csp_commerce.models import wire_enums
from csp_commerce.models.wire_enums import SubscriptionStatus, WireEnum, tolerant_enum_of
from csp_commerce.provisioning import PartnerCenterClient, wire
from csp_commerce.provisioning.wire import PCModel, Subscription
from csp_commerce.sandbox import API_BASE, SandboxCredential

REQUIRED = {"id": "x-1", "qualification": "Education", "lineItemNumber": 0, "offerId": "o",
            "quantity": 1, "catalogItemId": "c", "billingCycle": "monthly", "duration": "P1Y",
            "status": "active", "productSku": {"id": "s"}, "country": "US"}  # fmt: skip


def _tolerant_fields() -> list[tuple[type[PCModel], str, str, type[WireEnum], bool]]:
    found = []
    models: list[type[PCModel]] = []
    pending = list(PCModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith(wire.__name__) and "[" not in model.__name__:
            models.append(model)
    for model in models:
        for name, info in model.model_fields.items():
            enum = tolerant_enum_of(info.metadata)
            listed = False
            if enum is None:
                args = getattr(info.annotation, "__args__", ())
                inner = [tolerant_enum_of(getattr(arg, "__metadata__", [])) for arg in args]
                enum = next((e for e in inner if e is not None), None)
                listed = enum is not None and str(info.annotation).startswith("list")
            if enum is not None:
                found.append((model, name, info.alias or name, enum, listed))
    return found


FIELDS = _tolerant_fields()


def test_the_enum_fields_are_found() -> None:
    names = {(model.__name__, field) for model, field, _, _, _ in FIELDS}
    assert {("Subscription", "status"), ("Subscription", "billing_cycle"),
            ("PCOrder", "status"), ("Cart", "status"), ("Sku", "supported_billing_cycles"),
            ("CustomerUser", "state"), ("ScheduledAction", "action_type")} <= names  # fmt: skip


def _unknown(enum: type[WireEnum]) -> st.SearchStrategy[str]:
    known = {member.value.lower() for member in enum}
    return st.text(min_size=1, max_size=30).filter(lambda text: text.lower() not in known)


def _body(model: type[PCModel], alias: str, value: Any) -> dict[str, Any]:
    """A minimal valid body of ``model`` (its required fields) with ``alias`` set to ``value``."""
    body: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if info.is_required():
            body[key] = 0 if info.annotation in (int, "int") else REQUIRED.get(key, "x")
    body[alias] = value
    return body


@pytest.mark.parametrize(("model", "field", "alias", "enum", "listed"), FIELDS,
                         ids=[f"{m.__name__}.{f}" for m, f, _, _, _ in FIELDS])  # fmt: skip
@given(data=st.data())
def test_an_unknown_value_is_kept_as_text(
    model: type[PCModel], field: str, alias: str, enum: type[WireEnum], listed: bool,
    data: st.DataObject,
) -> None:  # fmt: skip
    value = data.draw(_unknown(enum))
    sent = [value] if listed else value
    parsed = model.model_validate(_body(model, alias, sent))
    kept = getattr(parsed, field)
    assert kept == sent
    assert parsed.to_wire()[alias] == sent


@pytest.mark.parametrize(("model", "field", "alias", "enum", "listed"), FIELDS,
                         ids=[f"{m.__name__}.{f}" for m, f, _, _, _ in FIELDS])  # fmt: skip
def test_a_known_value_is_its_member(
    model: type[PCModel], field: str, alias: str, enum: type[WireEnum], listed: bool
) -> None:
    member = next(iter(enum))
    sent = [member.value.upper()] if listed else member.value.upper()
    kept = getattr(model.model_validate(_body(model, alias, sent)), field)
    assert (kept[0] if listed else kept) is member


def test_members_are_interchangeable_with_their_text() -> None:
    assert SubscriptionStatus.EXPIRED == "expired"
    assert "expired" in {SubscriptionStatus.EXPIRED}
    assert f"{SubscriptionStatus.EXPIRED}" == str(SubscriptionStatus.EXPIRED) == "expired"
    assert wire_enums.WireBillingCycle.parse("Triennial") is wire_enums.WireBillingCycle.TRIENNIAL


@given(status=_unknown(SubscriptionStatus), cycle=_unknown(wire_enums.WireBillingCycle))
def test_a_listing_with_unknown_values_never_fails(status: str, cycle: str) -> None:
    """The client lists subscriptions whose status and billing cycle are new to it."""
    later = [{"scheduledType": "Later", "actionType": status}]
    item = {"id": "s-1", "status": status, "billingCycle": cycle, "termDuration": "P5Y",
            "quantity": 1, "scheduledActions": later}  # fmt: skip
    body = {"totalCount": 1, "items": [item], "links": {}, "attributes": {}}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
    client = PartnerCenterClient(
        SandboxCredential(), base_url=API_BASE,
        http_client=httpx.Client(transport=transport, base_url=API_BASE),
    )  # fmt: skip
    (listed,) = client.subscriptions.list("c-1")
    assert isinstance(listed, Subscription)
    assert (listed.status, listed.billing_cycle, listed.term_duration) == (status, cycle, "P5Y")


@pytest.mark.parametrize("cycle", ["none", "biennial", "Unknown"])
def test_a_sale_of_a_subscription_billed_in_a_new_way_is_skipped_not_a_crash(cycle: str) -> None:
    import datetime as dt

    from csp_commerce.models.price import PriceList
    from csp_commerce.operations.sales import sale_for

    subscription = Subscription.model_validate(
        {"id": "s", "offerId": "o", "billingCycle": cycle, "termDuration": "P9Y",
         "creationDate": "2026-01-05T00:00:00Z", "status": "active", "quantity": 2}
    )  # fmt: skip
    start, end = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    assert sale_for(subscription, start, end, PriceList(), customer_reference="c") is None
