"""The root of every exception csp_commerce raises.

Exceptions are for the program's and the network's failures; the customer's mistakes are
Problems (:class:`csp_commerce.models.Problem`). Partner Center's errors live in
:mod:`csp_commerce.provisioning.errors` and derive from :class:`CSPCommerceError`.
"""

from __future__ import annotations


class CSPCommerceError(Exception):
    """Base class of every csp_commerce exception."""


class ConfigurationError(CSPCommerceError):
    """The library was set up wrongly (a missing credential, an unknown cloud, a bad path)."""


class InputError(CSPCommerceError):
    """Input the library cannot use at all (a malformed order file, a wrong type).

    Raised for input that never became a model; once it is a model, mistakes are Problems.
    """


class PluginError(CSPCommerceError):
    """A host plugin broke the hook contract (e.g. returned the wrong type)."""
