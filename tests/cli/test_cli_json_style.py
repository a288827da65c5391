"""Every command that prints data prints JSON in one style: Partner Center's camelCase names and
times with a time zone (issue 15, item 3).

The commands are enumerated from the parser: a command with a JSON option that this table does
not run fails the test, so a new command is held to the same style.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import datetime
from typing import Any

import pytest
from test_cli_subscriptions import Seeded, seed

from csp_commerce.cli import build_parser, main
from csp_commerce.cli._env import Environment

# Each command with a JSON option, as run here ({home} {customer} {subscription} {user}
# {prices} {order} {invoice} are filled in from the world below).
RUNS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("validate-address",): ("--country", "US", "--postal-code", "98052", "--state", "WA",
                            "--city", "Redmond", "--json"),
    ("hooks",): ("--json",),
    ("checkout",): ("{order}", "--dry-run", "--json"),
    ("orders", "list"): ("--json",),
    ("orders", "show"): ("{order_id}", "--json"),
    ("orders", "held"): ("--status", "all", "--json"),
    ("mca", "list"): ("--format", "json"),
    ("mca", "export"): ("--format", "json"),
    ("mca", "head"): ("--json",),
    ("partners", "list"): ("--json",),
    ("partners", "check"): ("--json",),
    ("discover",): ("--json", "--requests-per-minute", "60000"),
    ("subscriptions", "list"): ("--customer", "{customer}", "--format", "json"),
    ("subscriptions", "show"): ("--customer", "{customer}", "{subscription}", "--format", "json"),
    ("subscriptions", "history"): ("--customer", "{customer}", "{subscription}", "--format",
                                   "json"),
    ("subscriptions", "set-quantity"): ("--customer", "{customer}", "{subscription}", "6",
                                        "--price-list", "{prices}", "--format", "json"),
    ("subscriptions", "auto-renew"): ("--customer", "{customer}", "{subscription}", "on",
                                      "--format", "json"),
    ("subscriptions", "reactivate"): ("--customer", "{customer}", "{subscription}", "--format",
                                      "json"),
    ("subscriptions", "suspend"): ("--customer", "{customer}", "{subscription}", "--format",
                                   "json", "--yes"),
    ("subscriptions", "cancel"): ("--customer", "{customer}", "{e3}", "--format", "json",
                                  "--yes"),
    ("subscriptions", "addons"): ("--customer", "{customer}", "{subscription}", "--format",
                                  "json"),
    ("users", "list"): ("--customer", "{customer}", "--format", "json"),
    ("users", "licences"): ("--customer", "{customer}", "{user}", "--format", "json"),
    ("users", "roles"): ("--customer", "{customer}", "{user}", "--format", "json"),
    ("licences",): ("--customer", "{customer}", "--format", "json"),
    ("billing", "report"): ("--price-list", "{prices}", "--format", "json"),
    ("billing", "reconcile"): ("--invoice", "{invoice}", "--price-list", "{prices}",
                               "--format", "json"),
    ("prices", "show"): ("{prices}", "--format", "json"),
    ("customers", "list"): ("--format", "json"),
    ("customers", "show"): ("{customer}", "--format", "json"),
    ("catalog", "offers"): ("--country", "US", "--format", "json"),
    ("catalog", "country-rules"): ("--country", "DE", "--format", "json"),
    ("catalog", "promotions"): ("--country", "US", "--format", "json"),
    ("catalog", "term-end-dates"): ("--customer", "{customer}", "--term", "P1Y", "--format",
                                    "json"),
    ("resellers", "list"): ("--format", "json"),
    ("resellers", "check"): ("4100001", "--format", "json"),
    ("audit",): ("--format", "json"),
    ("problems",): ("--format", "json"),
    ("doctor",): ("--format", "json"),
    ("profiles", "list"): ("--format", "json"),
    ("renewals",): ("--days", "400", "--format", "json"),
    ("subscriptions", "end-of-term"): ("--customer", "{customer}", "{subscription}", "renew",
                                       "--format", "json"),
    ("subscriptions", "change-plan"): ("--customer", "{customer}", "{subscription}", "--term",
                                       "P1Y", "--format", "json"),
    ("profiles", "show"): ("play", "--format", "json"),
    ("subscriptions", "upgrades"): ("--customer", "{customer}", "{subscription}", "--format",
                                    "json"),
    ("subscriptions", "upgrade"): ("--customer", "{customer}", "{subscription}", "nothing:0:0",
                                   "--format", "json", "--yes"),
    ("transfers", "list"): ("--customer", "{customer}", "--format", "json"),
    ("transfers", "create"): ("--customer", "{customer}", "--source-partner",
                              "0a1b2c3d-0000-4000-8000-00000000beef", "--source-name", "Contoso",
                              "--customer-email", "ada@contoso.com", "--format", "json", "--yes"),
    ("transfers", "accept"): ("--customer", "{customer}", "no-such-transfer", "--subscription",
                              "{subscription}", "--format", "json", "--yes"),
}  # fmt: skip

_CAMEL = re.compile(r"^[a-z][A-Za-z0-9]*$")
# A key shaped like a field name (else it is data: a line id "1", a GUID, a catalog item id).
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Values that are data keyed by their own names, not field names: Problem parameters.
_DATA_KEYS = {"params"}
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _json_leaves() -> list[tuple[str, ...]]:
    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not nested:
            options = {o for a in parser._actions for o in a.option_strings}
            choices = {c for a in parser._actions if a.choices for c in a.choices}
            has_json = "--json" in options or ("--format" in options and "json" in choices)
            return [path] if has_json else []
        return [
            leaf for a in nested for n, sub in a.choices.items() for leaf in walk(sub, (*path, n))
        ]

    return walk(build_parser(), ())


def _options(command: tuple[str, ...]) -> set[str]:
    parser = build_parser()
    for name in command:
        (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    return {option for action in parser._actions for option in action.option_strings}


def test_every_command_with_json_output_is_run_here() -> None:
    assert sorted(set(_json_leaves()) - set(RUNS)) == []


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("json-style")
    seeded: Seeded = seed(base / "home")
    home = str(seeded.home)
    with Environment(seeded.home) as env:
        env.sandbox.add_reseller("4100001", "Fabrikam IT")
        invoice = env.sandbox.generate_invoice(2026, 1)
        user = next(iter(env.client.users.list(seeded.customer))).id
    (seeded.home / "profiles").mkdir()
    (seeded.home / "profiles" / "play.json").write_text("{}", encoding="utf-8")
    order = base / "order.json"
    order.write_text(json.dumps({
        "id": "json-1",
        "customer": {
            "reference": "contoso", "company": "Contoso", "tenantId": seeded.customer,
            "address": {"country": "US", "state": "WA", "city": "Redmond",
                        "postalCode": "98052", "addressLine1": "1 Microsoft Way"},
            "contact": {"firstName": "Ada", "lastName": "Lovelace",
                        "email": "ada@contoso.com", "phoneNumber": "+14255550100"},
        },
        "lines": [{"offer": "Microsoft 365 Business Basic", "quantity": 1,
                   "billingCycle": "monthly", "term": "P1M"}],
    }), encoding="utf-8")  # fmt: skip
    assert main(["mca", "record", "--home", home, "--customer", "contoso", "--first-name", "Ada",
                 "--last-name", "Lovelace", "--email", "ada@contoso.com", "--phone",
                 "+14255550100"]) == 0  # fmt: skip
    assert main(["checkout", str(order), "--home", home]) == 0
    return {
        "home": home, "customer": seeded.customer, "subscription": seeded.standard,
        "e3": seeded.e3, "prices": str(seeded.prices), "order": str(order), "order_id": "json-1",
        "invoice": str(invoice["id"]), "user": str(user),
    }  # fmt: skip


def _check_style(value: Any, where: str = "$") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            assert not _NAME.match(key) or _CAMEL.match(key), f"{where}: {key!r} is not camelCase"
            if key not in _DATA_KEYS:
                _check_style(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_style(item, f"{where}[{index}]")
    elif isinstance(value, str) and _TIME.match(value):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        assert parsed.tzinfo is not None, f"{where}: time {value!r} has no time zone"


@pytest.mark.parametrize("command", sorted(RUNS), ids=[" ".join(c) for c in sorted(RUNS)])
def test_json_output_is_camel_case_with_zoned_times(
    command: tuple[str, ...], world: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*command, *(part.format(**world) for part in RUNS[command])]
    if "--home" in _options(command):  # a command that keeps no state takes no data directory
        argv += ["--home", world["home"]]
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    _check_style(json.loads(out))
