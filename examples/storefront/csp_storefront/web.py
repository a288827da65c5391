"""The storefront's pages: Starlette routes rendering Jinja2 templates, no JavaScript.

Every form that changes state carries a CSRF token (one per session, compared in constant
time); a post without it, or for a customer the user may not see, is answered 403. Templates
are autoescaped, and every response forbids scripts (``Content-Security-Policy``).
"""

from __future__ import annotations

import hmac
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from csp_commerce import BillingCycle, Problem, Segment, TermDuration, render_problem
from csp_storefront import forms, i18n
from csp_storefront.shop import (
    Forbidden,
    OrderEntry,
    Shop,
    ShopCustomer,
    UnknownCustomer,
    User,
)

TEMPLATES = Path(__file__).parent / "templates"
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'none'; style-src 'self' "
     b"'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]  # fmt: skip


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(shop: Shop, *, secret_key: str | None = None) -> Starlette:
    """The storefront on ``shop`` (its back office)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True)
    )
    templates = Jinja2Templates(env=environment)
    pages = Pages(shop, templates)
    routes = [
        Route("/", pages.home),
        Route("/signin", pages.signin, methods=["GET", "POST"]),
        Route("/signout", pages.signout, methods=["POST"]),
        Route("/language", pages.language, methods=["POST"]),
        Route("/customers", pages.customers),
        Route("/customers/new", pages.new_customer, methods=["GET", "POST"]),
        Route("/customers/{reference}", pages.customer),
        Route("/customers/{reference}/mca", pages.mca, methods=["POST"]),
        Route("/customers/{reference}/order", pages.order_form, methods=["GET", "POST"]),
        Route(
            "/customers/{reference}/subscriptions/{subscription_id}",
            pages.subscription,
            methods=["POST"],
        ),
        Route("/customers/{reference}/accept-invitation", pages.accept, methods=["POST"]),
        Route("/orders/{order_id}", pages.order),
        Route("/orders/{order_id}/retry", pages.retry, methods=["POST"]),
        Route("/orders/{order_id}/approve", pages.approve, methods=["POST"]),
        Route("/orders/{order_id}/reject", pages.reject, methods=["POST"]),
        Route("/approvals", pages.approvals),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=secret_key or secrets.token_urlsafe(32),
            same_site="strict",
            session_cookie="storefront",
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: pages.http_error},
    )
    app.state.shop = shop
    return app


class Pages:
    """The request handlers; each reads the signed-in user from the session."""

    def __init__(self, shop: Shop, templates: Jinja2Templates) -> None:
        self.shop = shop
        self.templates = templates

    # -- plumbing ---------------------------------------------------------------------------

    async def language(self, request: Request) -> Response:
        """The user's choice of language, kept in the session."""
        form = await self.form(request)
        chosen = str(form.get("language", ""))
        if chosen in i18n.LANGUAGES:
            request.session["language"] = chosen
        back = str(form.get("next", "/"))
        return RedirectResponse(back if back.startswith("/") and "//" not in back else "/", 303)

    def lang(self, request: Request) -> str:
        chosen = request.session.get("language")
        if chosen in i18n.LANGUAGES:
            return str(chosen)
        return i18n.negotiate(request.headers.get("accept-language"))

    def csrf(self, request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = secrets.token_urlsafe(32)
            request.session["csrf"] = token
        return str(token)

    async def form(self, request: Request) -> FormData:
        """The posted form, after its CSRF token is checked (403 without the session's)."""
        form = await request.form(max_files=0, max_fields=50)
        sent = str(form.get("csrf", ""))
        expected = request.session.get("csrf")
        if not expected or not hmac.compare_digest(sent.encode(), str(expected).encode()):
            raise HTTPException(403, "The form's security token is missing or wrong.")
        return form

    def user(self, request: Request) -> User:
        user = self.shop.user(request.session.get("user"))
        if user is None:
            raise HTTPException(303, headers={"location": "/signin"})
        return user

    def customer_of(self, user: User, reference: str) -> ShopCustomer:
        try:
            return self.shop.customer_for(user, reference)
        except Forbidden:
            raise HTTPException(403, "You may not act for this customer.") from None
        except UnknownCustomer:
            raise HTTPException(404, "There is no such customer.") from None

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        lang = self.lang(request)
        locale = i18n.LANGUAGES[lang]

        def problem_text(item: Problem) -> str:
            own = forms.storefront_message(item, lang)
            return own if own is not None else render_problem(item, locale)

        def money(amount: Decimal, currency: str) -> str:
            return format_currency(amount, currency, locale=locale)

        context.update(
            request=request,
            lang=lang,
            languages=list(i18n.LANGUAGES),
            t=lambda text: i18n.label(lang, text),
            csrf=self.csrf(request),
            problem_text=problem_text,
            money=money,
            when=lambda moment: format_datetime(moment, "medium", locale=locale),
            user=self.shop.user(request.session.get("user")),
        )
        response = self.templates.TemplateResponse(request, name, context, status_code=status)
        response.headers["content-language"] = lang
        return response

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 303 and exc.headers:
            return RedirectResponse(exc.headers["location"], 303)
        if exc.status_code in (403, 404):
            return self.render(
                request, "error.html", exc.status_code, code=exc.status_code, message=exc.detail
            )
        return PlainTextResponse(str(exc.detail), exc.status_code)

    # -- sign-in ----------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        self.user(request)
        return RedirectResponse("/customers", 303)

    async def signin(self, request: Request) -> Response:
        if request.method == "POST":
            form = await self.form(request)
            user = self.shop.user(str(form.get("user", "")))
            if user is None:
                return self.render(request, "signin.html", 400, people=self.shop.users())
            language = request.session.get("language")
            request.session.clear()
            request.session["user"] = user.key
            if language:
                request.session["language"] = language
            return RedirectResponse("/customers", 303)
        return self.render(request, "signin.html", people=self.shop.users())

    async def signout(self, request: Request) -> Response:
        await self.form(request)
        request.session.clear()
        return RedirectResponse("/signin", 303)

    # -- customers --------------------------------------------------------------------------

    async def customers(self, request: Request) -> Response:
        user = self.user(request)
        if user.role == "customer" and user.customer_reference:
            return RedirectResponse(f"/customers/{user.customer_reference}", 303)
        return self.render(request, "customers.html", customers=self.shop.visible_customers(user))

    async def new_customer(self, request: Request) -> Response:
        user = self.user(request)
        if user.role == "customer":
            raise HTTPException(403, "Customers cannot create customers.")
        link = request.query_params.get("link") == "1"
        context: dict[str, Any] = {
            "link": link,
            "resellers": self._resellers_for(user),
            "segments": [segment.value for segment in Segment],
            "values": {"country": "US"},
            "problems": {},
        }
        if request.method == "GET":
            return self.render(request, "customer_new.html", **context)
        form = await self.form(request)
        reseller_id = str(form.get("reseller", user.reseller_id or ""))
        if reseller_id not in {r.partner_id for r in context["resellers"]}:
            raise HTTPException(403, "You may not create customers for this reseller.")
        tenant_id = str(form.get("tenant_id", "")).strip() if link else None
        company = str(form.get("company_name", ""))
        checked, customer = forms.read_customer(
            _strings(form),
            self.shop.checkout.hooks,
            reference=self.shop.new_reference(company),
            tenant_id=tenant_id or None,
        )
        if link:
            found = forms.check_text("tenant_id", tenant_id or "", 64, True)
            if found is not None:
                checked.add(found)
                customer = None
        segment = _segment(str(form.get("segment", "commercial")))
        context.update(values={**checked.values, "tenant_id": tenant_id or ""})
        context.update(problems=checked.problems, selected=reseller_id, segment=segment.value)
        if customer is None:
            return self.render(request, "customer_new.html", 400, **context)
        self.shop.add_customer(customer, reseller_id, segment, linked=link)
        return RedirectResponse(f"/customers/{customer.reference}", 303)

    def _resellers_for(self, user: User) -> list[Any]:
        if user.role == "staff":
            return list(self.shop.resellers.values())
        return [self.shop.resellers[user.reseller_id]] if user.reseller_id else []

    async def customer(self, request: Request, **extra: Any) -> Response:
        user = self.user(request)
        shop_customer = self.customer_of(user, request.path_params["reference"])
        return self._customer_page(request, user, shop_customer, **extra)

    def _customer_page(
        self, request: Request, user: User, shop_customer: ShopCustomer, status: int = 200,
        **extra: Any,
    ) -> Response:  # fmt: skip
        extra.setdefault("mca_problems", {})
        extra.setdefault("subscription_problems", [])
        return self.render(
            request,
            "customer.html",
            status,
            customer=shop_customer,
            evidence=self.shop.mca_evidence(shop_customer),
            subscriptions=self.shop.subscriptions(user, shop_customer),
            orders=self.shop.orders_of(shop_customer),
            **extra,
        )

    async def mca(self, request: Request) -> Response:
        user = self.user(request)
        shop_customer = self.customer_of(user, request.path_params["reference"])
        form = await self.form(request)
        problems, contact = forms.read_contact(_strings(form))
        moment = forms.accepted_at(str(form.get("accepted_at", "")))
        if moment is None:
            problems["accepted_at"] = forms.problem("storefront.invalid", "accepted_at")
        if contact is None or moment is None:
            return self._customer_page(request, user, shop_customer, 400, mca_problems=problems)
        refused = self.shop.record_mca(user, shop_customer, contact, moment)
        if refused:
            by_field = {(p.field or "form").split(".")[-1]: p for p in refused}
            return self._customer_page(request, user, shop_customer, 400, mca_problems=by_field)
        return RedirectResponse(f"/customers/{shop_customer.reference}", 303)

    async def accept(self, request: Request) -> Response:
        """The sandbox only: the linked tenant's admin accepts the reseller invitation."""
        user = self.user(request)
        shop_customer = self.customer_of(user, request.path_params["reference"])
        await self.form(request)
        if user.role != "staff" or shop_customer.customer.tenant_id is None:
            raise HTTPException(403, "Only the partner's staff can act for the sandbox.")
        self.shop.sandbox.accept_relationship(shop_customer.customer.tenant_id)
        return RedirectResponse(f"/customers/{shop_customer.reference}", 303)

    async def subscription(self, request: Request) -> Response:
        user = self.user(request)
        shop_customer = self.customer_of(user, request.path_params["reference"])
        form = await self.form(request)
        action = str(form.get("action", ""))
        if action not in {"seats", "suspend", "reactivate", "cancel"}:
            raise HTTPException(400, "Unknown action.")
        seats: int | None = 0
        if action == "seats":
            seats = _quantity(str(form.get("seats", "")))
        if seats is None:
            problems = [forms.problem("storefront.quantity", "seats")]
            return self._customer_page(
                request, user, shop_customer, 400, subscription_problems=problems
            )
        problems = self.shop.change_subscription(
            user, shop_customer, request.path_params["subscription_id"], action, seats
        )
        if problems:
            return self._customer_page(
                request, user, shop_customer, 400, subscription_problems=problems
            )
        return RedirectResponse(f"/customers/{shop_customer.reference}", 303)

    # -- ordering ---------------------------------------------------------------------------

    async def order_form(self, request: Request) -> Response:
        user = self.user(request)
        shop_customer = self.customer_of(user, request.path_params["reference"])
        offers = self.shop.offers_for(shop_customer)
        if request.method == "GET":
            chosen = request.query_params.get("offer")
            return self._order_page(request, user, shop_customer, offers, chosen)
        form = await self.form(request)
        offer_id = str(form.get("offer", ""))
        offer = next((o for o in offers if o.id == offer_id), None)
        quantity = _quantity(str(form.get("quantity", "")))
        cycle = _enum(BillingCycle, str(form.get("billing_cycle", "")))
        term = _enum(TermDuration, str(form.get("term", "")))
        problems: dict[str, Problem] = {}
        if offer is None:
            problems["offer"] = forms.problem("storefront.invalid", "offer")
        if quantity is None:
            problems["quantity"] = forms.problem("storefront.quantity", "quantity")
        if cycle is None:
            problems["billing_cycle"] = forms.problem("storefront.invalid", "billing_cycle")
        if problems or offer is None or quantity is None or cycle is None:
            return self._order_page(
                request, user, shop_customer, offers, offer_id, status=400, problems=problems
            )
        order = self.shop.order_for(user, shop_customer, offer, quantity, cycle, term)
        self.shop.submit(user, order)
        return RedirectResponse(f"/orders/{order.id}", 303)

    def _order_page(
        self, request: Request, user: User, shop_customer: ShopCustomer, offers: list[Any],
        chosen: str | None, *, status: int = 200, problems: dict[str, Problem] | None = None,
    ) -> Response:  # fmt: skip
        offer = next((o for o in offers if o.id == chosen), None)
        options = self.shop.checkout.billing_options(offer) if offer is not None else None
        prices = []
        existing = []
        if offer is not None and options is not None:
            for cycle in sorted(options.billing_cycles, key=lambda c: c.value):
                for term in sorted(options.term_durations, key=lambda t: t.value):
                    order = self.shop.order_for(user, shop_customer, offer, 1, cycle, term)
                    price = self.shop.price(order)
                    if price is not None:
                        prices.append((cycle, term, price))
            existing = [
                s
                for s in self.shop.subscriptions(user, shop_customer)
                if s.offer_id == offer.id and s.status in ("active", "suspended")
            ]
        qualifications = self.shop.qualifications(shop_customer)
        return self.render(
            request,
            "order.html",
            status,
            customer=shop_customer,
            offers=offers,
            offer=offer,
            options=options,
            prices=prices,
            existing=existing,
            qualifications=qualifications,
            problems=problems or {},
        )

    async def order(self, request: Request) -> Response:
        user = self.user(request)
        entry = self._entry(user, request.path_params["order_id"])
        subscriptions = []
        outcome = entry.result.outcome if entry.result is not None else None
        if outcome is not None and outcome.customer_tenant_id:
            made = {line.subscription_id for line in outcome.lines}
            subscriptions = [
                s
                for s in self.shop.client.subscriptions.list(outcome.customer_tenant_id)
                if s.id in made
            ]
        return self.render(request, "order_result.html", entry=entry, produced=subscriptions)

    def _entry(self, user: User, order_id: str) -> OrderEntry:
        entry = self.shop.orders.get(order_id)
        if entry is None:
            raise HTTPException(404, "No such order.")
        self.customer_of(user, entry.order.customer.reference)
        return entry

    async def retry(self, request: Request) -> Response:
        user = self.user(request)
        entry = self._entry(user, request.path_params["order_id"])
        await self.form(request)
        self.shop.retry(entry)
        return RedirectResponse(f"/orders/{entry.order.id}", 303)

    # -- approvals --------------------------------------------------------------------------

    def _staff(self, request: Request) -> User:
        user = self.user(request)
        if user.role != "staff":
            raise HTTPException(403, "Only the partner's staff approve orders.")
        return user

    async def approvals(self, request: Request) -> Response:
        self._staff(request)
        return self.render(request, "approvals.html", queue=self.shop.approval_queue(), problems={})

    async def approve(self, request: Request) -> Response:
        user = self._staff(request)
        entry = self._entry(user, request.path_params["order_id"])
        await self.form(request)
        self.shop.approve(user, entry)
        return RedirectResponse(f"/orders/{entry.order.id}", 303)

    async def reject(self, request: Request) -> Response:
        user = self._staff(request)
        entry = self._entry(user, request.path_params["order_id"])
        form = await self.form(request)
        reason = str(form.get("reason", ""))
        found = forms.check_text("reason", reason, 500, True)
        if found is not None:
            return self.render(
                request,
                "approvals.html",
                400,
                queue=self.shop.approval_queue(),
                problems={entry.order.id: found},
            )
        self.shop.reject(user, entry, reason.strip())
        return RedirectResponse(f"/orders/{entry.order.id}", 303)


def _strings(form: FormData) -> dict[str, str]:
    """The form's text fields (no files are accepted)."""
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _quantity(text: str) -> int | None:
    text = text.strip()
    if not text.isdigit() or len(text) > 7:
        return None
    value = int(text)
    return value if 1 <= value <= 1_000_000 else None


def _enum(kind: Any, text: str) -> Any:
    try:
        return kind(text)
    except ValueError:
        return None


def _segment(text: str) -> Segment:
    return _enum(Segment, text) or Segment.COMMERCIAL
