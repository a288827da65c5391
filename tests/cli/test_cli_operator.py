"""The operator's day: customers, catalog, audit, problems and doctor against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csp_commerce.cli import main
from csp_commerce.models.catalogue import LIBRARY_CODES


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def placed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A home whose sandbox has one customer, made by placing a template-made order."""
    home = str(tmp_path)
    template = tmp_path / "order.json"
    code, _, err = run(
        capsys,
        "catalog",
        "order-template",
        "Microsoft 365 Business Standard",
        "--country",
        "US",
        "--quantity",
        "3",
        "-o",
        str(template),
        "--home",
        home,
    )
    assert code == 0, err  # fmt: skip
    order = json.loads(template.read_text(encoding="utf-8"))
    assert order["lines"][0]["quantity"] == 3
    order["customer"].update(
        reference="contoso", company="Contoso Ltd", domain="contosoops.onmicrosoft.com",
        address={"country": "US", "state": "WA", "city": "Redmond", "postalCode": "98052",
                 "addressLine1": "1 Microsoft Way"},
        contact={"firstName": "Ada", "lastName": "Lovelace", "email": "ada@contoso.com",
                 "phoneNumber": "+14255550100"},
    )  # fmt: skip
    template.write_text(json.dumps(order), encoding="utf-8")
    assert run(capsys, "mca", "record", "--home", home, "--customer", "contoso", "--first-name",
               "Ada", "--last-name", "Lovelace", "--email", "ada@contoso.com", "--phone",
               "+14255550100")[0] == 0  # fmt: skip
    code, out, err = run(capsys, "checkout", str(template), "--home", home, "--json")
    assert code == 0, err
    assert json.loads(out)["outcome"]["status"] == "placed"
    return tmp_path


def test_customers_list_and_show(placed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ("--home", str(placed))
    code, out, _ = run(capsys, "customers", "list", "--format", "json", *home)
    (customer,) = json.loads(out)
    assert code == 0
    assert customer["companyProfile"]["domain"] == "contosoops.onmicrosoft.com"  # camelCase
    tenant = customer["id"]
    code, out, _ = run(capsys, "customers", "list", *home)
    assert tenant in out  # the whole id, never cut
    code, out, _ = run(capsys, "customers", "list", "--company", "Fabrikam", "--format", "json",
                       *home)  # fmt: skip
    assert json.loads(out) == []
    code, out, _ = run(capsys, "customers", "show", tenant, "--format", "json", *home)
    (shown,) = json.loads(out)
    assert shown["billingProfile"]["email"] == "ada@contoso.com"
    code, _, err = run(capsys, "customers", "show", "no-such-tenant", *home)
    assert code == 2 and "Traceback" not in err


def test_catalog_offers_by_segment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ("--home", str(tmp_path))
    code, out, _ = run(capsys, "catalog", "offers", "--country", "us", "--format", "json", *home)
    offers = json.loads(out)
    assert code == 0 and offers
    segments = {offer["segment"] for offer in offers}
    assert len(segments) > 1
    code, out, _ = run(capsys, "catalog", "offers", "--country", "US", "--segment", "education",
                       "--format", "csv", *home)  # fmt: skip
    lines = out.strip().splitlines()
    assert lines[0].startswith("catalog item id,name,family,segment")
    assert len(lines) > 1 and all(",education," in line for line in lines[1:])


def test_an_unknown_offer_template_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "t.json"
    code, _, err = run(capsys, "catalog", "order-template", "No Such Plan", "--country", "US",
                       "-o", str(out_file), "--home", str(tmp_path))  # fmt: skip
    assert code == 2 and "No Such Plan" in err
    assert not out_file.exists()


def test_audit_shows_the_order(placed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audit", "--format", "json", "--home", str(placed))
    records = json.loads(out)
    assert code == 0 and records
    assert all("operationType" in record for record in records)
    with pytest.raises(SystemExit) as usage:
        main(["audit", "--days", "91", "--home", str(placed)])
    assert usage.value.code == 2 and "1 to 90" in capsys.readouterr().err


def test_problems_lists_every_code_with_its_parameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "problems", "--format", "json")
    listed = {entry["code"]: entry for entry in json.loads(out)}
    assert code == 0
    assert set(LIBRARY_CODES) <= set(listed)
    assert "country" in listed["postal_code.invalid"]["parameters"]
    code, out, _ = run(capsys, "problems", "--code", "postal_code.", "--format", "csv")
    assert all(line.startswith("postal_code.") for line in out.strip().splitlines()[1:])


def test_doctor_passes_on_a_fresh_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "doctor", "--format", "json", "--home", str(tmp_path))
    checks = {check["name"]: check["status"] for check in json.loads(out)}
    assert code == 0
    assert checks["token"] == checks["Partner Center"] == checks["ledger"] == "ok"


def test_doctor_names_a_damaged_ledger_and_missing_credentials(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sandbox").mkdir()
    (tmp_path / "sandbox" / "ledger.sqlite3").write_bytes(b"not a database" * 100)
    code, out, err = run(capsys, "doctor", "--format", "json", "--home", str(tmp_path))
    checks = {check["name"]: check for check in json.loads(out)}
    assert code == 1 and "Traceback" not in err
    assert checks["ledger"]["status"] == "fail"
    for name in ("CLIENT_ID", "CLIENT_SECRET", "TOKEN_STORE", "CONFIG"):
        monkeypatch.delenv(f"CSP_COMMERCE_{name}", raising=False)
    monkeypatch.setenv("CSP_COMMERCE_TENANT_ID", "contoso.onmicrosoft.com")
    code, out, _ = run(capsys, "doctor", "--live", "--format", "json", "--home", str(tmp_path))
    checks = {check["name"]: check for check in json.loads(out)}
    assert code == 1
    assert checks["credentials"]["status"] == "fail"
    assert "CSP_COMMERCE_CLIENT_SECRET" in checks["credentials"]["detail"]
    assert "token" not in checks  # nothing further is tried without credentials


def test_domain_availability(placed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ("--home", str(placed))
    code, out, _ = run(capsys, "customers", "domain-available", "contosoops", *home)
    assert code == 1 and "taken" in out
    code, out, _ = run(capsys, "customers", "domain-available", "freshname.onmicrosoft.com", *home)
    assert code == 0 and "freshname.onmicrosoft.com is available" in out


def test_country_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "catalog", "country-rules", "--country", "de", "--format", "json",
                       "--home", str(tmp_path))  # fmt: skip
    (rules,) = json.loads(out)
    assert code == 0 and rules["iso2Code"] == "DE" and rules["defaultCulture"] == "de-DE"


def test_resellers_list_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from csp_commerce.sandbox import Sandbox

    sandbox = Sandbox(seed=3)
    tenant = sandbox.add_reseller("4100001", "Fabrikam IT")
    sandbox.add_reseller("4100002", "Unsigned Ltd", mpa_signed=False)
    (tmp_path / "sandbox").mkdir()
    sandbox.save(tmp_path / "sandbox" / "sandbox.json")
    home = ("--home", str(tmp_path))
    code, out, _ = run(capsys, "resellers", "list", "--format", "json", *home)
    assert code == 0
    assert {r["id"]: r["mpnId"] for r in json.loads(out)}[tenant] == "4100001"
    code, out, _ = run(capsys, "resellers", "check", "4100001", "--format", "json", *home)
    assert code == 0 and json.loads(out)[0]["isAgreementSigned"] is True
    code, out, _ = run(capsys, "resellers", "check", "4100002", "--format", "json", *home)
    assert code == 1 and json.loads(out)[0]["isAgreementSigned"] is False
    code, _, err = run(capsys, "resellers", "check", "9999999", *home)
    assert code == 2 and "Traceback" not in err


def test_a_users_directory_roles(placed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ("--home", str(placed))
    _, out, _ = run(capsys, "customers", "list", "--format", "json", *home)
    tenant = json.loads(out)[0]["id"]
    _, out, _ = run(capsys, "users", "list", "--customer", tenant, "--format", "json", *home)
    admin = json.loads(out)[0]["id"]
    code, out, _ = run(capsys, "users", "roles", admin, "--customer", tenant, "--format", "json",
                       *home)  # fmt: skip
    assert code == 0
    assert "Company Administrator" in {role["name"] for role in json.loads(out)}


def test_the_powershell_table_counts_true_and_names_real_commands() -> None:
    from csp_commerce.cli import COMMANDS

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### From PowerShell to csp-commerce", 1)[1].split("\n### ", 1)[0]
    rows = [line.split("|")[1:4] for line in section.splitlines() if line.startswith("| ")][1:]
    covered = [command for _, _, command in rows if "not yet" not in command]
    assert len(rows) == 38
    assert f"{len(covered)} of the 38 tasks" in section
    assert len(covered) >= 34
    for command in covered:
        first = command.strip().split("`")[1].split()[0]
        assert first in COMMANDS, command


@pytest.mark.parametrize(("offset", "status"), [(5, "ok"), (600, "fail")])
def test_doctor_measures_clock_skew_against_partner_center(
    offset: int, status: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time
    from email.utils import formatdate

    import httpx

    from csp_commerce.cli import doctor
    from csp_commerce.cli._env import Environment

    def head(self: httpx.Client, url: str) -> httpx.Response:
        return httpx.Response(200, headers={"date": formatdate(time.time() - offset, usegmt=True)})

    monkeypatch.setattr(httpx.Client, "head", head)
    checks: list[doctor.Check] = []
    doctor._check(checks, "clock", lambda: doctor._clock(Environment(tmp_path)))
    assert checks[0].status == status
    if status == "fail":
        assert "s off Partner Center's" in checks[0].detail


def test_an_invoice_pdf_is_written_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ("--home", str(tmp_path))
    assert main(["billing", "invoices", "--generate", "2025-01", *home]) == 0
    capsys.readouterr()
    target = tmp_path / "statement.pdf"
    code, out, _ = run(capsys, "billing", "statement", "G000000001", "-o", str(target), *home)
    assert code == 0 and "bytes to" in out
    assert target.read_bytes().startswith(b"%PDF")
    code, _, err = run(capsys, "billing", "statement", "G999", "-o", str(tmp_path / "n.pdf"), *home)
    assert code == 2 and "Traceback" not in err
    assert not (tmp_path / "n.pdf").exists()


@pytest.mark.parametrize("country", ["XX", "Germany", ""])
def test_a_country_that_does_not_exist_is_a_usage_error(
    country: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["catalog", "offers", "--country", country, "--home", str(tmp_path)])
    assert usage.value.code == 2
    assert "is not an ISO 3166 alpha-2 country code" in capsys.readouterr().err
