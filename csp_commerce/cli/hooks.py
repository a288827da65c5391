"""``csp-commerce hooks``: every hook, how it combines answers, and the plugins implementing it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_OK

if TYPE_CHECKING:
    import argparse

    from csp_commerce.hooks.manager import HookInfo


def register(subparsers: Any) -> None:
    """Add ``hooks`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "hooks",
        help="list the hooks and the plugins implementing each",
        description=(
            "List every csp_commerce hook: firstresult (the first answer wins) or collected "
            "(every plugin's answers together), what it is for, and its plugins in the order "
            "they run (built-ins are marked; firstresult built-ins answer last)."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--block",
        action="append",
        default=[],
        metavar="NAME",
        help="leave this plugin out (entry-point or built-in module name); repeatable",
    )
    parser.add_argument(
        "--no-entry-points",
        action="store_true",
        help="only the built-ins: do not load the installed csp_commerce plugins",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the hooks of a :class:`HookManager` with the built-ins and installed plugins."""
    from csp_commerce.hooks.manager import BUILTIN_PLUGINS, HookManager

    manager = HookManager(entry_points=not args.no_entry_points, block=args.block)
    hooks = manager.hooks()
    builtins = frozenset(BUILTIN_PLUGINS)
    if args.json:
        print(json.dumps([_as_json(hook, builtins) for hook in hooks], indent=2))
        return EXIT_OK
    for hook in hooks:
        kind = "firstresult" if hook.firstresult else "collected"
        print(f"{hook.name}  ({kind})")
        if hook.doc:
            print(f"    {_summary(hook.doc)}")
        for plugin in hook.plugins or ("(no plugin)",):
            mark = "  [built-in]" if plugin in builtins else ""
            print(f"    - {plugin}{mark}")
    return EXIT_OK


def _summary(doc: str) -> str:
    return doc.strip().splitlines()[0].strip()


def _as_json(hook: HookInfo, builtins: frozenset[str]) -> dict[str, Any]:
    return {
        "name": hook.name,
        "firstresult": hook.firstresult,
        "summary": _summary(hook.doc) if hook.doc else "",
        "plugins": [{"name": name, "builtin": name in builtins} for name in hook.plugins],
    }
