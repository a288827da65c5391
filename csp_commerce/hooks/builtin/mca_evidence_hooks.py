"""The MCA evidence recorder: a plugin writing every ``csp_record_mca_acceptance`` into an
:class:`~csp_commerce.store.mca_log.McaEvidenceLog`.

Not registered by default (it needs a log): ``Checkout(mca_log=log)`` adds it, under the name
``csp_commerce.mca_log``, to the manager it judges with; a host may also register it itself::

    hooks.register(McaEvidencePlugin(log))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl

if TYPE_CHECKING:
    from csp_commerce.models import McaAcceptance
    from csp_commerce.store.mca_log import McaEvidenceLog


class McaEvidencePlugin:
    """The plugin that writes every ``csp_record_mca_acceptance`` into ``log``."""

    def __init__(self, log: McaEvidenceLog) -> None:
        self.log = log

    @hookimpl
    def csp_record_mca_acceptance(self, acceptance: McaAcceptance) -> None:
        """Append the acceptance to the evidence log."""
        self.log.append(acceptance)


__all__ = ["McaEvidencePlugin"]
