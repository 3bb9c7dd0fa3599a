"""OWL-RL reasoning: the vocabulary closure, its cache, and per-article inference."""

from rdflib.compare import isomorphic

from factgraph.graph import reasoning
from factgraph.graph.terms import FG, Iris

IRIS = Iris("http://127.0.0.1:5000/")


def test_vocabulary_closure_has_the_transitive_part_of():
    closure = reasoning._compute_vocabulary_closure(IRIS)
    # Baghouz is in Deir ez-Zor which is in Syria: the closure says Baghouz is in Syria
    assert (IRIS.place("baghouz"), FG.partOfPlace, IRIS.place("syria")) in closure


def test_closure_cache_is_written_read_back_and_survives_corruption(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = reasoning.vocabulary_closure(IRIS)
    files = list((tmp_path / "factgraph").glob("vocabulary-closure-*.nt"))
    assert len(files) == 1
    again = reasoning.vocabulary_closure(IRIS)
    assert isomorphic(first, again)
    files[0].write_text("this is not N-Triples", encoding="utf-8")
    assert isomorphic(first, reasoning.vocabulary_closure(IRIS))


def test_the_cache_is_per_base(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    reasoning.vocabulary_closure(IRIS)
    other = reasoning.vocabulary_closure(Iris("https://example.org/fc/"))
    assert (Iris("https://example.org/fc/").place("baghouz"), FG.partOfPlace,
            Iris("https://example.org/fc/").place("syria")) in other
    assert len(list((tmp_path / "factgraph").glob("*.nt"))) == 2
