#!/usr/bin/env python3
"""Render docs/endpoints.md from the route table (csp_commerce.models.routes), and
csp_commerce/data/wire_schemas.json (the response schemas the sandbox's /openapi.json serves)
from the client's wire models (csp_commerce.provisioning.wire.responses).

``scripts/render_endpoints.py`` rewrites both files; ``--check`` exits 1 when either differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from csp_commerce.models.routes import ROUTES, RouteSpec
from csp_commerce.provisioning.wire.responses import response_schemas

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "endpoints.md"
SCHEMAS = ROOT / "csp_commerce" / "data" / "wire_schemas.json"
AUTH = {"app": "app", "app+user": "A+U", "admin": "admin", "sas": "SAS", "none": "none"}
HEAD = '# The Partner Center surface csp_commerce speaks\n\nThe client (`csp_commerce/provisioning/`) and the sandbox (`csp_commerce/sandbox/`) both follow\nthis table: paths are relative to the cloud\'s API base, bodies and responses are Partner Center\'s\ncamelCase JSON (see `../shared/reference/partner-center-api.md` for the fields). "A+U" marks\noperations that need an app+user token; the others accept app-only or app+user.\n\nCollections are `{"totalCount": n, "items": [...], "links": {"next": {"uri", "method", "headers": [{"key": "MS-ContinuationToken", "value": "..."}]}}, "attributes": {"objectType": "Collection"}}`.\nSeek-paged collections (customers, users, invoice line items) send `links.next` while more remain;\nthe client GETs `links.next.uri` with its headers until `links.next` is absent.\n\nRouting (both Partner Center and the sandbox): the literal segments of a path match in any case\n(ids keep theirs), one trailing slash is tolerated, query names match in any case and unknown\nquery parameters are ignored.\n\nErrors: `{"code": <int>, "description": "...", "data": [], "source": "PartnerFD"}` with the HTTP\nstatus; throttling is `429` with `Retry-After: <seconds>` and body\n`{"statusCode": 429, "message": "Rate limit is exceeded. Try again in N seconds."}`.\n\n'  # noqa: E501
GRAPH = 'Billing reconciliation v2 is Microsoft Graph\'s, not Partner Center\'s: its paths (`/reports/partners/billing/...`) are\nrelative to the cloud\'s Graph base (`https://graph.microsoft.com/v1.0`, global cloud only) and take a Graph token; its\nerrors are `{"error": {"code", "message"}}`. The blobs of an export are read from the manifest\'s `rootDirectory` with its\n`sasToken` and no bearer token ("SAS"); the sandbox serves them under `/storage/exports/...` on its own base, and Graph\'s\nroutes both there and under `/v1.0/reports/...`.\n\n'  # noqa: E501
TAIL = "Sandbox-only administration (not Partner Center's): `POST /sandbox/v1/customers/{c}/relationship/accept`\n(the tenant's admin accepts the invitation), `POST /sandbox/v1/tenants` (an existing tenant the partner\nhas no relationship with yet), `GET /sandbox/v1/state` and `PUT /sandbox/v1/state` (save / load the\nworld), `PUT /sandbox/v1/faults` (fault rates, latency, rate limits), `POST /sandbox/v1/resellers`,\n`POST /sandbox/v1/customers/{c}/qualifications`, `POST /sandbox/v1/invoices`. Each needs\n`Authorization: Bearer <sandbox admin token>` (`Sandbox.admin_token`; `sandbox serve` prints it or\ntakes `--admin-token`); without it, 401 code 800001. Partner tokens are refused there.\n\nTokens the sandbox accepts: `Bearer sandbox-app` (app-only), `Bearer sandbox-user` (app+user) and\n`Bearer sandbox-user-nomfa` (app+user signed in without MFA: every Partner Center route answers 401 code\n900421, as Partner Center does since 2026); an\nA+U operation with an app-only token is refused with 401 code 800001, as Partner Center does. The\ntoken is checked before an `MS-RequestId` is replayed, and a replay goes only to the token that sent\nthe first request.\n"  # noqa: E501


def _row(route: RouteSpec) -> str:
    query = ", ".join(f"`{name}`" for name in route.query)
    client = ", ".join(f"`client.{name}`" for name in route.client)
    cells = [
        route.resource,
        route.method,
        f"`{route.path}`",
        query,
        AUTH[route.auth],
        f"{route.status} `{route.response}`" if route.response else str(route.status),
        client,
        route.notes.replace("|", "\\|"),
    ]
    return "| " + " | ".join(cells) + " |"


def render() -> str:
    """The whole of docs/endpoints.md."""
    header = "| resource | method | path | query | auth | answer | client | notes |"
    lines = [header, "|---|---|---|---|---|---|---|---|"]
    lines += [_row(route) for route in ROUTES if not route.sandbox_only]
    sandbox = ["", "The sandbox's own routes:", "", header, lines[1]]
    sandbox += [_row(route) for route in ROUTES if route.sandbox_only]
    return HEAD + "\n".join(lines + sandbox) + "\n\n" + GRAPH + TAIL


def render_schemas() -> str:
    """The whole of csp_commerce/data/wire_schemas.json."""
    return json.dumps(response_schemas(), indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    outputs = {TARGET: render(), SCHEMAS: render_schemas()}
    if "--check" in argv:
        same = all(path.read_text(encoding="utf-8") == text for path, text in outputs.items())
        return 0 if same else 1
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
