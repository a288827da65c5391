"""``csp-commerce webhooks register|list|test|deliver|serve``: Partner Center's events.

``register URL`` registers (or updates) the partner's one webhook registration; ``list`` shows
it and the events Partner Center can send; ``test`` asks for the ``test-created`` event and
shows how its delivery went; ``serve`` runs a receiver that verifies each delivery and prints
the events it hands to the hooks. Against the embedded sandbox, ``deliver`` (and ``test``) send
the sandbox's queued events now, signed with the sandbox's certificate, which ``serve`` trusts
only there (never with ``--live``).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_OK, EXIT_USAGE, _env
from csp_commerce.hooks import hookimpl

if TYPE_CHECKING:
    import argparse

    from csp_commerce.models.events import WebhookEvent

#: What ``register`` asks for when no ``--event`` is given: what drives the library.
DEFAULT_EVENTS = (
    "test-created",
    "reseller-relationship-accepted-by-customer",
    "subscription-updated",
    "invoice-ready",
    "granular-admin-relationship-approved",
    "granular-admin-relationship-terminated",
    "granular-admin-relationship-expired",
    "granular-admin-access-assignment-activated",
)
EVENTS_FILE = "events.sqlite3"


def register(subparsers: Any) -> None:
    """Add ``webhooks`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "webhooks", help="register, test and receive Partner Center's events", description=__doc__
    )
    actions = parser.add_subparsers(dest="webhooks_command", metavar="ACTION", required=True)
    add = actions.add_parser("register", help="register (or update) the webhook URL and events")
    add.add_argument("url", help="the receiver's URL (https; http only to this machine)")
    add.add_argument(
        "--event",
        dest="events",
        action="append",
        metavar="NAME",
        help=f"an event to receive (repeat; default: {', '.join(DEFAULT_EVENTS)})",
    )
    add.set_defaults(func=run_register)
    show = actions.add_parser("list", help="the registration and the events Partner Center sends")
    show.set_defaults(func=run_list)
    test = actions.add_parser("test", help="send the test event and show its delivery")
    test.set_defaults(func=run_test)
    deliver = actions.add_parser("deliver", help="send the sandbox's queued events now")
    deliver.set_defaults(func=run_deliver)
    serve = actions.add_parser("serve", help="receive, verify and print events")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8090)
    serve.add_argument("--path", default="/events")
    serve.add_argument(
        "--max-events", type=int, default=None, help="stop after this many handled events"
    )
    serve.set_defaults(func=run_serve)
    for action in (add, show, test, deliver, serve):
        _env.add_arguments(action)


def _print_registration(registration: Any) -> None:
    print(f"url: {registration.webhook_url}")
    print(f"events: {', '.join(registration.webhook_events)}")


def run_register(args: argparse.Namespace) -> int:
    """Register the URL, or update the registration when one exists (one engine step)."""
    from csp_commerce.operations.webhook_registration import register_webhook

    events = args.events or DEFAULT_EVENTS
    with _env.Environment.from_args(args) as env:
        registration, created = register_webhook(env.client, env.ledger, args.url, events)
    print(f"{'registered' if created else 'updated'} on {env.target_name}")
    _print_registration(registration)
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    """Show the registration (or that there is none) and the supported events."""
    from csp_commerce.errors import NotFoundError

    with _env.Environment.from_args(args) as env:
        supported = env.client.webhooks.supported_events()
        try:
            registration = env.client.webhooks.get()
        except NotFoundError:
            registration = None
    if registration is None:
        print("no webhook registration")
    else:
        _print_registration(registration)
    print(f"supported: {', '.join(supported)}")
    return EXIT_OK


def run_test(args: argparse.Namespace) -> int:
    """Ask for the test event; in the sandbox, deliver it now and show the outcome."""
    with _env.Environment.from_args(args) as env:
        sent = env.client.webhooks.send_test_event()
        print(f"test event {sent.correlation_id} sent")
        if not env.live:
            _report(env.sandbox.deliver_webhooks())
        status = env.client.webhooks.test_event_status(sent.correlation_id)
    code = "-" if status.response_code is None else status.response_code
    print(f"status: {status.status} (receiver answered {code})")
    return EXIT_OK


def run_deliver(args: argparse.Namespace) -> int:
    """Send the embedded sandbox's queued events (Partner Center sends its own)."""
    if args.live:
        print("csp-commerce: Partner Center delivers its own events", file=sys.stderr)
        return EXIT_USAGE
    with _env.Environment.from_args(args) as env:
        deliveries = env.sandbox.deliver_webhooks()
    if not deliveries:
        print("no queued events")
    _report(deliveries)
    return EXIT_OK


def _report(deliveries: list[Any]) -> None:
    for delivery in deliveries:
        outcome = "unreachable" if delivery.status is None else str(delivery.status)
        print(f"delivered {delivery.event_name} to {delivery.url}: {outcome}")


class _Printer:
    """Prints every event the receiver hands to the hooks, one line each."""

    def __init__(self) -> None:
        self.count = 0

    @hookimpl
    def csp_event_received(self, event: WebhookEvent) -> None:
        self.count += 1
        print(f"{event.name} {event.resource_uri} (id {event.id[:12]})", flush=True)


def run_serve(args: argparse.Namespace) -> int:
    """Receive events until interrupted (or ``--max-events``)."""
    from csp_commerce.events import ReceiverServer, WebhookReceiver, WebhookTrust
    from csp_commerce.hooks.manager import HookManager
    from csp_commerce.store.event_log import EventLog

    printer = _Printer()
    with _env.Environment.from_args(args) as env:
        if env.live:
            trust, fetch = WebhookTrust.microsoft(), None
        else:
            root, certificate, url = env.sandbox_webhook_certificates()
            trust, fetch = WebhookTrust.sandbox(root, url), _only(url, certificate)
        hooks = HookManager(plugins=[printer])
        events = EventLog(env.state_dir / EVENTS_FILE)
        options: dict[str, Any] = {"trust": trust, "events": events}
        if fetch is not None:
            options["fetch"] = fetch
        receiver = WebhookReceiver(hooks, **options)
        server = ReceiverServer(receiver, args.host, args.port, args.path)
        print(f"receiving on {server.url} for {env.target_name}", flush=True)
        try:
            with server:
                while args.max_events is None or printer.count < args.max_events:
                    time.sleep(0.05)
        except KeyboardInterrupt:
            pass
        finally:
            events.close()
    return EXIT_OK


def _only(url: str, document: bytes) -> Any:
    """A fetch that knows one URL: the embedded sandbox's certificate (it has no server)."""
    import httpx

    def fetch(asked: str) -> bytes:
        if asked != url:
            raise httpx.ConnectError(f"unknown certificate URL {asked}")
        return document

    return fetch
