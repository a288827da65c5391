"""``csp-commerce checkout ORDER.json``: the order file, dry runs, placing, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from csp_commerce.checkout.order_file import load_catalog, parse_order
from csp_commerce.cli import main
from csp_commerce.errors import OrderFileError
from csp_commerce.models import Offer
from csp_commerce.sandbox import Sandbox

CUSTOMER: dict[str, Any] = {
    "reference": "contoso",
    "company": "Contoso Ltd",
    "domain": "contosocli.onmicrosoft.com",
    "address": {"country": "US", "state": "WA", "city": "Redmond", "postalCode": "98052",
                "addressLine1": "1 Microsoft Way"},
    "contact": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@contoso.com",
                "phoneNumber": "+14255550100"},
}  # fmt: skip
LINE = {"offer": "Microsoft 365 Business Standard", "quantity": 5, "billingCycle": "monthly",
        "term": "P1M"}  # fmt: skip


def order_file(tmp_path: Path, content: Any, name: str = "order.json") -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return str(path)


def good_order(**changes: Any) -> dict[str, Any]:
    return {"id": "cli-1", "customer": dict(CUSTOMER), "lines": [dict(LINE)], **changes}


def record_mca(home: Path) -> None:
    assert (
        main(["mca", "record", "--home", str(home), "--customer", "contoso", "--first-name",
              "Ada", "--last-name", "Lovelace", "--email", "ada@contoso.com", "--phone",
              "+14255550100"])
        == 0
    )  # fmt: skip


def world(home: Path) -> dict[str, Any]:
    path = home / "sandbox" / "sandbox.json"
    return Sandbox.load(path).world.to_json() if path.exists() else {}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_an_order_file_is_placed_once_and_printed_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record_mca(tmp_path)
    capsys.readouterr()
    path = order_file(tmp_path, good_order())

    code, out, _ = run(capsys, "checkout", path, "--home", str(tmp_path), "--json")
    again, out_again, _ = run(capsys, "checkout", path, "--home", str(tmp_path), "--json")

    assert code == 0 and again == 0
    result = json.loads(out)
    assert result["outcome"]["status"] == "placed"
    assert json.loads(out_again)["outcome"] == result["outcome"]  # the ledger's answer
    assert json.loads(out_again)["status"] == "placed"
    customers = world(tmp_path)["customers"]
    assert sum(len(c["subscriptions"]) for c in customers.values()) == 1


def test_dry_run_prints_the_plan_and_places_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record_mca(tmp_path)
    path = order_file(tmp_path, good_order())

    code, out, _ = run(capsys, "checkout", path, "--home", str(tmp_path), "--dry-run")

    assert code == 0
    assert "new_subscription" in out and "dry run, nothing was placed" in out
    assert world(tmp_path).get("customers", {}) == {}


def test_problems_exit_1_listing_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    order = good_order(lines=[{**LINE, "billingCycle": "triennial"}])  # and no MCA recorded
    code, out, _ = run(capsys, "checkout", order_file(tmp_path, order), "--home", str(tmp_path))

    assert code == 1
    assert "mca.not_accepted" in out
    assert "billing" in out  # the triennial cycle is refused too


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ([1, 2], "one JSON object"),
        ({"lines": [LINE]}, "'customer' is missing"),
        (good_order(lines=[{**LINE, "offer": "Windows 95"}]), "unknown offer 'Windows 95'"),
        (good_order(lines=[{**LINE, "quantity": "five"}]), "quantity"),
        (good_order(lines=[]), "'lines' must be a non-empty list"),
        (good_order(customer={**CUSTOMER, "domain": None}), "'domain'"),
    ],
)
def test_bad_order_files_exit_2_and_leave_the_sandbox_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: Any, message: str
) -> None:
    record_mca(tmp_path)
    before = world(tmp_path)

    code, out, err = run(capsys, "checkout", order_file(tmp_path, content), "--home", str(tmp_path))

    assert code == 2
    assert message in err and "Traceback" not in err + out
    assert world(tmp_path) == before


def test_a_missing_order_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "checkout", str(tmp_path / "nope.json"), "--home", str(tmp_path))
    assert code == 2 and "cannot read the order file" in err


def test_live_without_credentials_exits_2_before_sending_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET", "CONFIG"):
        monkeypatch.delenv(f"CSP_COMMERCE_{name}", raising=False)
    path = order_file(tmp_path, good_order())
    code, _, err = run(capsys, "checkout", path, "--live", "--home", str(tmp_path))
    assert code == 2 and "credentials" in err


def test_offers_can_come_from_the_catalog_of_the_customers_country() -> None:
    asked: list[str] = []

    def catalog(country: str) -> list[Offer]:
        asked.append(country)
        return Sandbox().catalog.offers()

    order = parse_order(good_order(), catalog)
    assert asked == ["US"]
    assert order.lines[0].offer.name == LINE["offer"]


def test_offers_resolve_by_catalog_id_or_name_from_a_catalog_file(tmp_path: Path) -> None:
    offers = Sandbox().catalog.offers()
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps([offer.model_dump(mode="json") for offer in offers[:3]]))
    loaded = load_catalog(catalog)
    by_id = good_order(lines=[{**LINE, "offer": loaded[1].id, "id": "a"}])

    assert parse_order(by_id, loaded).lines[0].offer == loaded[1]
    assert parse_order(good_order(), loaded).lines[0].offer.name == LINE["offer"]
    assert parse_order(good_order(), loaded).customer.company.domain == CUSTOMER["domain"]
    catalog.write_text('[{"id": "x"}]')
    with pytest.raises(OrderFileError, match="offer 0"):
        load_catalog(catalog)


def test_an_order_held_for_approval_has_its_own_exit_code() -> None:
    from csp_commerce.cli.checkout import exit_code
    from csp_commerce.models import ApprovalDecision, CheckoutResult

    held = CheckoutResult(order_id="o", approval=ApprovalDecision(approved=False, reason="> 250"))
    approved = CheckoutResult(order_id="o", approval=ApprovalDecision(approved=True))
    assert (exit_code(held), exit_code(approved)) == (3, 0)


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    import subprocess
    import sys

    command = f"{sys.executable} -m csp_commerce hooks | head -1"
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr
    assert done.stdout.strip()


def test_an_offer_name_several_offers_share_must_be_named_by_id() -> None:
    offers = Sandbox().catalog.offers()
    twin = offers[1].model_copy(update={"id": offers[1].id + "-other"})
    with pytest.raises(OrderFileError, match="several offers") as caught:
        parse_order(good_order(), [*offers, twin])
    assert twin.id in str(caught.value)
    assert "lines.0.offer" in str(caught.value)
