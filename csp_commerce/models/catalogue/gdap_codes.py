"""Problems of GDAP relationships and access assignments (``validation/gdap_rules.py``), found
before any request is sent."""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

GDAP_UNKNOWN_ROLE = ProblemType(
    "gdap.role.unknown",
    "roles",
    "{role} is not a role GDAP can grant (use an Entra built-in role name or its id).",
)
GDAP_NO_ROLES = ProblemType(
    "gdap.role.required",
    "roles",
    "A GDAP relationship or access assignment needs at least one role.",
)
GDAP_ROLE_NOT_IN_RELATIONSHIP = ProblemType(
    "gdap.role.not_in_relationship",
    "roles",
    "{role} is not one of the relationship's roles; an access assignment can only give those.",
)
GDAP_DURATION_INVALID = ProblemType(
    "gdap.duration.invalid",
    "duration",
    "{duration} is not an ISO 8601 duration in days, weeks, months or years (e.g. P730D).",
)
GDAP_DURATION_OUT_OF_RANGE = ProblemType(
    "gdap.duration.out_of_range",
    "duration",
    "A GDAP relationship lasts from one day to two years (P1D to P2Y); {duration} is {days} days.",
)
GDAP_AUTO_EXTEND_INVALID = ProblemType(
    "gdap.auto_extend.invalid",
    "auto_extend",
    "autoExtendDuration can be P180D or PT0S (never), not {value}.",
)
GDAP_DISPLAY_NAME_INVALID = ProblemType(
    "gdap.display_name.invalid",
    "display_name",
    "A GDAP relationship's display name has 1 to 50 characters; {display_name} has {length}.",
)
GDAP_DISPLAY_NAME_TAKEN = ProblemType(
    "gdap.display_name.taken",
    "display_name",
    "The partner already has a GDAP relationship named {display_name}; display names are unique.",
)
