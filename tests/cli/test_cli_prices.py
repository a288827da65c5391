"""``csp-commerce prices show``: a price list file as a table or JSON; bad files exit 2."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_currency

from csp_commerce.cli import main
from csp_commerce.models.offer import BillingCycle
from csp_commerce.money import PriceEntry, PriceList


def write(tmp_path: Path) -> Path:
    prices = PriceList(
        name="spring",
        entries=(
            PriceEntry(offer_id="CFQ7TTC0LDPB:0001:CFQ7TTC0SB02", currency="EUR",
                       unit_cost=Decimal("1000.00"), unit_list_price=Decimal("1250.00")),
            PriceEntry(offer_id="CFQ7TTC0LDPB:0001:CFQ7TTC0SB02", currency="EUR",
                       billing_cycle=BillingCycle.ANNUAL, customer_reference="acme",
                       unit_cost=Decimal("120.00"), unit_list_price=Decimal("140.00")),
        ),
    )  # fmt: skip
    path = tmp_path / "prices.json"
    path.write_text(prices.model_dump_json(), "utf-8")
    return path


def test_table_with_margins_per_locale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "show", str(write(tmp_path)), "--locale", "de_DE"]) == 0
    out = capsys.readouterr().out
    assert "Price list spring (global, 2 entries)" in out
    assert format_currency(Decimal("1000"), "EUR", locale="de_DE") in out
    assert f"{format_currency(Decimal('250'), 'EUR', locale='de_DE')} (20.0%)" in out
    assert "acme" in out


def test_json_for_one_customer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "show", str(write(tmp_path)), "--customer", "acme",
                 "--format", "json"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert [entry["customerReference"] for entry in data["entries"]] == ["acme"]


@pytest.mark.parametrize(
    "content",
    ["not json", '{"entries": [{"offerId": "x"}]}', '{"cloud": "china", "entries": '
     '[{"offerId": "x", "currency": "CNY", "unitCost": 1, "unitListPrice": 2}]}'],
    ids=["not-json", "incomplete-entry", "monthly-in-china"],
)  # fmt: skip
def test_bad_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, "utf-8")
    assert main(["prices", "show", str(path)]) == 2
    err = capsys.readouterr().err
    assert "is not a price list" in err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "show", str(tmp_path / "none.json")]) == 2
    assert "cannot read price list" in capsys.readouterr().err
