"""Generated from the route table (csp_commerce.models.routes): the sandbox serves every route
of the table, with the table's auth and query names, serves nothing else, and its OpenAPI
document is valid and names exactly the served routes."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from csp_commerce.models.routes import ROUTES, RouteSpec
from csp_commerce.sandbox import Sandbox, _http
from csp_commerce.sandbox.app import ROUTES as SERVED
from csp_commerce.sandbox.app import Response


def _ids(route: RouteSpec) -> str:
    return f"{route.method} {route.path}"


def _send(sandbox: Sandbox, route: RouteSpec, token: str | None) -> Response:
    path = route.path
    for name in route.path_params:
        path = path.replace("{" + name + "}", f"x-{name}")
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    body = b"{}" if route.method in ("POST", "PUT", "PATCH") else b""
    query = dict.fromkeys(route.query, "x")
    return sandbox.app.handle(route.method, path, query, headers, body)


def _routing_miss(response: Response) -> bool:
    """A 404/405 from routing itself (not a business 404 such as an unknown customer)."""
    if response.status == 405:
        return True
    if "xml" in response.headers.get("Content-Type", ""):
        return False  # storage's own answer (a blob route)
    is_json = "json" in response.headers.get("Content-Type", "application/json")
    body = response.json() if response.content and is_json else None
    return (
        response.status == 404
        and isinstance(body, dict)
        and str(body.get("description", "")).startswith("No operation")
    )


def _token(sandbox: Sandbox, route: RouteSpec) -> str | None:
    return {"admin": sandbox.admin_token, "none": None}.get(route.auth, "sandbox-user")


@pytest.mark.parametrize("route", ROUTES, ids=_ids)
def test_the_sandbox_serves_every_table_route(
    sandbox: Sandbox, route: RouteSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: set[str] = set()
    getitem = _http.QueryParams.__getitem__

    def recording(self: _http.QueryParams, key: str) -> str:
        asked.add(key.lower())
        return getitem(self, key)

    monkeypatch.setattr(_http.QueryParams, "__getitem__", recording)
    response = _send(sandbox, route, _token(sandbox, route))
    assert not _routing_miss(response), response.content
    assert response.status != 401, response.content
    # every query name a handler read is one the table lists
    assert asked <= {name.lower() for name in route.query}


@pytest.mark.parametrize("route", ROUTES, ids=_ids)
def test_the_sandbox_enforces_the_table_auth(sandbox: Sandbox, route: RouteSpec) -> None:
    if route.auth == "none":
        assert _send(sandbox, route, None).status == 200
        return
    if route.auth == "sas":  # no bearer token: a URL without a valid SAS is refused by storage
        assert _send(sandbox, route, None).status == 403
        assert _send(sandbox, route, "sandbox-user").status == 403
        return
    assert _send(sandbox, route, None).status == 401
    if route.auth == "admin":
        assert _send(sandbox, route, "sandbox-user").status == 401
    elif route.auth == "app+user":
        assert _send(sandbox, route, "sandbox-app").status == 401
    else:
        assert _send(sandbox, route, "sandbox-app").status != 401


def test_every_served_route_is_in_the_table() -> None:
    table = {route.key: route for route in ROUTES}
    served = {(route.method, route.template): route for route in SERVED}
    assert set(served) == set(table)
    for key, route in served.items():
        assert route.user == (table[key].auth == "app+user"), key
        assert route.public == (table[key].auth == "none"), key
        assert route.sas == (table[key].auth == "sas"), key
        assert route.template.startswith("/sandbox/") == (table[key].auth == "admin"), key


def test_the_table_has_no_duplicates_and_known_auth() -> None:
    keys = [route.key for route in ROUTES]
    assert len(keys) == len(set(keys))


def _document(sandbox: Sandbox) -> Any:
    response = sandbox.app.handle("GET", "/openapi.json", {}, {})
    assert response.status == 200
    return response.json()


def test_the_openapi_document_is_valid(sandbox: Sandbox) -> None:
    document = _document(sandbox)
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_the_openapi_document_names_exactly_the_served_routes(sandbox: Sandbox) -> None:
    document = _document(sandbox)
    import re

    documented = {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert documented == {(route.method, route.template) for route in SERVED}
    for path, operations in document["paths"].items():
        for operation in operations.values():
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == set(re.findall(r"\{([^}]+)\}", path))


def test_the_openapi_document_needs_no_token_and_no_fault_reaches_it(sandbox: Sandbox) -> None:
    from csp_commerce.sandbox.faults import FaultPlan

    sandbox.set_faults(FaultPlan(seed=1, server_error_rate=1.0))
    exchange = sandbox.app.exchange("GET", "/openapi.json", {}, {})
    assert exchange.delivered and exchange.response.status == 200


def test_the_openapi_response_schemas_are_the_wire_models(sandbox: Sandbox) -> None:
    from csp_commerce.provisioning.wire.responses import response_model

    document = _document(sandbox)
    schemas = document["components"]["schemas"]
    for route in ROUTES:
        model = response_model(route.response)
        if route.response in ("", "bool", "object", "pdf", "gzip", "pem", "string[]"):
            continue
        assert model is not None, f"{route.response} has no wire model"
        content = document["paths"][route.path][route.method.lower()]["responses"]
        schema = content[str(route.status)]["content"]["application/json"]["schema"]
        if "$ref" not in schema:  # a collection or an array: the items' schema
            schema = schema.get("items") or schema["properties"]["items"]["items"]
        target = schemas[schema["$ref"].rsplit("/", 1)[1]]
        declared = {info.alias or name for name, info in model.model_fields.items()}
        assert declared <= set(target["properties"]), route.response
