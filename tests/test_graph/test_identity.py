"""Article identity: from the URL when known, else from the text, never from the file
name alone; and what a new article replaces in the store."""

from __future__ import annotations

import re

import pytest

from factgraph.graph.article import parse_article
from factgraph.graph.identity import article_id, key_of, plan
from factgraph.graph.pipeline import builtin_corpus, ingest
from factgraph.graph.store import EmbeddedStore
from factgraph.graph.terms import Iris

IRIS = Iris("http://127.0.0.1:5000/")
TEXT = " date 2019-05\n\nL'OSDH a recensé 310 civils tués dans les frappes de la coalition.\n"
OTHER = " date 2019-05\n\nL'OSDH a recensé 520 civils tués dans les frappes de la coalition.\n"


def _id(name: str, text: str = TEXT, url: str | None = None) -> str:
    return parse_article(text, name, url=url).id


def test_the_seed_keeps_its_readable_prefix():
    assert re.fullmatch(r"000_3251fe7ca3d44669-[0-9a-f]{12}", parse_article(
        builtin_corpus()[0].read_text(encoding="utf-8"), "000_3251fe7ca3d44669.txt").id)


@pytest.mark.parametrize("name", ["سوريا.txt", "叙利亚.txt", "——.txt"])
def test_a_name_without_ascii_letters_gets_the_hash_alone(name):
    assert re.fullmatch(r"[0-9a-f]{12}", _id(name))


def test_names_without_ascii_letters_no_longer_share_one_id():
    assert _id("سوريا.txt") != _id("叙利亚.txt", OTHER)


def test_names_that_slug_alike_are_one_article_only_with_the_same_text():
    assert _id("a b.txt") == _id("a-b.txt")
    assert _id("a b.txt") != _id("a-b.txt", OTHER)


def test_the_text_is_normalised_before_hashing():
    assert _id("a.txt") == _id("a.txt", TEXT.replace(" ", "  ").replace("\n\n", "\n") + "\n\n")
    assert _id("a.txt", "\ufeff" + TEXT) == _id("a.txt")


def test_a_url_makes_the_identity_whatever_the_text():
    assert _id("a.txt", TEXT, "https://Example.org/a#top") == _id("a.txt", OTHER, "https://example.org/a")
    with_header = TEXT.replace("\n\n", "\nurl: https://example.org/a\n\n", 1)
    assert _id("a.txt", with_header) == _id("a.txt", OTHER, "https://example.org/a")
    assert _id("a.txt", TEXT, "https://example.org/b") != _id("a.txt", TEXT, "https://example.org/a")


def test_the_key_of_a_minted_id_and_of_a_former_one():
    assert key_of(article_id("a b.txt", None, "x")) == article_id("سوريا.txt", None, "x")
    assert key_of("000_3251fe7ca3d44669") is None


def test_plan_replaces_the_same_text_under_another_name_and_the_former_file_name_id():
    new = article_id("b.txt", None, "x")
    stored = {article_id("a.txt", None, "x"): "a.txt", "b": "b.txt", article_id("b.txt", None, "y"): "b.txt"}
    p = plan(new, "b.txt", stored)
    assert set(p.replaces) == {article_id("a.txt", None, "x"), "b"}
    assert p.same_named == (article_id("b.txt", None, "y"),)


def _articles(store) -> dict[str, str]:
    rows = store.query("SELECT ?a ?f WHERE { ?a a schema:NewsArticle ; fg:fileName ?f }")
    return {str(r[0]).rsplit("/", 1)[-1]: str(r[1]) for r in rows}  # type: ignore[index]


def _graphs(store) -> set[str]:
    return {str(g).rsplit("/", 3)[-2] + "/" + str(g).rsplit("/", 1)[-1] for g in store.graph_names()
            if "/graph/article/" in str(g) or "/graph/inferred/" in str(g)}


def test_same_name_different_text_keeps_both_and_says_so(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "two" / "a.txt").write_text(OTHER, encoding="utf-8")
    with EmbeddedStore(None) as store:
        ingest(store, [tmp_path / "one" / "a.txt"], IRIS)
        done = ingest(store, [tmp_path / "two" / "a.txt"], IRIS)
        assert len(_articles(store)) == 2
        (p,) = done.plans
        assert p.replaces == () and p.same_named == (_id("a.txt"),)


def test_same_text_under_another_name_replaces_it_graphs_and_all(tmp_path):
    (tmp_path / "a b.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "c.txt").write_text(TEXT, encoding="utf-8")
    with EmbeddedStore(None) as store:
        ingest(store, [tmp_path / "a b.txt"], IRIS)
        done = ingest(store, [tmp_path / "c.txt"], IRIS)
        assert _articles(store) == {_id("c.txt"): "c.txt"}
        assert _graphs(store) == {f"article/{_id('c.txt')}", f"inferred/{_id('c.txt')}"}
        assert done.plans[0].replaces == (_id("a b.txt"),)
        again = ingest(store, [tmp_path / "c.txt"], IRIS)
        assert again.plans[0].replaces == (_id("c.txt"),)


def test_an_article_stored_under_its_former_file_name_id_is_replaced(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    with EmbeddedStore(None) as store:
        ingest(store, [p], IRIS)
        new = _id("a.txt")
        # what the store held before ids came from the text: the same graphs named "a"
        for kind in ("article", "inferred"):
            g = store.graph(IRIS._iri(f"graph/{kind}/{new}"))
            text = g.serialize(format="nt").replace(f"/{new}", "/a")
            store.update(f"INSERT DATA {{ GRAPH <{IRIS._iri(f'graph/{kind}/a')}> {{ {text} }} }}")
            store.drop_graph(IRIS._iri(f"graph/{kind}/{new}"))
        assert _articles(store) == {"a": "a.txt"}
        done = ingest(store, [p], IRIS)
        assert done.plans[0].replaces == ("a",)
        assert _articles(store) == {new: "a.txt"} and _graphs(store) == {f"article/{new}", f"inferred/{new}"}


def test_same_text_under_another_name_replaces_it_on_every_backend(store, tmp_path):
    (tmp_path / "a b.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "c.txt").write_text(TEXT, encoding="utf-8")
    ingest(store, [tmp_path / "a b.txt"], IRIS)
    done = ingest(store, [tmp_path / "c.txt"], IRIS)
    assert done.plans[0].replaces == (_id("a b.txt"),)
    assert _articles(store) == {_id("c.txt"): "c.txt"}
    assert _graphs(store) == {f"article/{_id('c.txt')}", f"inferred/{_id('c.txt')}"}
