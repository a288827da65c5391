"""Problems of users and licences (``operations/user_manager.py``) and of the rows of a users CSV
file (``validation/users_csv.py``).
"""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

# Licences (operations/user_manager.py)
NO_FREE_LICENCES = ProblemType(
    "licence.none_available",
    "sku_id",
    "No {sku} licence is free: {consumed} of {total} are assigned. Add seats to the "
    "subscription (or remove a licence from another user) first.",
)
UNKNOWN_SKU = ProblemType(
    "licence.unknown_sku",
    "sku_id",
    "The customer has no subscription for {sku}; see its subscribed SKUs.",
)
LICENCE_NOT_ASSIGNED = ProblemType(
    "licence.not_assigned",
    "sku_id",
    "User {user_id} has no {sku} licence to remove.",
)

# Users (operations/user_manager.py)
USER_NOT_FOUND = ProblemType(
    "user.not_found",
    "user_id",
    "The customer has no user {user_id}.",
)
USAGE_LOCATION_MISSING = ProblemType(
    "user.usage_location.missing",
    "usage_location",
    "A usage location (two-letter country code) is needed to create a user or assign a licence.",
)
NAMES_REQUIRED = ProblemType(
    "user.name.required",
    "first_name",
    "A new user needs a first name and a last name.",
)
USER_REFUSED = ProblemType(
    "user.refused",
    "user_principal_name",
    "Partner Center refused user {user}: {reason}",
)
# A row of a users CSV file (validation/users_csv.py)
INVALID_PRINCIPAL_NAME = ProblemType(
    "user.principal_name.invalid",
    "user_principal_name",
    "{value} is not a user principal name such as name@contoso.onmicrosoft.com.",
)
INVALID_USAGE_LOCATION = ProblemType(
    "user.usage_location.invalid",
    "usage_location",
    "{value} is not a two-letter country code (the usage location).",
)
USAGE_LOCATION_REQUIRED = ProblemType(
    "user.usage_location.required",
    "usage_location",
    "A usage location is needed to assign licences.",
)
INVALID_NAME = ProblemType(
    "user.name.invalid",
    None,
    "The {column} must have between {minimum} and {maximum} characters.",
)
INVALID_LICENCES = ProblemType(
    "user.licences.invalid",
    "licences",
    "Licences are SKU ids separated by semicolons.",
)

# The CSV file itself
MISSING_COLUMN = ProblemType(
    "users_csv.missing_column",
    "columns",
    "The CSV file needs a column {column}.",
)
UNKNOWN_COLUMN = ProblemType(
    "users_csv.unknown_column",
    "columns",
    "The CSV file's column {column} is not known.",
)
EXTRA_CELLS = ProblemType(
    "users_csv.extra_cells",
    None,
    "The row has more cells than the header has columns.",
)
DUPLICATE_USER = ProblemType(
    "users_csv.duplicate_user",
    "user_principal_name",
    "{value} is already in the file (row {first_row}).",
)
UNREADABLE = ProblemType(
    "users_csv.unreadable",
    None,
    "The CSV file cannot be read: {reason}.",
)
EMPTY = ProblemType(
    "users_csv.empty",
    "rows",
    "The CSV file has no header row.",
)
