"""The route table (:mod:`csp_commerce.models.routes`) as an OpenAPI 3.1 document.

The sandbox serves it at ``GET /openapi.json`` (no token needed) so a host can generate a
client for the sandbox, and so for Partner Center's surface the project speaks, in any language.
Response bodies are the JSON schemas of the client's wire models, rendered into
``csp_commerce/data/wire_schemas.json`` by ``scripts/render_endpoints.py`` (the sandbox may not
import the client); request bodies are described as ``type: object``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from csp_commerce.models.routes import ROUTES, RouteSpec

_COLLECTION = re.compile(r"Collection\[(\w+)\]")
_ARRAY = re.compile(r"(\w+)\[\]")


@lru_cache(maxsize=1)
def wire_schemas() -> dict[str, Any]:
    """``{"responses": {name: schema}, "schemas": {schema: JSON schema}}`` (rendered data)."""
    from importlib.resources import files

    text = files("csp_commerce").joinpath("data", "wire_schemas.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _schema(response: str, schemas: dict[str, Any]) -> dict[str, Any] | None:
    def ref(name: str) -> dict[str, Any]:
        rendered = wire_schemas()
        schema = rendered["responses"].get(name)
        if schema is None:
            schemas.setdefault(name, {"type": "object", "title": name})
            return {"$ref": f"#/components/schemas/{name}"}
        return {"$ref": f"#/components/schemas/{schema}"}

    if not response:
        return None
    if response == "bool":
        return {"type": "boolean"}
    if response == "object":
        return {"type": "object"}
    if response in _DOCUMENTS:
        return None  # a document, not JSON: described by the operation
    if response == "string[]":
        return {"type": "array", "items": {"type": "string"}}
    found = _COLLECTION.fullmatch(response)
    if found:
        return {
            "type": "object",
            "properties": {
                "totalCount": {"type": "integer"},
                "items": {"type": "array", "items": ref(found.group(1))},
                "links": {"type": "object"},
                "attributes": {"type": "object"},
            },
            "required": ["items"],
        }
    found = _ARRAY.fullmatch(response)
    if found:
        return {"type": "array", "items": ref(found.group(1))}
    return ref(response)


_DOCUMENTS = {
    "pdf": "application/pdf",
    "pem": "application/x-pem-file",
    "gzip": "application/octet-stream",
}


def _operation_id(route: RouteSpec) -> str:
    words = re.findall(r"[A-Za-z0-9]+", route.path.replace("{", "by ").replace("}", ""))
    return route.method.lower() + "".join(word[:1].upper() + word[1:] for word in words)


def _operation(route: RouteSpec, schemas: dict[str, Any]) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in route.path_params
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in route.query
    ]
    answer: dict[str, Any] = {"description": route.response or "no body"}
    schema = _schema(route.response, schemas)
    if route.response in _DOCUMENTS:
        document = {"schema": {"type": "string", "format": "binary"}}
        answer["content"] = {_DOCUMENTS[route.response]: document}
    elif schema is not None:
        answer["content"] = {"application/json": {"schema": schema}}
    responses: dict[str, Any] = {str(route.status): answer}
    if route.method == "HEAD":
        responses["404"] = {"description": "not found"}
    if route.auth == "sas":
        responses["403"] = {"description": "the SAS token is missing, wrong or expired"}
    elif route.auth != "none":
        responses["401"] = {"description": "the token is missing or not valid for the operation"}
    operation: dict[str, Any] = {
        "operationId": _operation_id(route),
        "summary": route.resource,
        "tags": ["sandbox" if route.sandbox_only else "partner-center"],
        "parameters": parameters,
        "responses": responses,
    }
    if route.notes:
        operation["description"] = route.notes
    if route.method in ("POST", "PUT", "PATCH"):
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    if route.auth == "admin":
        operation["security"] = [{"sandboxAdmin": []}]
    elif route.auth in ("none", "sas"):
        operation["security"] = []
        if route.auth == "sas":
            operation["x-auth"] = "sas"
    else:
        operation["security"] = [{"partner": []}]
        operation["x-auth"] = route.auth
    return operation


def openapi_document(routes: tuple[RouteSpec, ...] = ROUTES) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``routes`` (JSON-ready)."""
    schemas: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "csp_commerce sandbox (Partner Center emulation)",
            "version": "1",
            "description": "Partner Center's routes the project speaks, and the sandbox's own. "
            "Partner tokens: `sandbox-app` (app-only) and `sandbox-user` (app+user); "
            "`x-auth: app+user` marks operations an app-only token may not call.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "partner": {"type": "http", "scheme": "bearer"},
                "sandboxAdmin": {"type": "http", "scheme": "bearer"},
            },
            "schemas": dict(sorted({**wire_schemas()["schemas"], **schemas}.items())),
        },
    }
