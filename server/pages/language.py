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
        "searched_part": "text searched in articles 1 to %d of %d",
        "search_further": "Search the next articles",
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
        "login": "Log in",
        "logout": "Log out",
        "user_name": "Name",
        "password": "Password",
        "login_wrong": "Wrong name or password.",
        "login_first": "Log in as a reviewer first.",
        "review_queue": "Review queue",
        "review": "Review",
        "reviewed_reading": "Current reading",
        "machine_reading": "machine reading",
        "as_above": "(as above)",
        "reviewed_by": "reviewed by",
        "history": "History",
        "no_history": "Not reviewed yet: this is the machine reading.",
        "confirm": "Confirm this reading",
        "correct": "Save the correction",
        "not_a_claim": "Not a claim",
        "undo": "Undo",
        "undone": "undone",
        "note": "Note",
        "action": "Action",
        "action_confirmed": "confirmed",
        "action_corrected": "corrected",
        "action_not_a_claim": "not a claim",
        "action_added": "added",
        "value_high": "Up to (range)",
        "bound": "Bound",
        "period_start": "Period start",
        "period_end": "Period end",
        "none_option": "—",
        "give_verdict": "Give a verdict",
        "verdict": "Verdict",
        "rating": "Rating",
        "evidence": "Evidence from the graph",
        "evidence_urls": "Evidence URLs (one a line)",
        "reviewer_verdicts": "Fact-checkers' verdicts",
        "claim_reviewed": "Claim reviewed",
        "published": "Published",
        "reviewer": "Reviewer",
        "embedded_markup": "ClaimReview markup",
        "add_claim": "Add a claim the extractor missed",
        "add_claim_help": "Select the sentence or words in the text, then fill in the reading.",
        "selection": "Selected text",
        "start": "Start offset",
        "end": "End offset",
        "queue_empty": "Nothing waiting for a reviewer.",
        "queue_reason": "Why",
        "reason_conflict": "in a conflict",
        "reason_new_source": "new source",
        "reason_low_certainty": "low certainty",
        "waiting": "waiting for review",
        "count_capped": "at least %d (counting stops there)",
        "source": "Source",
        "orphaned": "Orphaned revisions",
        "keys_help": "Keys: j / k to move, Enter to open.",
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
        "searched_part": "texte cherché dans les articles 1 à %d sur %d",
        "search_further": "Chercher dans les articles suivants",
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
        "login": "Se connecter",
        "logout": "Se déconnecter",
        "user_name": "Nom",
        "password": "Mot de passe",
        "login_wrong": "Nom ou mot de passe erroné.",
        "login_first": "Connectez-vous d'abord comme vérificateur.",
        "review_queue": "File de vérification",
        "review": "Vérification",
        "reviewed_reading": "Lecture actuelle",
        "machine_reading": "lecture automatique",
        "as_above": "(comme ci-dessus)",
        "reviewed_by": "vérifiée par",
        "history": "Historique",
        "no_history": "Pas encore vérifiée : c'est la lecture automatique.",
        "confirm": "Confirmer cette lecture",
        "correct": "Enregistrer la correction",
        "not_a_claim": "Pas une affirmation",
        "undo": "Annuler",
        "undone": "annulée",
        "note": "Note",
        "action": "Action",
        "action_confirmed": "confirmée",
        "action_corrected": "corrigée",
        "action_not_a_claim": "pas une affirmation",
        "action_added": "ajoutée",
        "value_high": "Jusqu'à (fourchette)",
        "bound": "Borne",
        "period_start": "Début de la période",
        "period_end": "Fin de la période",
        "none_option": "—",
        "give_verdict": "Rendre un verdict",
        "verdict": "Verdict",
        "rating": "Note",
        "evidence": "Preuves tirées du graphe",
        "evidence_urls": "URL des preuves (une par ligne)",
        "reviewer_verdicts": "Verdicts des vérificateurs",
        "claim_reviewed": "Affirmation vérifiée",
        "published": "Publié",
        "reviewer": "Vérificateur",
        "embedded_markup": "Balisage ClaimReview",
        "add_claim": "Ajouter une affirmation manquée",
        "add_claim_help": "Sélectionnez la phrase ou les mots dans le texte, puis complétez la lecture.",
        "selection": "Texte sélectionné",
        "start": "Début (position)",
        "end": "Fin (position)",
        "queue_empty": "Rien n'attend de vérification.",
        "queue_reason": "Pourquoi",
        "reason_conflict": "dans un conflit",
        "reason_new_source": "nouvelle source",
        "reason_low_certainty": "certitude faible",
        "waiting": "en attente de vérification",
        "count_capped": "au moins %d (le décompte s'arrête là)",
        "source": "Source",
        "orphaned": "Révisions orphelines",
        "keys_help": "Touches : j / k pour se déplacer, Entrée pour ouvrir.",
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

    def add(self, iri: Node | str | None, label: Node | None) -> None:
        if iri is not None and isinstance(label, Literal):
            self._by_iri[str(iri)].setdefault(label.language or "", str(label))

    def texts(self) -> dict[str, dict[str, str]]:
        """The labels gathered: IRI -> {language ('' for none): text}, plain data."""
        return {iri: dict(found) for iri, found in self._by_iri.items()}

    def merge(self, texts: dict[str, dict[str, str]]) -> None:
        """Add ``texts`` (as ``texts()`` gives them), as ``add`` would one by one: a label
        already here for an IRI and language stays."""
        for iri, found in texts.items():
            mine = self._by_iri.get(iri)
            if mine is None:
                self._by_iri[iri] = dict(found)
            else:
                for lang, text in found.items():
                    mine.setdefault(lang, text)

    def get(self, iri: Node | str | None) -> str:
        if iri is None:
            return ""
        found = self._by_iri.get(str(iri), {})
        for lang in (self.lang, "en", "fr", ""):
            if lang in found:
                return found[lang]
        return next(iter(found.values()), None) or local_name(str(iri))
