"""Customer users and their licences: create, list, assign and remove licences, reset
passwords, and bulk import / export as CSV.

Licences are checked against the customer's subscribed SKUs before any assignment: when no
unit is free the Problem ``licence.none_available`` comes back (with the consumed and total
units), and Partner Center's own 60012 ("run out of licenses") maps to the same Problem.

Passwords: one the caller chooses is checked against
:mod:`csp_commerce.validation.passwords`; otherwise one is generated and handed back once, as
a :class:`~csp_commerce.validation.passwords.GeneratedPassword` (hidden in ``str``/``repr``).
Nothing here logs a password or keeps a copy of it.

Operations Partner Center does not offer in the client's cloud (licence management and
password resets in 21Vianet China) raise
:class:`~csp_commerce.errors.OperationNotSupportedError` before any request.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from pydantic import Field, SecretStr

from csp_commerce.errors import (
    BadRequestError,
    NotFoundError,
    OperationNotSupportedError,
    StepFailed,
)
from csp_commerce.fulfilment.engine import StepEngine, failure
from csp_commerce.models._base import Model
from csp_commerce.models.catalogue.users_codes import (
    LICENCE_NOT_ASSIGNED,
    NAMES_REQUIRED,
    NO_FREE_LICENCES,
    UNKNOWN_SKU,
    USAGE_LOCATION_MISSING,
    USER_NOT_FOUND,
    USER_REFUSED,
)
from csp_commerce.models.problem import Problem
from csp_commerce.models.user import NewUser
from csp_commerce.provisioning.wire import CustomerUser, License, SubscribedSku
from csp_commerce.validation.passwords import GeneratedPassword, check_password, generate_password
from csp_commerce.validation.users_csv import read_users_csv, write_users_csv

if TYPE_CHECKING:
    import builtins
    from collections.abc import Iterable, Sequence
    from typing import TextIO

    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.store.ledger import Ledger, Step

logger = logging.getLogger(__name__)


class UserCreation(Model):
    """A created user, or the Problems that kept it from being created.

    ``generated_password`` is set when csp_commerce chose the password: read it once with
    ``get_secret_value()`` and hand it to the user; it is not kept anywhere.
    """

    user_principal_name: str
    user: CustomerUser | None = None
    generated_password: GeneratedPassword | None = None
    password_lost: bool = Field(
        default=False,
        description=(
            "Created by an earlier attempt whose answer was lost: its password was never seen;"
            " reset it"
        ),
    )
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the user was created."""
        return not self.problems


class PasswordReset(Model):
    """A reset password (``generated_password`` when csp_commerce chose it)."""

    user_id: str
    generated_password: GeneratedPassword | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the password was reset."""
        return not self.problems


class UserDeletion(Model):
    """A deleted user (kept ``inactive`` by Partner Center for 30 days), or why not."""

    user_id: str
    deleted: bool = False
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the user was deleted."""
        return self.deleted and not self.problems


class LicenceChange(Model):
    """A licence assigned to or removed from a user; ``sku`` holds the counts afterwards."""

    customer_id: str
    user_id: str
    sku_id: str
    action: str
    changed: bool = False
    sku: SubscribedSku | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the user now has (or no longer has) the licence."""
        return not self.problems


class ImportRow(Model):
    """One user of an import: created (with its generated password) and its licences."""

    user_principal_name: str
    user: CustomerUser | None = None
    generated_password: GeneratedPassword | None = None
    licences_assigned: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


class ImportReport(Model):
    """The outcome of a CSV import: the file's Problems (bad headers and rows) and each user."""

    problems: tuple[Problem, ...] = ()
    rows: tuple[ImportRow, ...] = ()

    @property
    def created(self) -> int:
        """How many users were created."""
        return sum(1 for row in self.rows if row.user is not None)

    @property
    def ok(self) -> bool:
        """True when every row was read, created and licensed."""
        return not self.problems and all(not row.problems for row in self.rows)


def sku_label(sku: SubscribedSku) -> str:
    """A SKU's human name: its name, else its part number, else its id."""
    product = sku.product_sku
    return product.name or product.sku_part_number or product.id


def find_sku(skus: Iterable[SubscribedSku], reference: str) -> SubscribedSku | None:
    """The subscribed SKU named by ``reference``: its id, part number or name (any case)."""
    wanted = reference.strip().casefold()
    for sku in skus:
        product = sku.product_sku
        names = (product.id, product.sku_part_number or "", product.name or "")
        if wanted in (name.casefold() for name in names):
            return sku
    return None


class UserManager:
    """Users and licences of customer tenants (app+user credentials; GDAP roles needed).

    Every change (a user created, a password reset, licences assigned or removed) is one step
    of the :class:`~csp_commerce.fulfilment.StepEngine`, recorded in ``ledger`` with its
    ``MS-RequestId`` before it is sent (passwords are never recorded). An ``operation_id`` run
    again never acts twice.
    """

    def __init__(
        self, client: PartnerCenterClient, ledger: Ledger, *, lock_wait: float = 30.0
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.engine = StepEngine(client, ledger, lock_wait=lock_wait)

    def _require(self, capability: str, what: str) -> None:
        """Refuse, before any request, what the client's cloud does not offer."""
        if not getattr(self.client.endpoints, capability):
            raise OperationNotSupportedError(
                f"{what} is not offered in this cloud ({capability} is False)",
                capability=capability,
            )

    # -- reading -------------------------------------------------------------------------------

    def list(self, customer_id: str) -> builtins.list[CustomerUser]:
        """The customer's users."""
        return list(self.client.users.list(customer_id))

    def skus(self, customer_id: str) -> builtins.list[SubscribedSku]:
        """The customer's subscribed SKUs: total, consumed and available units of each."""
        self._require("supports_licence_management", "Licence management")
        return list(self.client.subscribed_skus.list(customer_id))

    def licences(self, customer_id: str, user_id: str) -> builtins.list[License]:
        """The licences assigned to a user."""
        self._require("supports_licence_management", "Licence management")
        return list(self.client.users.licenses(customer_id, user_id))

    def _find_user(self, customer_id: str, user_id: str) -> CustomerUser | None:
        for user in self.list(customer_id):
            if user.id == user_id or (user.user_principal_name or "").casefold() == (
                user_id.casefold()
            ):
                return user
        return None

    # -- users ---------------------------------------------------------------------------------

    def create(
        self,
        customer_id: str,
        new_user: NewUser,
        *,
        password: str | SecretStr | None = None,
        force_change_password: bool = True,
        operation_id: str | None = None,
    ) -> UserCreation:
        """Create a user; without ``password`` one is generated and returned once.

        Run again with the same ``operation_id`` after a lost answer, it first looks for the
        user (the password cannot be sent again: it is never recorded); found, the result says
        ``password_lost`` (reset it); not found, it is created with the recorded request id.
        """
        upn = new_user.user_principal_name
        problems: builtins.list[Problem] = []
        if not new_user.first_name or not new_user.last_name:
            problems.append(NAMES_REQUIRED())
        if new_user.usage_location is None:
            problems.append(USAGE_LOCATION_MISSING())
        generated: GeneratedPassword | None = None
        if password is None:
            generated = generate_password(
                user_principal_name=upn,
                first_name=new_user.first_name,
                last_name=new_user.last_name,
                display_name=new_user.display_name,
            )
            secret = generated.get_secret_value()
        else:
            secret = password.get_secret_value() if isinstance(password, SecretStr) else password
            problems += check_password(
                secret,
                user_principal_name=upn,
                first_name=new_user.first_name,
                last_name=new_user.last_name,
                display_name=new_user.display_name,
            )
        if problems:
            return UserCreation(user_principal_name=upn, problems=tuple(problems))
        assert new_user.first_name
        assert new_user.last_name
        assert new_user.usage_location
        first, last, location = new_user.first_name, new_user.last_name, new_user.usage_location

        def send(step: Step) -> dict[str, Any]:
            if step.attempts > 1:
                found = self._find_user(customer_id, upn)
                if found is not None:  # an earlier attempt made it; its answer was lost
                    return {"user": found.to_wire(), "password_lost": True}
            user = self.client.users.create(
                customer_id,
                user_principal_name=upn,
                first_name=first,
                last_name=last,
                display_name=new_user.display_name,
                usage_location=location,
                password=secret,
                force_change_password=force_change_password,
                request_id=step.request_id,
            )
            return {"user": user.to_wire()}

        try:
            result = self.engine.step(
                operation_id or str(uuid.uuid4()),
                _CHANGE,
                "create_user",
                intent={"user_principal_name": upn, "usage_location": location},
                send=send,
                context={"customer_id": customer_id},
            )
        except StepFailed as refused:
            reason = refused.detail.description or refused.detail.message
            return UserCreation(
                user_principal_name=upn, problems=(USER_REFUSED(user=upn, reason=reason),)
            )
        logger.info("created user %s in customer %s", upn, customer_id)
        lost = bool(result.get("password_lost"))
        return UserCreation(
            user_principal_name=upn,
            user=CustomerUser.model_validate(result["user"]),
            generated_password=None if lost else generated,
            password_lost=lost,
        )

    def reset_password(
        self,
        customer_id: str,
        user_id: str,
        *,
        password: str | SecretStr | None = None,
        force_change_password: bool = True,
    ) -> PasswordReset:
        """Reset a user's password (generated when not given; not offered in China)."""
        self._require("supports_password_reset", "Password reset")
        user = self._find_user(customer_id, user_id)
        if user is None:
            return PasswordReset(user_id=user_id, problems=(USER_NOT_FOUND(user_id=user_id),))
        names: dict[str, Any] = {
            "user_principal_name": user.user_principal_name or "",
            "first_name": user.first_name,
            "last_name": user.last_name,
            "display_name": user.display_name,
        }
        generated: GeneratedPassword | None = None
        if password is None:
            generated = generate_password(**names)
            secret = generated.get_secret_value()
        else:
            secret = password.get_secret_value() if isinstance(password, SecretStr) else password
            problems = check_password(secret, **names)
            if problems:
                return PasswordReset(user_id=user.id, problems=tuple(problems))
        user_id = user.id

        def send(step: Step) -> dict[str, Any]:
            self.client.users.reset_password(
                customer_id,
                user_id,
                secret,
                force_change_password=force_change_password,
                request_id=step.request_id,
            )
            return {"user_id": user_id}  # never the password

        # Each reset is its own operation: resending an old one would set a password nobody
        # holds (passwords are never recorded); a lost answer is retried by resetting again.
        self.engine.step(
            str(uuid.uuid4()),
            _CHANGE,
            "reset_password",
            intent={"user_id": user_id},
            send=send,
            context={"customer_id": customer_id},
        )
        logger.info("reset the password of user %s in customer %s", user.id, customer_id)
        return PasswordReset(user_id=user.id, generated_password=generated)

    def delete(
        self, customer_id: str, user: str, *, operation_id: str | None = None
    ) -> UserDeletion:
        """Delete a user (id or user principal name) as one engine step.

        Partner Center keeps a deleted user ``inactive`` for 30 days and frees its licences. A
        repeat whose first answer was lost is refused (404, the user is gone); the engine then
        reads back the deleted users, and the deletion stands when the user is among them.
        Run again with the same ``operation_id``, the recorded outcome is returned.
        """
        self._require("supports_user_creation", "User management")
        recorded = self.engine.ledger.get_step(operation_id, _CHANGE) if operation_id else None
        if recorded is not None:  # finish what was started: the user may be gone already
            user_id = str(recorded.intent["user_id"])
        else:
            found = self._find_user(customer_id, user)
            if found is None:
                return UserDeletion(user_id=user, problems=(USER_NOT_FOUND(user_id=user),))
            user_id = found.id

        def send(step: Step) -> dict[str, Any]:
            self.client.users.delete(customer_id, user_id, request_id=step.request_id)
            return {"user_id": user_id}

        def read_back(step: Step) -> dict[str, Any] | None:
            deleted = self.client.users.list(customer_id, state="Inactive")
            if any(item.id == user_id for item in deleted):
                return {"user_id": user_id}
            raise StepFailed(failure(f"Partner Center refused to delete user {user_id}"))

        self.engine.step(
            operation_id or str(uuid.uuid4()),
            _CHANGE,
            "delete_user",
            intent={"user_id": user_id},
            send=send,
            read_back=read_back,
            explained=(NotFoundError,),
            context={"customer_id": customer_id},
        )
        logger.info("deleted user %s in customer %s", user_id, customer_id)
        return UserDeletion(user_id=user_id, deleted=True)

    # -- licences ------------------------------------------------------------------------------

    def _user_id(self, customer_id: str, user: str) -> str:
        """A user id for ``user``: an id as it is, a user principal name (``name@domain``)
        looked up (unchanged when there is no such user, so the caller reports it)."""
        if "@" not in user:
            return user
        found = self._find_user(customer_id, user)
        return found.id if found is not None and found.id else user

    def assign(self, customer_id: str, user_id: str, sku: str) -> LicenceChange:
        """Assign a licence (SKU id, part number or name) to a user (id or user principal
        name), if a unit is free."""
        self._require("supports_licence_management", "Licence management")
        user_id = self._user_id(customer_id, user_id)
        skus = self.skus(customer_id)
        found = find_sku(skus, sku)
        base: dict[str, Any] = {"customer_id": customer_id, "user_id": user_id, "action": "assign"}
        if found is None:
            return LicenceChange(**base, sku_id=sku, problems=(UNKNOWN_SKU(sku=sku),))
        base["sku_id"] = found.product_sku.id
        try:
            held = self.licences(customer_id, user_id)
        except NotFoundError as error:
            if error.code == 60002:
                return LicenceChange(**base, problems=(USER_NOT_FOUND(user_id=user_id),))
            raise
        if found.product_sku.id in {str((item.product_sku or {}).get("id", "")) for item in held}:
            return LicenceChange(**base, sku=found)  # held already: nothing to change
        if found.available_units <= 0:
            return LicenceChange(**base, sku=found, problems=(_no_free(found),))
        try:
            self._update_licences(customer_id, user_id, assign=found.product_sku.id)
        except StepFailed as refused:
            if refused.detail.code == "60012":  # run out between our check and the call
                return LicenceChange(**base, sku=found, problems=(_no_free(found),))
            if refused.detail.code == "60002":
                return LicenceChange(**base, problems=(USER_NOT_FOUND(user_id=user_id),))
            raise
        return LicenceChange(**base, changed=True, sku=self._sku_after(customer_id, found))

    def remove(self, customer_id: str, user_id: str, sku: str) -> LicenceChange:
        """Remove a licence (SKU id, part number or name) from a user (id or user principal
        name)."""
        self._require("supports_licence_management", "Licence management")
        user_id = self._user_id(customer_id, user_id)
        base: dict[str, Any] = {"customer_id": customer_id, "user_id": user_id, "action": "remove"}
        found = find_sku(self.skus(customer_id), sku)
        sku_id = found.product_sku.id if found is not None else sku
        try:
            held = self.licences(customer_id, user_id)
        except NotFoundError as error:
            if error.code == 60002:
                return LicenceChange(
                    **base, sku_id=sku_id, problems=(USER_NOT_FOUND(user_id=user_id),)
                )
            raise
        held_ids = {str((licence.product_sku or {}).get("id", "")) for licence in held}
        if sku_id not in held_ids:
            label = sku_label(found) if found is not None else sku
            return LicenceChange(
                **base,
                sku_id=sku_id,
                sku=found,
                problems=(LICENCE_NOT_ASSIGNED(user_id=user_id, sku=label),),
            )
        self._update_licences(customer_id, user_id, remove=sku_id)
        after = self._sku_after(customer_id, found) if found is not None else None
        return LicenceChange(**base, sku_id=sku_id, changed=True, sku=after)

    def _update_licences(
        self,
        customer_id: str,
        user_id: str,
        *,
        assign: str | None = None,
        remove: str | None = None,
    ) -> None:
        """Assign or remove one licence as one engine step (read back: does the user hold it?)."""
        sku_id = str(assign or remove)

        def send(step: Step) -> dict[str, Any]:
            self.client.users.update_licenses(
                customer_id,
                user_id,
                assign=[assign] if assign else [],
                remove=[remove] if remove else [],
                request_id=step.request_id,
            )
            return {"sku_id": sku_id}

        def read_back(step: Step) -> dict[str, Any] | None:
            licences = self.licences(customer_id, user_id)
            held = {str((item.product_sku or {}).get("id", "")) for item in licences}
            if (sku_id in held) == bool(assign):
                return {"sku_id": sku_id}
            raise StepFailed(  # refused again and not made: the refusal stands
                failure(f"Partner Center refused the licence change of {user_id} again")
            )

        self.engine.step(
            str(uuid.uuid4()),
            _CHANGE,
            "assign_licence" if assign else "remove_licence",
            intent={"user_id": user_id, "sku_id": sku_id},
            send=send,
            read_back=read_back,
            explained=(BadRequestError,),
            context={"customer_id": customer_id},
        )

    def _sku_after(self, customer_id: str, sku: SubscribedSku) -> SubscribedSku | None:
        return find_sku(self.skus(customer_id), sku.product_sku.id)

    # -- CSV -----------------------------------------------------------------------------------

    def import_csv(self, customer_id: str, stream: TextIO) -> ImportReport:
        """Create the users of a CSV file (:mod:`csp_commerce.validation.users_csv`) with generated
        passwords, and assign their licences. Bad rows are Problems; the good rows go ahead."""
        users, problems = read_users_csv(stream)
        rows = [self._import_one(customer_id, user) for user in users]
        return ImportReport(problems=tuple(problems), rows=tuple(rows))

    def _import_one(self, customer_id: str, new_user: NewUser) -> ImportRow:
        upn = new_user.user_principal_name
        created = self.create(customer_id, new_user)
        if created.user is None:
            return ImportRow(user_principal_name=upn, problems=created.problems)
        assigned: builtins.list[str] = []
        problems: builtins.list[Problem] = []
        for sku in new_user.licences:
            change = self.assign(customer_id, created.user.id, sku)
            if change.ok:
                assigned.append(change.sku_id)
            problems += [
                problem.model_copy(update={"field": f"{upn}.licences"})
                for problem in change.problems
            ]
        return ImportRow(
            user_principal_name=upn,
            user=created.user,
            generated_password=created.generated_password,
            licences_assigned=tuple(assigned),
            problems=tuple(problems),
        )

    def export_csv(
        self, customer_id: str, stream: TextIO, *, include_licences: bool | None = None
    ) -> int:
        """Write the customer's users as CSV (with their licences where the cloud offers
        licence management); returns how many were written."""
        if include_licences is None:
            include_licences = self.client.endpoints.supports_licence_management
        rows: builtins.list[NewUser] = []
        for user in self.list(customer_id):
            licences: Sequence[str] = ()
            if include_licences:
                licences = [
                    str(licence.product_sku["id"])
                    for licence in self.licences(customer_id, user.id)
                    if licence.product_sku and licence.product_sku.get("id")
                ]
            # Read as Partner Center holds it: no validation of what is already there.
            rows.append(
                NewUser.model_construct(
                    user_principal_name=user.user_principal_name or user.id,
                    first_name=user.first_name,
                    last_name=user.last_name,
                    display_name=user.display_name or "",
                    usage_location=user.usage_location,
                    licences=tuple(licences),
                )
            )
        write_users_csv(rows, stream)
        return len(rows)


def _no_free(sku: SubscribedSku) -> Problem:
    return NO_FREE_LICENCES(
        sku=sku_label(sku),
        consumed=sku.consumed_units,
        total=sku.total_units,
    )


#: The key of a user operation's one step.
_CHANGE = "change"
