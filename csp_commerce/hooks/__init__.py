"""Plugging into csp_commerce: the hook implementation marker and the project name.

A host plugin is any module or object with functions named after the hooks
(``csp_<verb>_<noun>``) and marked with :data:`hookimpl`. Register it through the
``csp_commerce`` entry-point group::

    [project.entry-points.csp_commerce]
    my_rules = "my_package.rules"

or at run time with ``HookManager.register(plugin)``. The hooks are listed in the README.
"""

from __future__ import annotations

import pluggy

NAME = "csp_commerce"
hookimpl = pluggy.HookimplMarker(NAME)

__all__ = ["NAME", "hookimpl"]
