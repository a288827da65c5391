"""An example csp_commerce host plugin (see :mod:`csp_commerce_example_plugin.rules`)."""

from __future__ import annotations
