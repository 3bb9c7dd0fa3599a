"""The reader's language and the labels of what a page shows.

Labels are shown in the reader's language (``?lang=fr|en``, else ``Accept-Language``),
falling back to the other one, then to the IRI's local name.
"""

from __future__ import annotations

from collections import defaultdict

from flask import request
from rdflib import Literal
from rdflib.term import Node

LANGS = ("en", "fr")

UI: dict[str, dict[str, str]] = {
    "en": {
        "claims": "Claims",
        "claim": "Claim",
        "articles": "Articles",
        "sources": "Sources",
        "conflicts": "Conflicts",
        "search": "Search",
        "claimant": "Claimant",
        "figure": "Figure",
        "interval": "Interval",
        "quantity": "Quantity",
        "place": "Place",
        "period": "Period",
        "stated_on": "Stated on",
        "confidence": "Speaker's confidence",
        "verdicts": "Reliability verdicts",
        "quote": "Where it was read",
        "provenance": "Provenance",
        "related": "Related claims",
        "all": "All statements",
        "article": "Article",
        "outlet": "Outlet",
        "date": "Date",
        "extraction": "Extraction",
        "software": "Software",
        "text": "Text",
        "chart": "Figures over time",
        "mark_dot": "exact figure",
        "mark_ring": "approximate",
        "mark_up": "at least / more than",
        "mark_down": "at most / less than",
        "mark_bar": "range",
        "bound_at_least": "at least",
        "bound_more_than": "more than",
        "bound_at_most": "at most",
        "bound_less_than": "less than",
        "bound_about": "about",
        "any": "any",
        "downloads": "Downloads",
        "queries": "Stored queries",
        "sparql": "SPARQL endpoint",
        "ontology": "Ontology",
        "used_by": "Used by",
        "words": "in the speaker's words",
        "value": "Value",
        "show": "Show",
        "none": "nothing found",
        "given": "Verdicts given on others' reports",
        "next": "Next page",
        "first": "First page",
        "kind": "Kind",
        "severity": "Severity",
        "ratio": "Ratio",
        "gap": "Gap",
        "explanation": "Explanation",
        "filter": "Filter",
        "versus": "versus",
        "lies_in": "Lies in",
        "within": "Places within it with claims",
        "claims_here_within": "%d here, %d in the places within it",
        "place_world": "the world",
        "place_continent": "continent",
        "place_country": "country",
        "place_region": "region",
        "place_city": "city",
        "place_site": "site",
        "place_sea": "sea",
        "agent_type": "Type",
        "variants": "Also written",
        "notation": "Notation",
        "scheme": "Scheme",
        "broader": "Broader kinds",
        "narrower": "Narrower kinds",
        "counted": "As the articles write it",
        "counted_text": "What is counted",
        "more": "More",
    },
    "fr": {
        "claims": "Affirmations",
        "claim": "Affirmation",
        "articles": "Articles",
        "sources": "Sources",
        "conflicts": "Contradictions",
        "search": "Rechercher",
        "claimant": "Auteur",
        "figure": "Chiffre",
        "interval": "Intervalle",
        "quantity": "Quantité",
        "place": "Lieu",
        "period": "Période",
        "stated_on": "Déclaré le",
        "confidence": "Assurance de l'auteur",
        "verdicts": "Avis de fiabilité",
        "quote": "Où cela a été lu",
        "provenance": "Provenance",
        "related": "Affirmations liées",
        "all": "Tous les énoncés",
        "article": "Article",
        "outlet": "Média",
        "date": "Date",
        "extraction": "Extraction",
        "software": "Logiciel",
        "text": "Texte",
        "chart": "Chiffres dans le temps",
        "mark_dot": "chiffre exact",
        "mark_ring": "approximatif",
        "mark_up": "au moins / plus de",
        "mark_down": "au plus / moins de",
        "mark_bar": "fourchette",
        "bound_at_least": "au moins",
        "bound_more_than": "plus de",
        "bound_at_most": "au plus",
        "bound_less_than": "moins de",
        "bound_about": "environ",
        "any": "tous",
        "downloads": "Téléchargements",
        "queries": "Requêtes enregistrées",
        "sparql": "Point d'accès SPARQL",
        "ontology": "Ontologie",
        "used_by": "Utilisé par",
        "words": "selon les mots de l'auteur",
        "value": "Valeur",
        "show": "Afficher",
        "none": "aucun résultat",
        "given": "Avis donnés sur les rapports d'autres sources",
        "next": "Page suivante",
        "first": "Première page",
        "kind": "Type",
        "severity": "Gravité",
        "ratio": "Rapport",
        "gap": "Écart",
        "explanation": "Explication",
        "filter": "Filtrer",
        "versus": "contre",
        "lies_in": "Situé dans",
        "within": "Lieux qu'il contient ayant des affirmations",
        "claims_here_within": "%d ici, %d dans les lieux qu'il contient",
        "place_world": "le monde",
        "place_continent": "continent",
        "place_country": "pays",
        "place_region": "région",
        "place_city": "ville",
        "place_site": "site",
        "place_sea": "mer",
        "agent_type": "Type",
        "variants": "Aussi écrit",
        "notation": "Notation",
        "scheme": "Schéma",
        "broader": "Types plus généraux",
        "narrower": "Types plus précis",
        "counted": "Tel que les articles l'écrivent",
        "counted_text": "Ce qui est compté",
        "more": "Plus",
    },
}


def current_lang() -> str:
    lang = request.args.get("lang")
    if lang in LANGS:
        return lang
    return request.accept_languages.best_match(LANGS) or "en"


def local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


class Labels:
    """Labels gathered from query rows: IRI -> {language: text}; ``get`` picks one."""

    def __init__(self, lang: str):
        self.lang = lang
        self._by_iri: dict[str, dict[str, str]] = defaultdict(dict)

    def add(self, iri: Node | None, label: Node | None) -> None:
        if iri is not None and isinstance(label, Literal):
            self._by_iri[str(iri)].setdefault(label.language or "", str(label))

    def get(self, iri: Node | str | None) -> str:
        if iri is None:
            return ""
        found = self._by_iri.get(str(iri), {})
        for lang in (self.lang, "en", "fr", ""):
            if lang in found:
                return found[lang]
        return next(iter(found.values()), None) or local_name(str(iri))
