"""The home page (counts, articles, links; the counts cached with the store's version)
and the search page (text and claimant, quantity and place facets)."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, request
from rdflib import Literal, URIRef
from rdflib.term import Identifier

from factgraph.graph import numbers
from factgraph.graph.mapping import number_literal

from ..accounts import review_off
from ..errors import filter_iris
from .language import UI, Labels, current_lang
from .rendering import cached_rows, graph_list, page, paged_rows, rows, store_version
from .reviewing import queue_counts

RESULTS = 200  # claims a search page lists (a page ends with a whole article: a few more at most)


def has_route(path: str) -> bool:
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(path)
    except Exception:  # noqa: BLE001 - NotFound, MethodNotAllowed, RequestRedirect
        return False
    return endpoint != "resources.resource"


def home_counts() -> Any:
    """The home page's counts (``home_counts.rq`` scans every claim: ~80 ms with 100k),
    cached with the ``store_version`` they were computed for, recomputed when it changes."""
    version = store_version()
    cached = current_app.extensions.get("factgraph.cache.home_counts")
    if cached is not None and cached[0] == version:
        return cached[1]
    found = rows("home_counts")
    # plain data: the page may be rendered in a worker that hands the cache back (bounded_views)
    counts = SimpleNamespace(**{name: found[0][name] for name in found[0].labels}) if found else None
    current_app.extensions["factgraph.cache.home_counts"] = (version, counts)
    return counts


def home() -> Response:
    counts = home_counts()
    articles = rows("home_articles")
    links = [
        (path, key)
        for path, key in (
            ("/search", "search"),
            ("/queries", "queries"),
            ("/conflicts", "conflicts"),
            ("/downloads", "downloads"),
            ("/sparql", "sparql"),
            ("/ontology", "ontology"),
        )
        if path == "/ontology" or has_route(path)
    ]

    return page(
        "home.html",
        title="factgraph",
        counts=counts,
        review_counts=queue_counts() if review_off() is None else None,  # a newsroom that reviews
        articles=articles,
        links=links,
        facets=None,
    )


def facets() -> dict[str, list[tuple[str, str]]]:
    labels = Labels(current_lang())
    found: dict[str, set[str]] = defaultdict(set)
    # every claim's claimant, kind and place (~300 ms at 100k claims): read once per data version
    for row in cached_rows("search_facets"):
        labels.add(row.value, row.label)
        found[str(row.facet)].add(str(row.value))
    return {
        facet: sorted(((v, labels.get(v)) for v in values), key=lambda t: t[1])
        for facet, values in found.items()
    }


NUMBER_RE = re.compile(r"\d[\d\s.,\u00a0\u202f']*")


def figure_values(text: str) -> list[float]:
    """The values a search text may mean as a figure: '1300', '1 300', '1,300' and '1.300'
    are 1300 (and '1.300' may be the English 1.3); '7.5' is 7.5. Nothing for words."""
    if not NUMBER_RE.fullmatch(text.strip()):
        return []
    t = text.strip()
    values = set()
    try:
        values.add(numbers.parse_digits(t))
    except ValueError:
        pass
    if re.fullmatch(r"\d+\.\d+", t):
        values.add(float(t))
    return sorted(values)


def search() -> Response:
    args: Mapping[str, str] = request.args
    bindings: dict[str, Identifier] = {
        name: URIRef(value) for name, value in filter_iris(args, ("claimant", "quantity", "place")).items()
    }
    text = args.get("q", "").strip()
    after = args.get("after", "") if text else ""
    searched = bool(text or bindings)
    results: list[Any] = []
    scanned = None  # (articles read so far, articles in all, the graph to go on after) of a text search
    if searched:
        seen: set[str] = set()
        # a number finds the claims of that figure however the text wrote it ("1300": "1.300",
        # "1,300", "plus de 1 300"), on the first page; then, with a text, the claims matching
        # it (search_text.rq), SEARCH_SCAN_ARTICLES article graphs a page at most; else the
        # facets alone
        found = (
            [rows("search_figure", n=number_literal(n), **bindings) for n in figure_values(text)]
            if not after
            else []
        )
        if text:
            terms: dict[str, Any] = {**bindings, "q": Literal(text)}  # Any: mypy reads ** as maybe by_claim
            scan = int(current_app.config["SEARCH_SCAN_ARTICLES"])
            matched = paged_rows("search_text", after, RESULTS, max_graphs=scan, **terms)
            graphs = graph_list()
            read = bisect.bisect_right(graphs, matched.next_after) if matched.next_after else len(graphs)
            scanned = (read, len(graphs), matched.next_after)
            matching = matched.rows
        else:
            matching = rows("search", q=Literal(text), **bindings)
        for row in [r for batch in found for r in batch] + matching:
            if str(row.claim) not in seen:
                seen.add(str(row.claim))
                results.append(row)
    same = {k: v for k, v in args.items() if k != "after"}  # the search asked, from its first page
    further = "/search?" + urlencode({**same, "after": scanned[2]}) if scanned and scanned[2] else None
    first = "/search?" + urlencode(same) if after else None
    return page(
        "search.html",
        title=UI[current_lang()]["search"],
        results=results,
        facets=facets(),
        args=args,
        searched=searched,
        scanned=scanned,
        further=further,
        first=first,
    )
