"""Generated from the route table (csp_commerce.models.routes): every client operation sends a
route of the table, with the table's query names and auth, and the table's ``client`` column
names exactly the operations that send each route."""

from __future__ import annotations

import inspect
import re
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any
from unittest.mock import MagicMock

import pytest

from csp_commerce.models.routes import ROUTES, RouteSpec
from csp_commerce.provisioning._core import Call, PageSpec, Wait
from csp_commerce.provisioning.client import PartnerCenterClient
from csp_commerce.provisioning.resources._resource import listing, operation
from csp_commerce.provisioning.resources.reconciliation import Accepted, Polled
from csp_commerce.provisioning.wire import ExportOperation, Subscription
from csp_commerce.provisioning.wire.gdap import GraphPage


def _operations() -> list[tuple[str, Any]]:
    found = []
    for attribute, value in vars(PartnerCenterClient).items():
        func = getattr(value, "func", None)
        if func is None:
            continue
        resource_class = type(func(None))  # functools.cached_property around resource(kind)
        for name in dir(resource_class):
            descriptor = inspect.getattr_static(resource_class, name)
            if isinstance(descriptor, (operation, listing)):
                found.append((f"{attribute}.{name}", descriptor))
    return found


OPERATIONS = _operations()


def _argument(parameter: inspect.Parameter) -> Any:
    name = parameter.name
    if name == "items":
        return []
    if name in ("line_items",):
        return [MagicMock(line_item_number=0, participants=[])]
    if name == "cart":
        return SimpleNamespace(id="x-cart", to_wire=dict)
    if name in ("subscription",):
        return {"id": "x-subscription", "attributes": {"etag": "e"}}
    if name in ("changes",):
        return {"quantity": 2}
    if name in ("quantity",):
        return 2
    if name in ("enabled",):
        return True
    if name in ("start", "end", "date_agreed"):
        return datetime.now(timezone.utc)
    if name == "assign":
        return ["x-sku"]
    if name in ("billing_profile", "contact", "address"):
        return MagicMock()
    if parameter.default is not inspect.Parameter.empty:
        return parameter.default
    return f"x-{name.replace('_', '-')}"


def _calls(descriptor: Any) -> list[Call[Any]]:
    build = descriptor.build
    args, kwargs = [], {}
    for parameter in inspect.signature(build).parameters.values():
        value = _argument(parameter)
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = value
        else:
            args.append(value)
    built = build(*args, **kwargs)
    if isinstance(built, Call):
        return [built]
    if isinstance(built, PageSpec):
        return [built.first]
    calls = []  # a flow: answer each step as read (an export: its answers; GDAP: a page)
    read = Subscription.model_validate({"id": "x-subscription-id", "quantity": 1})
    try:
        step = next(built)
        while True:
            if isinstance(step, Wait):
                step = built.send(None)
                continue
            calls.append(step)
            step = built.send(_graph_answer(step) if step.graph else read)
    except StopIteration:
        pass
    return calls


def _graph_answer(call: Call[Any]) -> Any:
    if "/tenantRelationships/" in call.path:  # GDAP: one (empty) page
        return GraphPage()
    if call.method == "POST":
        return Accepted("https://graph.microsoft.com/v1.0/reports/partners/billing/operations/x", 1)
    manifest = {
        "eTag": "e",
        "blobCount": 0,
        "rootDirectory": "https://blobs.example/x",
        "sasToken": "sig=x",
    }
    done = ExportOperation.model_validate({"status": "succeeded", "resourceLocation": manifest})
    return Polled(done, None, "x-request")


def _route_of(call: Call[Any]) -> RouteSpec | None:
    """The table route ``call`` sends (a literal segment wins over an id, as in routing)."""
    matches = [
        route
        for route in ROUTES
        if route.method == call.method
        and re.fullmatch(re.escape(route.shape).replace(r"\{\}", "[^/]+"), call.path)
    ]
    return min(matches, key=lambda route: len(route.path_params), default=None)


@pytest.mark.parametrize(("name", "descriptor"), OPERATIONS, ids=[n for n, _ in OPERATIONS])
def test_every_client_operation_sends_a_table_route(name: str, descriptor: Any) -> None:
    calls = _calls(descriptor)
    assert calls
    for call in calls:
        route = _route_of(call)
        assert route is not None, f"{name}: {call.method} {call.path} is not in the table"
        assert not route.sandbox_only
        assert set(call.params or {}) <= set(route.query), name
        assert call.app_user == (route.auth == "app+user"), name
        if isinstance(descriptor, listing):
            assert route.response.startswith("Collection["), name
    writes = [call for call in calls if call.method != "GET"] or calls
    assert name in _route_of(writes[-1]).client  # type: ignore[union-attr]


def test_the_table_client_column_names_real_operations() -> None:
    names = {name for name, _ in OPERATIONS}
    listed = {name for route in ROUTES for name in route.client}
    assert listed == names
