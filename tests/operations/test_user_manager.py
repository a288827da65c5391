"""UserManager against the in-process sandbox: users, passwords, licences, CSV, China."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from operations_world import World, make_world

from csp_commerce.errors import OperationNotSupportedError
from csp_commerce.models.clouds import Cloud
from csp_commerce.models.user import NewUser
from csp_commerce.operations import UserManager
from csp_commerce.provisioning.wire import SubscribedSku
from csp_commerce.store import Ledger
from csp_commerce.validation.passwords import check_password
from csp_commerce.validation.users_csv import read_users_csv

E3 = "Office 365 E3"


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def users(world: World) -> UserManager:
    return UserManager(world.client, Ledger(":memory:"))


def new_user(name: str = "grace", **changes: object) -> NewUser:
    data: dict[str, object] = {
        "user_principal_name": f"{name}@contoso.onmicrosoft.com",
        "first_name": name.title(),
        "last_name": "Hopper",
        "display_name": f"{name.title()} Hopper",
        "usage_location": "US",
    }
    data.update(changes)
    return NewUser.model_validate(data)


def sku_of(users: UserManager, customer: str) -> SubscribedSku:
    (sku,) = users.skus(customer)
    return sku


def test_create_with_a_generated_password_handed_back_once_and_never_logged(
    world: World, users: UserManager, caplog: pytest.LogCaptureFixture
) -> None:
    customer = world.customer()
    caplog.set_level(logging.DEBUG)
    created = users.create(customer, new_user())
    assert created.ok
    assert created.user is not None
    password = created.generated_password
    assert password is not None
    secret = password.get_secret_value()
    assert check_password(secret, user_principal_name="grace@contoso.onmicrosoft.com") == []
    assert secret not in caplog.text
    assert secret not in repr(created)
    assert secret not in created.model_dump_json()
    assert [u.user_principal_name for u in users.list(customer)] == [
        "admin@contoso.onmicrosoft.com",  # the tenant's first admin
        "grace@contoso.onmicrosoft.com",
    ]


def test_a_chosen_password_must_meet_the_policy(world: World, users: UserManager) -> None:
    customer = world.customer()
    refused = users.create(customer, new_user(), password="grace123!")
    codes = {p.code for p in refused.problems}
    assert {"password.missing_character_class", "password.contains_name"} <= codes
    assert "grace123!" not in refused.model_dump_json()
    assert [u.display_name for u in users.list(customer)] == ["Administrator"]
    accepted = users.create(customer, new_user(), password="Tr0ub4dor&3x")
    assert accepted.ok
    assert accepted.generated_password is None


def test_a_user_needs_a_usage_location(world: World, users: UserManager) -> None:
    customer = world.customer()
    refused = users.create(customer, new_user(usage_location=None))
    assert [p.code for p in refused.problems] == ["user.usage_location.missing"]


def test_assign_shows_units_and_refuses_when_none_are_free(
    world: World, users: UserManager
) -> None:
    customer = world.customer()
    world.buy(customer, E3, quantity=1)
    first = users.create(customer, new_user("grace")).user
    second = users.create(customer, new_user("alan")).user
    assert first is not None
    assert second is not None
    done = users.assign(customer, first.id, "Office 365 E3")  # by name
    assert done.ok
    assert done.sku is not None
    assert (done.sku.consumed_units, done.sku.available_units) == (1, 0)
    posts = len(world.transport.writes("POST"))
    refused = users.assign(customer, second.id, done.sku_id)
    assert [p.code for p in refused.problems] == ["licence.none_available"]
    assert refused.problems[0].params == {"sku": E3, "consumed": 1, "total": 1}
    assert len(world.transport.writes("POST")) == posts  # refused before Partner Center
    removed = users.remove(customer, first.id, done.sku_id)
    assert removed.ok
    assert removed.sku is not None
    assert removed.sku.available_units == 1


def test_a_user_principal_name_names_the_user_for_licences(
    world: World, users: UserManager
) -> None:
    customer = world.customer()
    world.buy(customer, E3, quantity=1)
    grace = users.create(customer, new_user("grace")).user
    assert grace is not None
    done = users.assign(customer, "Grace@Contoso.onmicrosoft.com", E3)  # any case, as Entra
    assert done.ok and done.user_id == grace.id
    assert users.remove(customer, "grace@contoso.onmicrosoft.com", E3).ok
    unknown = users.assign(customer, "nobody@contoso.onmicrosoft.com", E3)
    assert [p.code for p in unknown.problems] == ["user.not_found"]


def test_partner_center_60012_is_the_same_problem(
    world: World, users: UserManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = world.customer()
    world.buy(customer, E3, quantity=1)
    first = users.create(customer, new_user("grace")).user
    second = users.create(customer, new_user("alan")).user
    assert first is not None
    assert second is not None
    stale = sku_of(users, customer)  # one unit free when read ...
    world.client.users.update_licenses(customer, first.id, assign=[stale.product_sku.id])
    monkeypatch.setattr(users, "skus", lambda customer_id: [stale])  # ... then taken
    refused = users.assign(customer, second.id, stale.product_sku.id)
    assert [p.code for p in refused.problems] == ["licence.none_available"]
    assert world.transport.writes("POST")[-1].path.endswith("/licenseupdates")


def test_unknown_sku_and_licence_not_held(world: World, users: UserManager) -> None:
    customer = world.customer()
    world.buy(customer, E3, quantity=2)
    user = users.create(customer, new_user()).user
    assert user is not None
    assert [p.code for p in users.assign(customer, user.id, "NOPE").problems] == [
        "licence.unknown_sku"
    ]
    assert [p.code for p in users.remove(customer, user.id, E3).problems] == [
        "licence.not_assigned"
    ]


def test_reset_password_generates_one_that_meets_the_policy(
    world: World, users: UserManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = world.customer()
    user = users.create(customer, new_user()).user
    assert user is not None
    sent: list[tuple[object, ...]] = []  # the sandbox has no password-reset route

    def reset(*args: object, **kwargs: object) -> None:
        sent.append(args)

    monkeypatch.setattr(world.client.users, "reset_password", reset)
    done = users.reset_password(customer, user.user_principal_name or "")
    assert done.ok
    assert done.generated_password is not None
    secret = done.generated_password.get_secret_value()
    assert sent == [(customer, user.id, secret)]
    assert check_password(secret, user_principal_name=user.user_principal_name or "") == []
    weak = users.reset_password(customer, user.id, password="short")
    assert "password.too_short" in {p.code for p in weak.problems}
    assert len(sent) == 1
    missing = users.reset_password(customer, "nobody")
    assert [p.code for p in missing.problems] == ["user.not_found"]


CSV_TEXT = (
    "User principal name,First name,Last name,Display name,Usage location,Licences\n"
    "ada@contoso.onmicrosoft.com,Ada,Lovelace,Ada Lovelace,GB,{sku}\n"
    "not-an-upn,Bad,Row,Bad Row,US,\n"
    "alan@contoso.onmicrosoft.com,Alan,Turing,Alan Turing,ZZ,\n"
    "edsger@contoso.onmicrosoft.com,Edsger,Dijkstra,Edsger Dijkstra,NL,{sku}\n"
)


def test_import_creates_good_rows_and_reports_bad_ones(world: World, users: UserManager) -> None:
    customer = world.customer()
    world.buy(customer, E3, quantity=1)
    sku = sku_of(users, customer).product_sku.id
    report = users.import_csv(customer, io.StringIO(CSV_TEXT.format(sku=sku)))
    assert {p.field for p in report.problems} == {
        "rows.3.user_principal_name",
        "rows.4.usage_location",
    }
    assert report.created == 2
    ada, edsger = report.rows
    assert ada.licences_assigned == (sku,)
    assert ada.generated_password is not None
    assert [p.code for p in edsger.problems] == ["licence.none_available"]  # one seat only
    assert edsger.user is not None


def test_export_round_trips_through_the_csv_reader(world: World, users: UserManager) -> None:
    customer = world.customer()
    world.buy(customer, E3, quantity=2)
    sku = sku_of(users, customer).product_sku.id
    user = users.create(customer, new_user()).user
    assert user is not None
    users.assign(customer, user.id, sku)
    out = io.StringIO()
    assert users.export_csv(customer, out) == 2  # the tenant's admin and grace
    read, problems = read_users_csv(io.StringIO(out.getvalue()))
    assert problems == []
    assert read[1].user_principal_name == "grace@contoso.onmicrosoft.com"
    assert read[1].licences == (sku,)
    assert read[0].licences == ()


@pytest.fixture
def china() -> World:
    return make_world(Cloud.CHINA)


@pytest.mark.parametrize(
    "operation",
    [
        lambda u, c: u.skus(c),
        lambda u, c: u.assign(c, "user", "sku"),
        lambda u, c: u.remove(c, "user", "sku"),
        lambda u, c: u.licences(c, "user"),
        lambda u, c: u.reset_password(c, "user"),
    ],
    ids=["subscribed-skus", "assign", "remove", "licences", "reset-password"],
)
def test_china_refuses_licences_and_password_resets_before_any_request(
    china: World, operation: object
) -> None:
    customer = china.customer()
    before = len(china.transport.requests)
    with pytest.raises(OperationNotSupportedError):
        operation(UserManager(china.client, Ledger(":memory:")), customer)  # type: ignore[operator]
    assert len(china.transport.requests) == before


def test_china_client_refuses_subscribed_skus_and_mca_itself(china: World) -> None:
    customer = china.customer()
    with pytest.raises(OperationNotSupportedError) as refused:
        china.client.subscribed_skus.list(customer)
    assert refused.value.capability == "supports_licence_management"
    with pytest.raises(OperationNotSupportedError):
        china.client.agreements.list(customer)
    assert china.transport.requests == []


def test_china_export_leaves_licences_out(china: World) -> None:
    customer = china.customer()
    users = UserManager(china.client, Ledger(":memory:"))
    assert users.create(customer, new_user()).ok
    out = io.StringIO()
    users.export_csv(customer, out)
    assert "grace@contoso.onmicrosoft.com" in out.getvalue()


def test_with_every_unit_taken_an_unknown_user_and_a_holder_get_the_right_answer(
    world: World, users: UserManager
) -> None:
    customer = world.customer()
    world.buy(customer, E3, quantity=1)
    holder = users.create(customer, new_user("grace")).user
    assert holder is not None
    assert users.assign(customer, holder.id, E3).ok  # the only unit is now taken

    again = users.assign(customer, holder.id, E3)
    assert again.ok  # holding it already is no Problem, and nothing is sent
    assert not again.changed

    stranger = users.assign(customer, "00000000-0000-0000-0000-000000000000", E3)
    assert [p.code for p in stranger.problems] == ["user.not_found"]


def test_reset_password_reaches_the_sandbox(world: World, users: UserManager) -> None:
    customer = world.customer()
    user = users.create(customer, new_user()).user
    assert user is not None
    done = users.reset_password(customer, user.id)
    assert done.ok
    assert done.generated_password is not None
    patches = world.transport.writes("PATCH")
    assert patches[-1].path.endswith(f"/users/{user.id}")


def test_delete_by_user_principal_name_frees_the_licence_and_keeps_the_user_inactive(
    world: World, users: UserManager
) -> None:
    customer = world.customer()
    world.buy(customer, E3, quantity=1)
    grace = users.create(customer, new_user("grace")).user
    assert grace is not None
    assert users.assign(customer, grace.id, E3).ok
    deleted = users.delete(customer, "grace@contoso.onmicrosoft.com")
    assert deleted.ok and deleted.user_id == grace.id
    assert [u.id for u in users.list(customer)] != [] and grace.id not in {
        u.id for u in users.list(customer)
    }
    assert grace.id in {u.id for u in world.client.users.list(customer, state="Inactive")}
    assert sku_of(users, customer).available_units == 1
    again = users.delete(customer, grace.id)
    assert [p.code for p in again.problems] == ["user.not_found"]


@pytest.mark.parametrize("replayed", [True, False], ids=["replayed", "forgotten"])
def test_a_deletion_whose_answer_was_lost_is_finished_once_by_the_same_operation(
    replayed: bool, world: World
) -> None:
    from csp_commerce.errors import CSPCommerceError
    from csp_commerce.sandbox import Fault
    from csp_commerce.store.ledger import StepStatus

    ledger = Ledger(":memory:")
    users = UserManager(world.client, ledger)
    customer = world.customer()
    grace = users.create(customer, new_user("grace")).user
    assert grace is not None
    find = UserManager._find_user

    def find_then_fault(self: UserManager, customer_id: str, user_id: str) -> Any:
        found = find(self, customer_id, user_id)
        world.sandbox.faults.force(Fault.COMMIT_THEN_DROP)  # the next request: the DELETE
        return found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(UserManager, "_find_user", find_then_fault)
        with pytest.raises(CSPCommerceError):
            users.delete(customer, grace.id, operation_id="delete-grace")
    (step,) = ledger.steps("delete-grace")
    assert step.status is StepStatus.SENT  # applied, answer lost: unknown until finished
    if not replayed:
        world.sandbox.world.requests.clear()  # Partner Center forgot the request id: 404
    deletes_before = len(world.transport.writes("DELETE"))

    finished = users.delete(customer, grace.id, operation_id="delete-grace")

    assert finished.ok
    (step,) = ledger.steps("delete-grace")
    assert step.status is StepStatus.DONE
    resent = world.transport.writes("DELETE")[deletes_before:]
    assert [r.request_id for r in resent] == [step.request_id]  # the recorded request id, once
    assert users.delete(customer, grace.id, operation_id="delete-grace").ok  # recorded: no send
    assert len(world.transport.writes("DELETE")) == deletes_before + 1
