"""Problems of an address: country, control characters, required fields, state, postal code,
registration number and phone (the rules are in ``validation/address_rules.py``).
"""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

# Country
COUNTRY_REQUIRED = ProblemType(
    "country.required",
    "country",
    "Choose the country of the address (its two-letter code, for example US).",
)
COUNTRY_UNKNOWN = ProblemType(
    "country.unknown",
    "country",
    "'{value}' is not a country code Partner Center knows: "
    "enter the two-letter ISO code, for example {example}.",
)
COUNTRY_NOT_SUPPORTED = ProblemType(
    "country.not_supported",
    "country",
    "Microsoft cloud services cannot be sold to customers in {country}.",
)

# Characters
CONTROL_CHARACTERS = ProblemType(
    "address.control_characters",
    None,
    "Remove the invisible characters (line breaks, tabs or similar) from this field.",
)

# Street and city
ADDRESS_LINE1_REQUIRED = ProblemType(
    "address_line1.required",
    "address_line1",
    "Enter the street address (address line 1).",
)
CITY_REQUIRED = ProblemType(
    "city.required",
    "city",
    "Enter the city: it is required for addresses in {country}.",
)

# State
STATE_REQUIRED = ProblemType(
    "state.required",
    "state",
    "Choose the state or province: it is required for addresses in {country}.",
)
STATE_UNKNOWN = ProblemType(
    "state.unknown",
    "state",
    "'{state}' is not a state or province of {country} that Partner Center accepts: "
    "use its code, for example {example}.",
)

# Postal code
POSTAL_CODE_REQUIRED = ProblemType(
    "postal_code.required",
    "postal_code",
    "Enter the postal code: it is required for addresses in {country} (for example {example}).",
)
POSTAL_CODE_INVALID = ProblemType(
    "postal_code.invalid",
    "postal_code",
    "'{value}' is not a valid postal code in {country}: "
    "check it and enter it in the local format, for example {example}.",
)
POSTAL_CODE_UNALLOCATED = ProblemType(
    "postal_code.unallocated",
    "postal_code",
    "'{value}' has the format of a postal code in {country}, but no post office there uses "
    "it: check the postal code (for example {example}).",
)
POSTAL_CODE_STATE_MISMATCH = ProblemType(
    "postal_code.state_mismatch",
    "postal_code",
    "The postal code '{value}' is not in {state}: check the postal code, "
    "or choose the state or province it belongs to.",
)

# Registration number (AM AZ BY HU KZ KG MD RU TJ UZ UA)
REGISTRATION_NUMBER_REQUIRED = ProblemType(
    "organization_registration_number.required",
    "organization_registration_number",
    "Enter the organisation's registration number: Partner Center requires it for customers "
    "in {country}.",
)
REGISTRATION_NUMBER_NOT_ACCEPTED = ProblemType(
    "organization_registration_number.not_accepted",
    "organization_registration_number",
    "Leave the organisation's registration number empty: Partner Center only accepts it for "
    "customers in Armenia, Azerbaijan, Belarus, Hungary, Kazakhstan, Kyrgyzstan, Moldova, "
    "Russia, Tajikistan, Ukraine and Uzbekistan.",
)

# Phone number
PHONE_NUMBER_REQUIRED = ProblemType(
    "phone_number.required",
    "phone_number",
    "Enter a phone number: Partner Center requires it for customers in {country}.",
)
PHONE_NUMBER_INVALID = ProblemType(
    "phone_number.invalid",
    "phone_number",
    "'{value}' is not a phone number Partner Center accepts for {country}: "
    "check the number and its country calling code.",
)

# VAT number and tax id (Partner Center's countryvalidationrules)
VAT_ID_INVALID = ProblemType(
    "vat_id.invalid",
    "vat_id",
    "'{value}' is not a VAT number of {country}: enter it as the tax authority issued it, "
    "with its country prefix.",
)
VAT_ID_NOT_SUPPORTED = ProblemType(
    "vat_id.not_supported",
    "vat_id",
    "Leave the VAT number empty: Partner Center takes none for customers in {country}.",
)
TAX_ID_REQUIRED = ProblemType(
    "tax_id.required",
    "tax_id",
    "Enter the organisation's tax id: Partner Center requires it for customers in {country} "
    "(for example {example}).",
)
TAX_ID_INVALID = ProblemType(
    "tax_id.invalid",
    "tax_id",
    "'{value}' is not a tax id of {country}: enter it in the form {format}, for example {example}.",
)
TAX_ID_NOT_SUPPORTED = ProblemType(
    "tax_id.not_supported",
    "tax_id",
    "Leave the tax id empty: Partner Center takes none for customers in {country}.",
)
