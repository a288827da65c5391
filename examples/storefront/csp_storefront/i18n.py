"""The storefront's language: the user's choice, else the request's ``Accept-Language``.

Problems are rendered by :func:`csp_commerce.render_problem` (the library's message catalogues);
the storefront's own labels are the few strings in :data:`LABELS`.
"""

from __future__ import annotations

from babel import Locale

#: The languages the storefront offers, and the locale each renders Problems and money in.
LANGUAGES = {"en": "en_US", "de": "de_DE", "fr": "fr_FR"}
DEFAULT = "en"

LABELS: dict[str, dict[str, str]] = {
    "de": {
        "Sign in": "Anmelden",
        "Sign out": "Abmelden",
        "Customers": "Kunden",
        "New customer": "Neuer Kunde",
        "Link an existing tenant": "Bestehenden Mandanten verknüpfen",
        "Approvals": "Freigaben",
        "Order": "Bestellen",
        "Place the order": "Bestellung aufgeben",
        "Problems": "Probleme",
        "Nothing was placed.": "Es wurde nichts bestellt.",
        "Price": "Preis",
        "Margin": "Marge",
        "Quantity": "Menge",
        "Billing cycle": "Abrechnungszeitraum",
        "Term": "Laufzeit",
        "Subscriptions": "Abonnements",
        "Orders": "Bestellungen",
        "Status": "Status",
        "Save": "Speichern",
        "Approve": "Freigeben",
        "Reject": "Ablehnen",
        "Reason": "Grund",
        "Language": "Sprache",
        "Microsoft Customer Agreement": "Microsoft-Kundenvertrag",
    },
    "fr": {
        "Sign in": "Se connecter",
        "Sign out": "Se déconnecter",
        "Customers": "Clients",
        "New customer": "Nouveau client",
        "Link an existing tenant": "Lier un locataire existant",
        "Approvals": "Approbations",
        "Order": "Commander",
        "Place the order": "Passer la commande",
        "Problems": "Problèmes",
        "Nothing was placed.": "Rien n'a été commandé.",
        "Price": "Prix",
        "Margin": "Marge",
        "Quantity": "Quantité",
        "Billing cycle": "Cycle de facturation",
        "Term": "Durée",
        "Subscriptions": "Abonnements",
        "Orders": "Commandes",
        "Status": "Statut",
        "Save": "Enregistrer",
        "Approve": "Approuver",
        "Reject": "Refuser",
        "Reason": "Motif",
        "Language": "Langue",
        "Microsoft Customer Agreement": "Contrat client Microsoft",
    },
}


def negotiate(accept_language: str | None) -> str:
    """The best of :data:`LANGUAGES` for an ``Accept-Language`` header (quality-ordered)."""
    wanted: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            wanted.append((-quality, index, tag.replace("-", "_")))
    preferred = [tag for _, _, tag in sorted(wanted)]
    found = Locale.negotiate(preferred, list(LANGUAGES), sep="_")
    return found.language if found is not None else DEFAULT


def label(language: str, text: str) -> str:
    """The storefront's label ``text`` in ``language`` (English when it has none)."""
    return LABELS.get(language, {}).get(text, text)
