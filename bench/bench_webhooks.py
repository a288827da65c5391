"""Benchmark: the webhook receiver's verified-and-dispatched events per second on one core.

Prints, from one run on the same signed events:

* a bare ``cryptography`` RSA-2048 PKCS#1 v1.5 SHA-256 verification per second (the floor:
  the one cryptographic step the receiver cannot skip);
* ``WebhookReceiver.handle`` per second with the certificate cached, the event ids claimed in
  an ``EventLog`` on a file (SQLite, WAL), and one plugin on ``csp_event_received`` and the
  family hook; the same with an in-memory ``EventLog``;
* each as a ratio to the bare verification, and against the bound (2,000 events/s).

Rates are per CPU second of this process (``time.process_time``), so a machine shared with other
work measures what one core does, not how long the process waited for it.

Events are distinct bodies (no replay refusals), signed beforehand by a sandbox-style
certificate chain; the clock is fixed so that every event is fresh. ``--check`` exits 1 when the
file-backed receiver is under the bound.

    python bench/bench_webhooks.py [--events N] [--check]
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from csp_commerce.events import WebhookReceiver, WebhookTrust
from csp_commerce.hooks import hookimpl
from csp_commerce.hooks.manager import HookManager
from csp_commerce.models.events import WebhookEvent
from csp_commerce.sandbox.webhook_signer import issue, new_key
from csp_commerce.store.event_log import EventLog

BOUND = 2000.0
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
API = "https://api.partnercenter.microsoft.com"
URL = "https://3psostorageacct.blob.core.windows.net/cert/bench.pem"


class Counter:
    def __init__(self) -> None:
        self.received = 0
        self.family = 0

    @hookimpl
    def csp_event_received(self, event: WebhookEvent) -> None:
        self.received += 1

    @hookimpl
    def csp_subscription_event(self, event: WebhookEvent) -> None:
        self.family += 1


def build_pki() -> tuple[object, bytes, object]:
    """A root, and a signer it issued with Microsoft's subject; (root, signer PEM, key)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    def name(common: str, organization: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                x509.NameAttribute(NameOID.COMMON_NAME, common),
            ]
        )

    root_key, key = new_key(), new_key()
    root_name = name("Bench Root", "Bench Trust")
    start, end = NOW - timedelta(days=1), NOW + timedelta(days=365)
    root = issue(root_name, root_key, root_name, root_key, start, end, ca=True)
    signer = issue(
        name("bench signer", "Microsoft Corporation"),
        key,
        root_name,
        root_key,
        start,
        end,
        ca=False,
    )
    return root, signer.public_bytes(serialization.Encoding.PEM), key


def signed_events(key: object, count: int) -> list[tuple[bytes, dict[str, str]]]:
    events = []
    changed = (NOW - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for index in range(count):
        body = json.dumps(
            {
                "EventName": "subscription-updated",
                "ResourceUri": f"{API}/v1/customers/c-{index % 97}/subscriptions/s-{index}",
                "ResourceName": "subscription",
                "AuditUri": None,
                "ResourceChangeUtcDate": changed,
            }
        ).encode()
        signature = key.sign(body, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[attr-defined]
        headers = {
            "Authorization": f"Signature {base64.b64encode(signature).decode()}",
            "X-MS-Certificate-Url": URL,
            "X-MS-Signature-Algorithm": "rsa-sha256",
            "Content-Type": "application/json",
        }
        events.append((body, headers))
    return events


def bare_verify(public_key: object, events: list[tuple[bytes, dict[str, str]]]) -> float:
    started = time.process_time()
    for body, headers in events:
        signature = base64.b64decode(headers["Authorization"].split(" ", 1)[1])
        public_key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[attr-defined]
    return len(events) / (time.process_time() - started)


def receiver_rate(
    root: object, pem: bytes, events: list[tuple[bytes, dict[str, str]]], log: EventLog
) -> float:
    counter = Counter()
    hooks = HookManager(builtins=False, entry_points=False, plugins=[counter])
    receiver = WebhookReceiver(
        hooks,
        trust=WebhookTrust.microsoft(roots=[root]),  # type: ignore[list-item]
        fetch=lambda url: pem,
        clock=NOW.timestamp,
        events=log,
    )
    body, headers = events[0]
    assert receiver.handle(body, headers).status == 200  # warm: the certificate is now cached
    started = time.process_time()
    for body, headers in events[1:]:
        answer = receiver.handle(body, headers)
        if answer.status != 200:
            raise SystemExit(f"unexpected answer {answer.status}: {answer.body}")
    rate = (len(events) - 1) / (time.process_time() - started)
    assert counter.received == counter.family == len(events), (counter.received, counter.family)
    assert receiver.certificates.fetches == 1
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    root, pem, key = build_pki()
    events = signed_events(key, args.events)
    public_key = key.public_key()  # type: ignore[attr-defined]
    bare = bare_verify(public_key, events)
    with tempfile.TemporaryDirectory() as directory, EventLog(Path(directory) / "e.db") as log:
        on_file = receiver_rate(root, pem, events, log)
    with EventLog() as log:
        in_memory = receiver_rate(root, pem, events, log)

    print(f"events: {args.events} distinct signed bodies, RSA-2048, one process, one core")
    print(f"bare cryptography verify:          {bare:10,.0f} /s  (1.00x)")
    print(
        f"receiver, EventLog on file (WAL):  {on_file:10,.0f} /s  ({on_file / bare:.2f}x of bare; "
        f"{on_file / BOUND:.1f}x the {BOUND:,.0f}/s bound)"
    )
    print(
        f"receiver, EventLog in memory:      {in_memory:10,.0f} /s  "
        f"({in_memory / bare:.2f}x of bare; {in_memory / BOUND:.1f}x the bound)"
    )
    if args.check and on_file < BOUND:
        print(f"FAIL: {on_file:,.0f} events/s is under {BOUND:,.0f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
