"""Routing and the service's cross-cutting behaviour: auth, MS-RequestId replay, throttling, faults.

:meth:`App.exchange` is what both front ends (the httpx transport and the HTTP server) call: it
applies the rate limits and the fault plan, runs the handler and says whether the answer must be
lost on the way back (timeouts, resets, commit-then-drop).

Every request is authenticated before anything else is looked at: Partner Center's routes take
the partner tokens (:data:`TOKENS`), the sandbox's own ``/sandbox/v1/...`` routes take the
sandbox admin token only. A write's ``MS-RequestId`` is replayed only after that, and only to the
caller that first sent it. When ``on_change`` is set it is called after every write that reached
a handler, before the answer leaves (the embedded sandbox saves its world there).
"""

from __future__ import annotations

import hmac
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from csp_commerce.errors import EmulatedError
from csp_commerce.sandbox import (
    admin_routes,
    audit_routes,
    billing_export_routes,
    commerce_routes,
    coterm_routes,
    customer_routes,
    gdap_routes,
    invoice_routes,
    openapi,
    promotion_routes,
    transfer_routes,
    transition_routes,
    webhook_routes,
)
from csp_commerce.sandbox._http import (
    API_VERSION_HEADERS,
    Context,
    QueryParams,
    Reply,
    Request,
)
from csp_commerce.sandbox.faults import Fault, Throttled
from csp_commerce.sandbox.state import RecordedOutcome

Handler = Callable[[Context, Request], Reply]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TOKENS = {"sandbox-app": False, "sandbox-user": True, "sandbox-user-nomfa": True}  # -> A+U
#: App+user tokens signed in without MFA: Partner Center refuses them (401, code 900421).
NO_MFA_TOKENS = frozenset({"sandbox-user-nomfa"})
MFA_REQUIRED_CODE = 900421
ADMIN_PREFIX = "/sandbox/"
OPENAPI_PATH = "/openapi.json"
#: Graph's version segment: a client on Graph's real base reaches the sandbox's /reports/...
#: Graph's version segment: a client on Graph's real base (``.../v1.0``) reaches the sandbox's
#: Graph routes (``/reports/...``, ``/tenantRelationships/...``) with it.
GRAPH_VERSIONED = ("/v1.0/reports/", "/v1.0/tenantrelationships/")
_PUBLIC_PATHS = frozenset({OPENAPI_PATH, webhook_routes.CERTIFICATE_PATH, webhook_routes.ROOT_PATH})
_CUSTOMER_PATH = re.compile(r"/v1/customers/([^/?]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    """One operation: method + path pattern → handler; ``user`` marks A+U-only operations.

    ``template`` is the path with ``{}`` for each id; :meth:`canonical` fills it in.
    """

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    user: bool = False
    template: str = ""
    public: bool = False
    sas: bool = False

    def canonical(self, params: tuple[str, ...]) -> str:
        """The path as the route spells it: literal segments lower-case, no trailing slash."""
        return self.template.format(*params) if self.template else ""


def _route(
    method: str,
    template: str,
    handler: Handler,
    *,
    user: bool = False,
    public: bool = False,
    sas: bool = False,
) -> Route:
    # Partner Center's routing ignores the case of the literal segments and tolerates one
    # trailing slash; ids keep their case (the captured groups are the text as sent).
    pattern = re.escape(template).replace(r"\{\}", "([^/]+)") + "/?"
    return Route(method, re.compile(pattern, re.IGNORECASE), handler, user, template, public, sas)


def _is_admin(path: str) -> bool:
    """Whether ``path`` is one of the sandbox's own routes (whatever its case)."""
    return path[: len(ADMIN_PREFIX)].lower() == ADMIN_PREFIX


def _is_public(path: str) -> bool:
    """Whether ``path`` is the sandbox's OpenAPI document or a webhook certificate (no token,
    no faults)."""
    return path.rstrip("/").lower() in _PUBLIC_PATHS


def _openapi(ctx: Context, req: Request) -> Reply:
    return Reply(200, openapi.openapi_document())


C = "/v1/customers/{}"
GDAP = gdap_routes.PATH
ROUTES: tuple[Route, ...] = (
    # customers, domains, addresses
    _route(
        "GET", "/v1/customers/relationshiprequests", customer_routes.relationship_request, user=True
    ),
    _route("POST", "/v1/customers", customer_routes.create_customer),
    _route("GET", "/v1/customers", customer_routes.list_customers),
    _route("GET", C, customer_routes.get_customer),
    _route("GET", C + "/profiles/company", customer_routes.company_profile),
    _route("GET", C + "/profiles/billing", customer_routes.billing_profile),
    _route("HEAD", "/v1/domains/{}", customer_routes.domain_exists),
    _route("POST", "/v1/validations/address", customer_routes.validate_address),
    _route(
        "GET",
        "/v1/validations/checkdomainavailability/{}",
        customer_routes.check_domain_availability,
    ),
    _route("GET", "/v1/countryvalidationrules/{}", customer_routes.country_rules),
    # agreements, qualifications, relationships, resellers
    _route("GET", "/v1/agreements", customer_routes.agreement_templates, user=True),
    _route("POST", C + "/agreements", customer_routes.create_agreement, user=True),
    _route("GET", C + "/agreements", customer_routes.list_agreements, user=True),
    _route("GET", C + "/qualifications", customer_routes.list_qualifications),
    _route("POST", C + "/qualifications", customer_routes.create_qualification, user=True),
    _route("GET", "/v1/relationships", customer_routes.list_resellers, user=True),
    _route("GET", C + "/relationships", customer_routes.customer_resellers, user=True),
    _route("GET", "/v1/profiles/mpn", customer_routes.mpn_profile, user=True),
    _route("GET", "/v1/compliance/csp/agreementstatus", customer_routes.mpa_status, user=True),
    # orders, carts, subscriptions
    _route("POST", C + "/orders", commerce_routes.create_order),
    _route("GET", C + "/orders", commerce_routes.list_orders),
    _route("GET", C + "/orders/{}", commerce_routes.get_order),
    _route(
        "GET", C + "/orders/{}/provisioningstatus", commerce_routes.provisioning_status, user=True
    ),
    _route("POST", C + "/carts", commerce_routes.create_cart),
    _route("GET", C + "/carts/{}", commerce_routes.get_cart),
    _route("PUT", C + "/carts/{}", commerce_routes.update_cart),
    _route("POST", C + "/carts/{}/checkout", commerce_routes.checkout),
    _route("GET", C + "/subscriptions", commerce_routes.list_subscriptions),
    # before C/subscriptions/{}: a literal segment wins over an id
    _route("GET", C + "/subscriptions/customTermEndDates", coterm_routes.list_end_dates),
    _route("GET", C + "/subscriptions/{}", commerce_routes.get_subscription),
    _route("PATCH", C + "/subscriptions/{}", commerce_routes.update_subscription),
    _route("GET", C + "/subscriptions/{}/addons", commerce_routes.list_addons),
    _route(
        "GET",
        C + "/subscriptions/{}/provisioningstatus",
        commerce_routes.subscription_provisioning_status,
        user=True,
    ),
    # upgrades (transitions) and partner-to-partner transfers
    _route("GET", C + "/subscriptions/{}/transitionEligibilities", transition_routes.eligibilities),
    _route("POST", C + "/subscriptions/{}/transitions", transition_routes.create),
    _route("GET", C + "/subscriptions/{}/transitions", transition_routes.list_transitions),
    _route("GET", C + "/transfers", transfer_routes.list_transfers),
    _route("POST", C + "/transfers", transfer_routes.create_transfer),
    _route("GET", C + "/transfers/{}", transfer_routes.get_transfer),
    _route("PATCH", C + "/transfers/{}", transfer_routes.update_transfer),
    # users and licences
    _route("POST", C + "/users", customer_routes.create_user, user=True),
    _route("GET", C + "/users", customer_routes.list_users, user=True),
    _route("GET", C + "/users/{}", customer_routes.get_user, user=True),
    _route("PATCH", C + "/users/{}", customer_routes.update_user, user=True),
    _route("DELETE", C + "/users/{}", customer_routes.delete_user, user=True),
    _route("GET", C + "/users/{}/directoryroles", customer_routes.user_directory_roles, user=True),
    _route("POST", C + "/users/{}/licenseupdates", customer_routes.update_licenses, user=True),
    _route("GET", C + "/users/{}/licenses", customer_routes.user_licenses, user=True),
    _route("GET", C + "/subscribedskus", customer_routes.subscribed_skus, user=True),
    # invoices and catalog
    _route("GET", "/v1/invoices", invoice_routes.list_invoices),
    _route("GET", "/v1/invoices/{}", invoice_routes.get_invoice),
    _route("GET", "/v1/invoices/{}/lineitems", invoice_routes.invoice_lines),
    _route("GET", "/v1/invoices/{}/documents/statement", invoice_routes.statement),
    _route("GET", "/v1/auditrecords", audit_routes.list_audit_records),
    _route("GET", "/v1/products", commerce_routes.list_products),
    _route("GET", "/v1/products/{}", commerce_routes.get_product),
    _route("GET", "/v1/products/{}/skus", commerce_routes.list_skus),
    _route("GET", "/v1/products/{}/skus/{}", commerce_routes.get_sku),
    _route("GET", "/v1/products/{}/skus/{}/availabilities", commerce_routes.list_availabilities),
    _route(
        "GET",
        "/v1/products/{}/skus/{}/availabilities/{}",
        commerce_routes.get_availability,
    ),
    _route("GET", "/v1/productpromotions", promotion_routes.list_promotions),
    _route("GET", "/v1/productpromotions/{}", promotion_routes.get_promotion),
    _route("POST", C + "/promotionEligibilities", promotion_routes.check_eligibilities),
    # billing reconciliation v2 (Microsoft Graph) and its blobs (a SAS URL, no bearer token)
    _route(
        "POST",
        "/reports/partners/billing/reconciliation/billed/export",
        billing_export_routes.billed_export,
    ),
    _route(
        "POST",
        "/reports/partners/billing/reconciliation/unbilled/export",
        billing_export_routes.unbilled_export,
    ),
    _route(
        "POST", "/reports/partners/billing/usage/billed/export", billing_export_routes.billed_export
    ),
    _route(
        "POST",
        "/reports/partners/billing/usage/unbilled/export",
        billing_export_routes.unbilled_export,
    ),
    _route("GET", "/reports/partners/billing/operations/{}", billing_export_routes.get_operation),
    _route("GET", "/storage/exports/{}/{}", billing_export_routes.get_blob, sas=True),
    # webhooks
    _route("POST", "/webhooks/v1/registration", webhook_routes.register),
    _route("GET", "/webhooks/v1/registration", webhook_routes.get_registration),
    _route("PUT", "/webhooks/v1/registration", webhook_routes.update_registration),
    _route("DELETE", "/webhooks/v1/registration", webhook_routes.delete_registration),
    _route("GET", "/webhooks/v1/registration/events", webhook_routes.supported_events),
    _route("POST", "/webhooks/v1/registration/validationEvents", webhook_routes.send_test_event),
    _route(
        "GET", "/webhooks/v1/registration/validationEvents/{}", webhook_routes.test_event_status
    ),
    # GDAP on Microsoft Graph
    _route("POST", GDAP, gdap_routes.create_relationship),
    _route("GET", GDAP, gdap_routes.list_relationships),
    _route("GET", GDAP + "/{}", gdap_routes.get_relationship),
    _route("POST", GDAP + "/{}/requests", gdap_routes.post_request),
    _route("GET", GDAP + "/{}/operations", gdap_routes.list_operations),
    _route("POST", GDAP + "/{}/accessAssignments", gdap_routes.create_assignment, user=True),
    _route("GET", GDAP + "/{}/accessAssignments", gdap_routes.list_assignments, user=True),
    _route("GET", GDAP + "/{}/accessAssignments/{}", gdap_routes.get_assignment, user=True),
    _route("PATCH", GDAP + "/{}/accessAssignments/{}", gdap_routes.update_assignment, user=True),
    _route("DELETE", GDAP + "/{}/accessAssignments/{}", gdap_routes.delete_assignment, user=True),
    # sandbox administration (the admin token only; no faults, no throttling)
    _route("POST", "/sandbox/v1/tenants", admin_routes.post_tenant),
    _route("POST", "/sandbox/v1/customers/{}/relationship/accept", admin_routes.post_accept),
    _route("POST", "/sandbox/v1/customers/{}/qualifications", admin_routes.post_qualification),
    _route("POST", "/sandbox/v1/resellers", admin_routes.post_reseller),
    _route("POST", "/sandbox/v1/invoices", admin_routes.post_invoice),
    _route("POST", "/sandbox/v1/webhooks/events", webhook_routes.post_event),
    _route("POST", "/sandbox/v1/gdap/{}/approve", gdap_routes.approve),
    _route(
        "POST", "/sandbox/v1/gdap/reseller-relationships", gdap_routes.add_reseller_relationship
    ),
    _route("POST", "/sandbox/v1/clock", admin_routes.post_clock),
    _route("GET", "/sandbox/v1/state", admin_routes.get_state),
    _route("PUT", "/sandbox/v1/state", admin_routes.put_state),
    _route("PUT", "/sandbox/v1/faults", admin_routes.put_faults),
    # the webhook certificates (no token: receivers fetch them)
    _route("GET", webhook_routes.CERTIFICATE_PATH, webhook_routes.certificate, public=True),
    _route("GET", webhook_routes.ROOT_PATH, webhook_routes.root, public=True),
    # the route table as an OpenAPI 3.1 document (no token; no faults, no throttling)
    _route("GET", OPENAPI_PATH, _openapi, public=True),
)


@dataclass
class Response:
    """A complete answer: status, headers and the encoded body."""

    status: int
    headers: dict[str, str]
    content: bytes = b""

    def json(self) -> Any:
        """The body decoded (None when empty)."""
        return json.loads(self.content) if self.content else None


@dataclass
class Exchange:
    """The outcome of one request: the answer, and the fault that may swallow it."""

    response: Response
    fault: Fault | None = None
    latency: float = 0.0

    @property
    def delivered(self) -> bool:
        """Whether the caller receives ``response`` (False: timeout, reset or dropped)."""
        return self.fault is None or self.fault is Fault.SERVER_ERROR


@dataclass
class App:
    """The emulated service: one lock around the world keeps every handler atomic.

    ``admin_token`` is the bearer token the ``/sandbox/v1/...`` routes require (None: they
    refuse every request); ``on_change`` runs, under the lock, after each write that reached a
    handler and before its answer is returned; if it raises ``OSError`` the caller gets a 500.
    """

    ctx: Context
    routes: tuple[Route, ...] = ROUTES
    lock: threading.Lock = field(default_factory=threading.Lock)
    admin_token: str | None = None
    on_change: Callable[[], None] | None = None
    _by_method: dict[str, list[Route]] = field(init=False, default_factory=dict)
    _changed: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        for route in self.routes:
            self._by_method.setdefault(route.method, []).append(route)

    def exchange(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> Exchange:
        """Serve one request with throttling and faults; see :class:`Exchange`."""
        method = method.upper()
        lower = {key.lower(): value for key, value in headers.items()}
        with self.lock:
            if _is_admin(path) or _is_public(path):
                return Exchange(self._settle(self._serve(method, path, query, lower, body), lower))
            injector = self.ctx.injector
            latency = injector.latency()
            match = _CUSTOMER_PATH.match(path)
            customer = match.group(1) if match else None
            if customer is not None and customer.lower() == "relationshiprequests":
                customer = None
            throttled = injector.throttle(customer)
            if throttled is not None:
                return Exchange(_throttle_response(throttled, lower), latency=latency)
            fault = injector.draw()
            if fault is Fault.THROTTLE:
                retry = Throttled(injector.plan.injected_retry_after_seconds, "injected")
                return Exchange(_throttle_response(retry, lower), None, latency)
            if fault is Fault.SERVER_ERROR:
                status = injector.server_error_status()
                error = EmulatedError(status, status, "The service is temporarily unavailable.")
                error.extra["isRetryable"] = True
                return Exchange(_encode(Reply(status, error.body()), _echo(lower)), fault, latency)
            if fault in (Fault.TIMEOUT, Fault.CONNECTION_RESET):
                return Exchange(Response(0, {}), fault, latency)
            response = self._settle(self._serve(method, path, query, lower, body), lower)
            return Exchange(response, fault, latency)

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> Response:
        """Serve one request without throttling or faults (the service alone)."""
        lower = {key.lower(): value for key, value in headers.items()}
        with self.lock:
            return self._settle(self._serve(method.upper(), path, query, lower, body), lower)

    def after_change(self) -> None:
        """Tell ``on_change`` the world changed outside a request (call it under the lock)."""
        if self.on_change is not None:
            self.on_change()

    # -- internals -----------------------------------------------------------------------------

    def _settle(self, response: Response, headers: Mapping[str, str]) -> Response:
        """Run ``on_change`` after a write, before the answer goes out."""
        if not self._changed:
            return response
        self._changed = False
        try:
            self.after_change()
        except OSError as error:
            failure = EmulatedError(500, 500, f"The sandbox could not save the change: {error}")
            failure.extra["isRetryable"] = True
            return _encode(Reply(500, failure.body()), _echo(headers))
        return response

    def _serve(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: dict[str, str],
        body: bytes,
    ) -> Response:
        echo = _echo(headers)
        admin = _is_admin(path)
        if path.lower().startswith(GRAPH_VERSIONED):
            path = path[len("/v1.0") :]  # Graph's /v1.0/reports/... as /reports/...
        route, params = self._match(method, path)
        if route is None:
            status = 405 if params else 404
            error = EmulatedError(
                status, 1000 if status == 404 else 405, f"No operation {method} {path}"
            )
            return _encode(Reply(status, error.body()), echo)
        # Authentication comes before anything else, the replay of a request id included.
        token = _bearer(headers)
        user = False
        caller = token
        if route.public or route.sas:
            pass  # no token (a blob's SAS is checked by its handler)
        elif admin:
            if token is None or self.admin_token is None or not _same(token, self.admin_token):
                return _unauthorised("The sandbox admin token is missing or not valid.", echo)
        else:
            kind = None if token is None else TOKENS.get(token)
            if kind is None:
                return _unauthorised("The partner token is missing or not valid.", echo)
            if route.user and not kind:
                return _unauthorised("This operation needs an app+user token.", echo)
            if token in NO_MFA_TOKENS and not route.template.startswith("/reports/"):
                # Partner Center refuses app+user calls without an MFA claim (from 2026).
                error = EmulatedError(
                    401,
                    MFA_REQUIRED_CODE,
                    "The access token does not have the MFA claim: sign in with multi-factor "
                    "authentication.",
                )
                return _encode(Reply(401, error.body()), echo)
            user = kind
        # One operation has one path whatever the spelling of its literal segments: the replay
        # of a request id and the audit log see the route's own spelling.
        path = route.canonical(params) or path
        request_id = headers.get("ms-requestid")
        remembered = method in WRITE_METHODS and bool(request_id) and not admin
        world = self.ctx.world
        if remembered:
            recorded = world.requests.get(str(request_id))
            if recorded is not None:
                if (recorded.method, recorded.path) != (method, path) or (
                    recorded.caller and recorded.caller != caller
                ):
                    # Undocumented: a request id reused for another operation is refused; the
                    # sandbox also refuses one reused by another caller (and never shows it
                    # the first caller's answer).
                    error = EmulatedError(
                        400, 2000, "The MS-RequestId was already used for a different request."
                    )
                    return _encode(Reply(400, error.body()), echo)
                return Response(
                    recorded.status, {**recorded.headers, **echo}, recorded.body.encode()
                )
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            error = EmulatedError(400, 2000, "The request body is not valid JSON.")
            return _encode(Reply(400, error.body()), echo)
        request = Request(method, path, QueryParams(query), headers, parsed, params, user)
        if method in WRITE_METHODS:
            self._changed = True
        try:
            reply = route.handler(self.ctx, request)
        except EmulatedError as error:
            reply = Reply(error.status, error.body())
        response = _encode(reply, echo)
        if method in WRITE_METHODS and not admin:
            audit_routes.record_write(self.ctx, method, path, reply.status, reply.body)
        if remembered:
            world.remember(
                str(request_id),
                RecordedOutcome(
                    method,
                    path,
                    response.status,
                    response.content.decode(),
                    dict(reply.headers),
                    caller or "",
                ),
            )
        return response

    def _match(self, method: str, path: str) -> tuple[Route | None, tuple[str, ...]]:
        for route in self._by_method.get(method, ()):
            found = route.pattern.fullmatch(path)
            if found:
                return route, found.groups()
        for routes in self._by_method.values():
            if any(route.pattern.fullmatch(path) for route in routes):
                return None, ("other method",)
        return None, ()


def _bearer(headers: Mapping[str, str]) -> str | None:
    """The bearer token of a request (lower-case header names), or None."""
    value = headers.get("authorization", "")
    if value[:7].lower() != "bearer ":
        return None
    return value[7:].strip() or None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _echo(headers: Mapping[str, str]) -> dict[str, str]:
    echo = dict(API_VERSION_HEADERS)
    for name in ("MS-RequestId", "MS-CorrelationId"):
        value = headers.get(name.lower())
        if value:
            echo[name] = value
    echo["MS-CV"] = "sandbox.0"
    return echo


def _encode(reply: Reply, echo: dict[str, str]) -> Response:
    if isinstance(reply.body, bytes):  # a document (the handler sets its Content-Type)
        return Response(reply.status, {**echo, **reply.headers}, reply.body)
    content = b"" if reply.body is None else json.dumps(reply.body).encode()
    return Response(reply.status, {**echo, **reply.headers}, content)


def _unauthorised(description: str, echo: dict[str, str]) -> Response:
    error = EmulatedError(401, 800001, description)
    return _encode(Reply(401, error.body(), {"WWW-Authenticate": 'Bearer realm="sandbox"'}), echo)


def _throttle_response(throttled: Throttled, headers: Mapping[str, str]) -> Response:
    seconds = throttled.retry_after
    body = {
        "statusCode": 429,
        "message": f"Rate limit is exceeded. Try again in {seconds} seconds.",
    }
    return _encode(Reply(429, body, {"Retry-After": str(seconds)}), _echo(headers))
