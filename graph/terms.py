"""Namespaces and the IRI scheme.

Vocabulary terms (ontology, SKOS schemes) live under fixed, persistent namespaces
(``https://w3id.org/factgraph/...``). Instance data (articles, claims, agents, places,
conflicts, named graphs) is minted under a configurable base IRI, so a deployment's
IRIs dereference on its own host. IRIs are deterministic: the same article gives the
same IRIs on every rebuild.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata

from rdflib import Namespace as _RdflibNamespace
from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD


class Namespace(_RdflibNamespace):
    """An rdflib ``Namespace`` that makes each attribute term once: rdflib's builds a new
    ``URIRef`` (and checks it) at every ``FG.claimant``, about 400 times an article in
    mapping. ``ns[name]`` is not kept (any text may come through it)."""

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)
        self.__dict__[name] = term  # found without __getattr__ next time
        return term


FG = Namespace("https://w3id.org/factgraph/ontology#")
FGQ = Namespace("https://w3id.org/factgraph/quantity/")  # quantity kinds (SKOS)
FGB = Namespace("https://w3id.org/factgraph/bound/")  # bounds (SKOS)
FGC = Namespace("https://w3id.org/factgraph/confidence/")  # hedges and verdicts (SKOS)
FGK = Namespace("https://w3id.org/factgraph/conflict/")  # conflict kinds (SKOS)
FGA = Namespace("https://w3id.org/factgraph/review-action/")  # review actions (SKOS)
FGR = Namespace("https://w3id.org/factgraph/rating/")  # the default rating scale (SKOS)
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
TIME = Namespace("http://www.w3.org/2006/time#")
WD = Namespace("http://www.wikidata.org/entity/")
SH = Namespace("http://www.w3.org/ns/shacl#")
VOID = Namespace("http://rdfs.org/ns/void#")

DEFAULT_BASE = "http://127.0.0.1:5000/"

PREFIXES = {
    "fg": FG,
    "fgq": FGQ,
    "fgb": FGB,
    "fgc": FGC,
    "fgk": FGK,
    "schema": SCHEMA,
    "oa": OA,
    "time": TIME,
    "prov": PROV,
    "skos": SKOS,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "dcterms": DCTERMS,
    "wd": WD,
}


def local_name(iri: str) -> str:
    """The last segment of an IRI, after its last '/' or '#' (a trailing '/' ignored):
    a vocabulary term's notation (``fgb:at_least`` -> ``at_least``)."""
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def base_iri() -> str:
    """The configured base for minted IRIs (``FACTGRAPH_BASE``), ending in '/'."""
    base = os.environ.get("FACTGRAPH_BASE", DEFAULT_BASE)
    return base if base.endswith("/") else base + "/"


def slug(text: str, empty: str = "x") -> str:
    """A stable, IRI-safe slug: ASCII, lower case, [a-z0-9_-]; ``empty`` when nothing
    is left (a name with no ASCII letter, digit, '_' or '-')."""
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9_-]+", "-", s).strip("-")
    return s or empty


# what an IRI may not hold (RFC 3987): controls, space, and <>"{}|\^`
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f]|%(?![0-9A-Fa-f]{2})')  # and a '%' not encoding a byte


_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


def is_iri(text: str) -> bool:
    """Whether ``text`` can be an IRI a store accepts (a path from a request may not be):
    no forbidden character, no '%' that encodes no byte, and brackets only in a host."""
    if not text or _NOT_IN_IRI.search(text):
        return False
    authority = _AUTHORITY.match(text)
    rest = text[authority.end():] if authority else text
    return "[" not in rest and "]" not in rest


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def is_absolute_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI (a scheme, then IRI characters): what a request
    parameter naming a resource (a filter, a graph) must be before it reaches a query."""
    return is_iri(text) and _SCHEME.match(text) is not None


class Iris:
    """Mints the IRIs of one deployment (one base)."""

    def __init__(self, base: str | None = None):
        self.base = (base or base_iri()).rstrip("/") + "/"

    def _iri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    # named graphs
    def article_graph(self, article_id: str) -> URIRef:
        return self._iri(f"graph/article/{article_id}")

    def inferred_graph(self, article_id: str) -> URIRef:
        return self._iri(f"graph/inferred/{article_id}")

    @property
    def conflicts_graph(self) -> URIRef:
        return self._iri("graph/conflicts")

    @property
    def conflict_keys_graph(self) -> URIRef:
        """The figure claims by place and month their period ends (``conflict_keys.py``)."""
        return self._iri("graph/conflict-keys")

    @property
    def status_graph(self) -> URIRef:
        """Marks saying derived data is stale (see ``staleness.py``); empty when current."""
        return self._iri("graph/status")

    @property
    def vocabulary_graph(self) -> URIRef:
        """Ontology, SKOS schemes, gazetteer and agents, loaded once."""
        return self._iri("graph/vocabulary")

    @property
    def lexicon_graph(self) -> URIRef:
        """What articles introduced that the vocabulary files lack: sources, places from
        the open gazetteer, minted quantity kinds. Grows with every ingest."""
        return self._iri("graph/lexicon")

    @property
    def lexicon_closure_graph(self) -> URIRef:
        """What OWL-RL infers about the lexicon's sources, places and kinds (their classes):
        once here, not again in the inferred graph of every article that names them."""
        return self._iri("graph/lexicon-inferred")

    @property
    def vocabulary_closure_graph(self) -> URIRef:
        """OWL-RL closure of the vocabulary graph, computed once."""
        return self._iri("graph/vocabulary-inferred")

    def review_graph(self, article_id: str) -> URIRef:
        """What reviewers said about one article's claims: revisions, verdicts, added claims."""
        return self._iri(f"graph/review/{article_id}")

    @property
    def reviewers_graph(self) -> URIRef:
        """The reviewers (``fg:Reviewer``, name only)."""
        return self._iri("graph/reviewers")

    # resources
    def conflict_key(self, month: str, kind: str, place: str, within: bool = False) -> URIRef:
        """The conflict key of a month ('YYYY-MM' or 'undated'), a quantity kind (the local
        name of its IRI) and a place ('' for none), of the claims at the place or, with
        ``within``, at it or inside it: the month, then a digest of the rest (IRIs of any
        length, one segment)."""
        digest = hashlib.sha256(f"{'in' if within else 'at'} {kind} {place}".encode()).hexdigest()[:20]
        return self._iri(f"conflict-key/{month}/{digest}")

    def reviewer(self, name: str) -> URIRef:
        return self._iri(f"reviewer/{name}")

    def revision(self, key: str) -> URIRef:
        return self._iri(f"revision/{key}")

    def verdict(self, key: str) -> URIRef:
        return self._iri(f"verdict/{key}")

    def article(self, article_id: str) -> URIRef:
        return self._iri(f"article/{article_id}")

    def claim(self, key: str) -> URIRef:
        return self._iri(f"claim/{key}")

    def statement(self, key: str) -> URIRef:
        return self._iri(f"statement/{key}")

    def agent(self, key: str) -> URIRef:
        return self._iri(f"agent/{key}")

    def place(self, key: str) -> URIRef:
        return self._iri(f"place/{key}")

    def outlet(self, key: str) -> URIRef:
        return self._iri(f"outlet/{key}")

    def conflict(self, key: str) -> URIRef:
        return self._iri(f"conflict/{key}")

    def activity(self, key: str) -> URIRef:
        return self._iri(f"activity/{key}")

    def software(self, version: str) -> URIRef:
        return self._iri(f"software/factgraph/{version}")

    def key_of(self, iri: str, kind: str) -> str | None:
        """Inverse of the minting functions: 'claim', IRI -> key (or None)."""
        prefix = f"{self.base}{kind}/"
        return iri[len(prefix):] if iri.startswith(prefix) else None
