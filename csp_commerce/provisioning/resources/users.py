"""Customer users and licences (app+user; licences and password resets not in China)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from csp_commerce.provisioning._core import Call, PageSpec, collection, model, status_is
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    listing,
    operation,
    quote,
)
from csp_commerce.provisioning.wire import (
    CustomerUser,
    DirectoryRole,
    License,
    LicenseAssignment,
    LicenseUpdate,
    SubscribedSku,
)

if TYPE_CHECKING:
    from collections.abc import Sequence


def _users_path(customer_id: str, user_id: str | None = None) -> str:
    path = f"/v1/customers/{quote(customer_id)}/users"
    return path if user_id is None else f"{path}/{quote(user_id)}"


def _create(
    customer_id: str,
    *,
    user_principal_name: str,
    first_name: str,
    last_name: str,
    display_name: str,
    usage_location: str,
    password: str,
    force_change_password: bool = True,
    request_id: str | None = None,
) -> Call[CustomerUser]:
    """Create a user in the customer's tenant (``usage_location``: ISO alpha-2, needed before
    a licence can be assigned)."""
    body = {
        "userPrincipalName": user_principal_name,
        "firstName": first_name,
        "lastName": last_name,
        "displayName": display_name,
        "usageLocation": usage_location,
        "passwordProfile": {"password": password, "forceChangePassword": force_change_password},
    }
    return Call(
        "POST",
        _users_path(customer_id),
        model(CustomerUser),
        json=body,
        app_user=True,
        capability="supports_user_creation",
        request_id=request_id,
    )


def _list(customer_id: str, *, size: int = 100, state: str | None = None) -> PageSpec[CustomerUser]:
    """The customer's users, ``size`` per page (seek paging). Partner Center leaves deleted
    users out; ``state="Inactive"`` lists them instead (the ``UserState`` filter)."""
    params: dict[str, str | int] = {"size": size}
    if state is not None:
        search = {"Field": "UserState", "Value": state, "Operator": "equals"}
        params["filter"] = json.dumps(search, separators=(",", ":"))
    return PageSpec(
        Call(
            "GET",
            _users_path(customer_id),
            collection(CustomerUser),
            params=params,
            app_user=True,
        )
    )


def _group(license_group: str | None) -> dict[str, str | int] | None:
    """``licenseGroupIds``: ``Group1`` (Entra-managed products) or ``Group2`` (Minecraft)."""
    return None if license_group is None else {"licenseGroupIds": license_group}


def _get(customer_id: str, user_id: str) -> Call[CustomerUser]:
    """One user of the customer (404 code 60002 when unknown)."""
    return Call("GET", _users_path(customer_id, user_id), model(CustomerUser), app_user=True)


def _directory_roles(customer_id: str, user_id: str) -> PageSpec[DirectoryRole]:
    """The directory roles the user holds (``Company Administrator`` for a global admin)."""
    return PageSpec(
        Call(
            "GET",
            _users_path(customer_id, user_id) + "/directoryroles",
            collection(DirectoryRole),
            app_user=True,
        )
    )


def _reset_password(
    customer_id: str,
    user_id: str,
    password: str,
    *,
    force_change_password: bool = True,
    request_id: str | None = None,
) -> Call[CustomerUser]:
    """Reset a user's password (not offered in China or US Government)."""
    body = {
        "passwordProfile": {"password": password, "forceChangePassword": force_change_password},
        "attributes": {"objectType": "CustomerUser"},
    }
    return Call(
        "PATCH",
        _users_path(customer_id, user_id),
        model(CustomerUser),
        json=body,
        app_user=True,
        capability="supports_password_reset",
        request_id=request_id,
    )


def _delete(customer_id: str, user_id: str, *, request_id: str | None = None) -> Call[bool]:
    """Delete a user (``204``): Partner Center keeps it ``inactive`` for 30 days, listed with
    the ``UserState`` filter, and frees its licences."""
    return Call(
        "DELETE",
        _users_path(customer_id, user_id),
        status_is(204),
        app_user=True,
        capability="supports_user_creation",
        request_id=request_id,
    )


def _update_licenses(
    customer_id: str,
    user_id: str,
    *,
    assign: Sequence[str | LicenseAssignment] = (),
    remove: Sequence[str] = (),
    request_id: str | None = None,
) -> Call[LicenseUpdate]:
    """Assign and remove licences (product SKU ids) of one user (400 60012: none left)."""
    if not assign and not remove:
        raise ValueError("nothing to assign or remove")
    assignments = [
        item if isinstance(item, LicenseAssignment) else LicenseAssignment(sku_id=item)
        for item in assign
    ]
    body = {
        "licensesToAssign": [item.to_wire() for item in assignments],
        "licensesToRemove": list(remove),
    }
    return Call(
        "POST",
        _users_path(customer_id, user_id) + "/licenseupdates",
        model(LicenseUpdate),
        json=body,
        app_user=True,
        capability="supports_licence_management",
        request_id=request_id,
    )


def _licenses(
    customer_id: str, user_id: str, *, license_group: str | None = None
) -> PageSpec[License]:
    """The licences assigned to a user; ``license_group`` (``"Group1"`` or ``"Group2"``)
    keeps one licence group."""
    return PageSpec(
        Call(
            "GET",
            _users_path(customer_id, user_id) + "/licenses",
            collection(License),
            params=_group(license_group),
            app_user=True,
            capability="supports_licence_management",
        )
    )


def _subscribed_skus(
    customer_id: str, *, license_group: str | None = None
) -> PageSpec[SubscribedSku]:
    """Licence counts per SKU: available, active, consumed and total units (not offered in
    China, where licences are not managed through Partner Center); ``license_group``
    (``"Group1"`` or ``"Group2"``) keeps one licence group."""
    return PageSpec(
        Call(
            "GET",
            f"/v1/customers/{quote(customer_id)}/subscribedskus",
            collection(SubscribedSku),
            params=_group(license_group),
            app_user=True,
            capability="supports_licence_management",
        )
    )


class _UserOperations:
    create = operation(_create)
    list = listing(_list)
    get = operation(_get)
    directory_roles = listing(_directory_roles)
    reset_password = operation(_reset_password)
    delete = operation(_delete)
    update_licenses = operation(_update_licenses)
    licenses = listing(_licenses)


class _SkuOperations:
    list = listing(_subscribed_skus)


class Users(SyncResource, _UserOperations):
    """``client.users``: customer users and their licences."""


class AsyncUsers(AsyncResource, _UserOperations):
    """``client.users`` (async): customer users and their licences."""


class SubscribedSkus(SyncResource, _SkuOperations):
    """``client.subscribed_skus``: licence counts per SKU."""


class AsyncSubscribedSkus(AsyncResource, _SkuOperations):
    """``client.subscribed_skus`` (async): licence counts per SKU."""
