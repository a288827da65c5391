"""The webhook receiver: what it dispatches, once, and everything it refuses (never dispatched)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from csp_commerce import hookimpl
from csp_commerce.errors import WebhookRejectedError
from csp_commerce.events import CertificateStore, WebhookReceiver, WebhookTrust
from csp_commerce.hooks.manager import HookManager
from csp_commerce.models.events import EVENT_FAMILIES, EventFamily, WebhookEvent
from csp_commerce.sandbox.webhook_signer import issue
from csp_commerce.store.event_log import EventLog
from tests.events.pki import HOST, NOW, PKI, URL, event_body, headers, pem

FAMILY_HOOKS = [
    f"csp_{family.value}_event" for family in EventFamily if family is not EventFamily.TEST
]


class Recorder:
    """Records every webhook hook call as (hook, event name)."""

    def __init__(self, fail: int = 0) -> None:
        self.calls: list[tuple[str, str]] = []
        self.events: list[WebhookEvent] = []
        self.fail = fail

    def _record(self, hook: str, event: WebhookEvent) -> None:
        self.calls.append((hook, event.name))

    @hookimpl
    def csp_event_received(self, event: WebhookEvent) -> None:
        if self.fail:
            self.fail -= 1
            raise RuntimeError("the host's handler failed")
        self.events.append(event)
        self._record("csp_event_received", event)

    @hookimpl
    def csp_subscription_event(self, event: WebhookEvent) -> None:
        self._record("csp_subscription_event", event)

    @hookimpl
    def csp_relationship_event(self, event: WebhookEvent) -> None:
        self._record("csp_relationship_event", event)

    @hookimpl
    def csp_gdap_event(self, event: WebhookEvent) -> None:
        self._record("csp_gdap_event", event)

    @hookimpl
    def csp_invoice_event(self, event: WebhookEvent) -> None:
        self._record("csp_invoice_event", event)

    @hookimpl
    def csp_referral_event(self, event: WebhookEvent) -> None:
        self._record("csp_referral_event", event)

    @hookimpl
    def csp_usage_event(self, event: WebhookEvent) -> None:
        self._record("csp_usage_event", event)

    @hookimpl
    def csp_fraud_event(self, event: WebhookEvent) -> None:
        self._record("csp_fraud_event", event)


@pytest.fixture(scope="module")
def pki() -> PKI:
    return PKI()


class World:
    """A receiver, the documents at certificate URLs, and the hooks' record."""

    def __init__(
        self, pki: PKI, *, fail: int = 0, events: EventLog | None = None, **trust: Any
    ) -> None:
        self.pki = pki
        self.documents: dict[str, bytes] = {URL: pem(pki.signer())}
        self.fetched: list[str] = []
        self.now = NOW.timestamp()
        self.recorder = Recorder(fail)
        hooks = HookManager(builtins=False, entry_points=False, plugins=[self.recorder])
        self.receiver = WebhookReceiver(
            hooks,
            trust=WebhookTrust.microsoft(roots=[pki.root], **trust),
            fetch=self.fetch,
            clock=lambda: self.now,
            events=events,
        )

    def fetch(self, url: str) -> bytes:
        self.fetched.append(url)
        if url not in self.documents:
            raise httpx.ConnectError("unreachable")
        return self.documents[url]

    def deliver(self, body: bytes, **kwargs: Any) -> Any:
        return self.receiver.handle(body, headers(self.pki.key, body, **kwargs))


@pytest.fixture
def world(pki: PKI) -> World:
    return World(pki)


def test_a_signed_event_is_dispatched_typed_to_its_hooks(world: World) -> None:
    body = event_body()
    answer = world.deliver(body)
    assert answer.status == 200 and answer.body["status"] == "handled"
    assert world.recorder.calls == [
        ("csp_event_received", "reseller-relationship-accepted-by-customer"),
        ("csp_relationship_event", "reseller-relationship-accepted-by-customer"),
    ]
    (event,) = world.recorder.events
    assert event.customer_id == "c-1" and event.family is EventFamily.RELATIONSHIP
    assert event.changed_at == NOW - timedelta(minutes=5)
    assert answer.event == event


@pytest.mark.parametrize("name", sorted(EVENT_FAMILIES))
def test_every_documented_event_reaches_its_family_hook_once(world: World, name: str) -> None:
    assert world.deliver(event_body(name)).status == 200
    family = EVENT_FAMILIES[name]
    expected = [("csp_event_received", name)]
    if family is not EventFamily.TEST:
        expected.append((f"csp_{family.value}_event", name))
    assert world.recorder.calls == expected


def test_every_family_but_test_has_a_hook() -> None:
    from csp_commerce.hooks.manager import spec_names

    assert set(FAMILY_HOOKS) <= set(spec_names())


def test_typed_ids_are_read_from_the_resource_uri(world: World) -> None:
    uri = "https://api.partnercenter.microsoft.com/v1/customers/c-9/subscriptions/s-3"
    world.deliver(event_body("subscription-updated", ResourceUri=uri))
    world.deliver(event_body("invoice-ready", ResourceUri="/v1/invoices/G000000001"))
    first, second = world.recorder.events
    assert (first.customer_id, first.subscription_id) == ("c-9", "s-3")
    assert second.invoice_id == "G000000001" and second.customer_id is None


def _refused(world: World, answer: Any, status: int, reason: str) -> None:
    assert (answer.status, answer.body["error"]) == (status, reason), answer.body
    assert world.recorder.calls == []


def test_unsigned_deliveries_are_refused(world: World) -> None:
    body = event_body()
    _refused(world, world.receiver.handle(body, {}), 401, "unsigned")
    no_url = {"Authorization": headers(world.pki.key, body)["Authorization"]}
    _refused(world, world.receiver.handle(body, no_url), 401, "unsigned")
    bearer = {**headers(world.pki.key, body), "Authorization": "Bearer abc"}
    _refused(world, world.receiver.handle(body, bearer), 401, "unsigned")


def test_a_signature_over_another_body_is_refused(world: World) -> None:
    body = event_body()
    forged = headers(world.pki.key, event_body("invoice-ready"))
    _refused(world, world.receiver.handle(body, forged), 401, "bad-signature")
    not_base64 = {**forged, "Authorization": "Signature %%%"}
    _refused(world, world.receiver.handle(body, not_base64), 401, "bad-signature")


def test_a_tampered_body_is_refused(world: World) -> None:
    body = event_body()
    signed = headers(world.pki.key, body)
    tampered = body.replace(b"c-1", b"c-2")
    _refused(world, world.receiver.handle(tampered, signed), 401, "bad-signature")


def test_another_algorithm_is_refused(world: World) -> None:
    _refused(world, world.deliver(event_body(), algorithm="rsa-sha1"), 401, "algorithm")


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/cert/signer.pem",
        f"https://{HOST}.evil.example/cert/signer.pem",
        f"http://{HOST}/cert/signer.pem",
    ],
)
def test_a_certificate_from_another_host_is_refused_unfetched(world: World, url: str) -> None:
    world.documents[url] = world.documents[URL]
    _refused(world, world.deliver(event_body(), url=url), 401, "certificate-host")
    assert world.fetched == []


@pytest.mark.parametrize(
    "make",
    [
        lambda pki: pki.signer(not_after=NOW - timedelta(days=1)),  # expired
        lambda pki: pki.signer(not_before=NOW + timedelta(days=1)),  # not yet valid
        lambda pki: pki.signer(self_signed=True),
        lambda pki: pki.signer(organization="Contoso Ltd"),
        lambda pki: pki.signer(via_intermediate=True),  # intermediate not supplied
    ],
    ids=["expired", "not-yet-valid", "self-signed", "other-organization", "unchained"],
)
def test_an_untrusted_certificate_is_refused(world: World, make: Callable[[PKI], Any]) -> None:
    world.documents[URL] = pem(make(world.pki))
    _refused(world, world.deliver(event_body()), 401, "untrusted-certificate")


def test_a_chain_through_an_intermediate_is_accepted(world: World) -> None:
    world.documents[URL] = pem(world.pki.signer(via_intermediate=True), world.pki.intermediate)
    assert world.deliver(event_body()).status == 200


def test_an_intermediate_given_to_the_trust_completes_the_chain(pki: PKI) -> None:
    world = World(pki, intermediates=[pki.intermediate])
    world.documents[URL] = pem(pki.signer(via_intermediate=True))
    assert world.deliver(event_body()).status == 200


def test_an_expired_intermediate_breaks_the_chain(pki: PKI, world: World) -> None:
    old = issue(
        pki.ca_name,
        pki.ca_key,
        pki.root_name,
        pki.root_key,
        NOW - timedelta(days=400),
        NOW - timedelta(days=1),
        ca=True,
    )
    world.documents[URL] = pem(pki.signer(via_intermediate=True), old)
    _refused(world, world.deliver(event_body()), 401, "untrusted-certificate")


def test_a_body_that_is_not_a_json_object_is_refused(world: World) -> None:
    _refused(world, world.deliver(b"EventName=test-created"), 400, "not-json")
    _refused(world, world.deliver(b'["test-created"]'), 400, "not-json")
    _refused(world, world.deliver(b"\xff\xfe"), 400, "not-json")


def test_a_payload_without_name_or_date_is_refused(world: World) -> None:
    _refused(world, world.deliver(json.dumps({"ResourceUri": "/x"}).encode()), 400, "bad-payload")
    body = event_body(ResourceChangeUtcDate="yesterday")
    _refused(world, world.deliver(body), 400, "bad-payload")


def test_an_unknown_event_name_is_ignored_not_dispatched(world: World) -> None:
    answer = world.deliver(event_body("tenant-deleted-by-aliens"))
    assert (answer.status, answer.body["status"]) == (200, "ignored")
    assert world.recorder.calls == []


def test_a_stale_or_future_event_is_refused(world: World) -> None:
    old = (NOW - timedelta(hours=73)).strftime("%Y-%m-%dT%H:%M:%SZ")
    _refused(world, world.deliver(event_body(ResourceChangeUtcDate=old)), 400, "stale")
    future = (NOW + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    _refused(world, world.deliver(event_body(ResourceChangeUtcDate=future)), 400, "stale")
    late = (NOW - timedelta(hours=47)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert world.deliver(event_body(ResourceChangeUtcDate=late)).status == 200


def test_a_replayed_event_is_refused_and_handled_once(world: World) -> None:
    body = event_body()
    assert world.deliver(body).status == 200
    answer = world.deliver(body)
    assert (answer.status, answer.body["error"]) == (400, "replayed")
    assert len(world.recorder.events) == 1
    assert world.deliver(event_body(ResourceName="other")).status == 200  # another body


def test_the_handled_ids_survive_a_restart(pki: PKI, tmp_path: Path) -> None:
    body = event_body()
    with EventLog(tmp_path / "events.db") as log:
        assert World(pki, events=log).deliver(body).status == 200
    with EventLog(tmp_path / "events.db") as log:
        again = World(pki, events=log)
        assert again.deliver(body).body["error"] == "replayed"
        assert again.recorder.calls == []


def test_a_failing_hook_gets_a_500_and_the_redelivery_is_handled(pki: PKI) -> None:
    world = World(pki, fail=1)
    body = event_body()
    assert world.deliver(body).status == 500
    assert not world.receiver.events.seen(world.receiver.verify(body, headers(pki.key, body)).id)  # type: ignore[union-attr]
    assert world.deliver(body).status == 200
    assert len(world.recorder.events) == 1


def test_receive_raises_the_refusal(world: World) -> None:
    with pytest.raises(WebhookRejectedError) as caught:
        world.receiver.receive(event_body(), {})
    assert (caught.value.status, caught.value.reason) == (401, "unsigned")


def test_the_certificate_is_fetched_once_then_cached_until_it_is_due(world: World) -> None:
    for minute in range(3):
        assert world.deliver(event_body(ResourceName=f"n{minute}")).status == 200
    assert world.fetched == [URL]
    world.now += 25 * 3600  # past the cache's day
    assert (
        world.deliver(
            event_body(
                ResourceName="later",
                ResourceChangeUtcDate=(NOW + timedelta(hours=25)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
        ).status
        == 200
    )
    assert world.fetched == [URL, URL]


def test_a_cached_certificate_that_expires_is_not_used(pki: PKI, world: World) -> None:
    world.documents[URL] = pem(pki.signer(not_after=NOW + timedelta(hours=1)))
    assert world.deliver(event_body()).status == 200
    world.now += 2 * 3600
    answer = world.deliver(
        event_body(
            ResourceName="x",
            ResourceChangeUtcDate=(NOW + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    )
    assert (answer.status, answer.body["error"]) == (401, "untrusted-certificate")
    assert len(world.fetched) == 2


def test_an_unreachable_certificate_is_a_503_so_partner_center_retries(world: World) -> None:
    world.documents.clear()
    _refused(world, world.deliver(event_body()), 503, "certificate-unavailable")


def test_a_certificate_document_that_is_not_a_certificate_is_refused(world: World) -> None:
    world.documents[URL] = b"<html>not found</html>"
    _refused(world, world.deliver(event_body()), 401, "untrusted-certificate")


def test_certificate_store_refuses_before_fetching(pki: PKI) -> None:
    fetched: list[str] = []
    store = CertificateStore(
        WebhookTrust.microsoft(roots=[pki.root]), fetch=lambda u: fetched.append(u) or b""
    )
    with pytest.raises(WebhookRejectedError):
        store.key_for("ftp://3psostorageacct.blob.core.windows.net/x")
    assert fetched == []


def _asgi(
    world: World, method: str, body: bytes, hdrs: dict[str, str], max_body: int = 1 << 20
) -> tuple[int, bytes]:
    app = world.receiver.asgi_app(max_body=max_body)
    sent: list[dict[str, Any]] = []
    chunks = [body[: len(body) // 2], body[len(body) // 2 :]]

    async def receive() -> dict[str, Any]:
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "headers": [(k.lower().encode(), v.encode()) for k, v in hdrs.items()],
    }
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], sent[1]["body"]


def test_the_asgi_app_verifies_and_dispatches(world: World) -> None:
    body = event_body()
    status, answer = _asgi(world, "POST", body, headers(world.pki.key, body))
    assert status == 200 and json.loads(answer)["status"] == "handled"
    assert len(world.recorder.events) == 1
    status, _ = _asgi(world, "POST", body, headers(world.pki.key, body))
    assert status == 400
    status, _ = _asgi(world, "POST", event_body("test-created"), {})
    assert status == 401


def test_the_asgi_app_takes_posts_of_bounded_size_only(world: World) -> None:
    body = event_body()
    assert _asgi(world, "GET", body, headers(world.pki.key, body))[0] == 405
    assert _asgi(world, "POST", body, headers(world.pki.key, body), max_body=10)[0] == 413
    assert world.recorder.calls == []


def test_old_ids_are_pruned_and_their_replays_are_stale(world: World) -> None:
    body = event_body()
    assert world.deliver(body).status == 200
    event_id = world.recorder.events[0].id
    world.now += 80 * 3600  # past max_age (72 h) and the hourly prune
    fresh = (NOW + timedelta(hours=80)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert world.deliver(event_body(ResourceName="n", ResourceChangeUtcDate=fresh)).status == 200
    assert not world.receiver.events.seen(event_id)
    answer = world.deliver(body)
    assert (answer.status, answer.body["error"]) == (400, "stale")
