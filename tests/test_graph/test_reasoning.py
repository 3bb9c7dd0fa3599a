"""OWL-RL reasoning: the vocabulary closure, its cache, and per-article inference."""

import ast
from pathlib import Path

from rdflib.compare import isomorphic

from factgraph.graph import vocabulary
from factgraph.graph.terms import FG, Iris

IRIS = Iris("http://127.0.0.1:5000/")


def test_vocabulary_closure_has_the_transitive_part_of():
    closure = vocabulary._compute_vocabulary_closure(IRIS)
    # Baghouz is in Deir ez-Zor which is in Syria: the closure says Baghouz is in Syria
    assert (IRIS.place("baghouz"), FG.partOfPlace, IRIS.place("syria")) in closure


def test_closure_cache_is_written_read_back_and_survives_corruption(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = vocabulary.vocabulary_closure(IRIS)
    files = list((tmp_path / "factgraph").glob("vocabulary-closure-*.nt"))
    assert len(files) == 1
    again = vocabulary.vocabulary_closure(IRIS)
    assert isomorphic(first, again)
    files[0].write_text("this is not N-Triples", encoding="utf-8")
    assert isomorphic(first, vocabulary.vocabulary_closure(IRIS))


def test_the_cache_is_per_base(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    vocabulary.vocabulary_closure(IRIS)
    other = vocabulary.vocabulary_closure(Iris("https://example.org/fc/"))
    assert (Iris("https://example.org/fc/").place("baghouz"), FG.partOfPlace,
            Iris("https://example.org/fc/").place("syria")) in other
    assert len(list((tmp_path / "factgraph").glob("*.nt"))) == 2


def _graph_imports() -> dict[str, set[str]]:
    """Each module of graph/ and the graph/ modules it imports, lazily or not."""
    folder = Path(vocabulary.__file__).parent
    names = {p.stem for p in folder.glob("*.py")}
    out: dict[str, set[str]] = {}
    for p in folder.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(a.name for a in node.names)
        out[p.stem] = deps & names
    return out


def test_reasoning_and_vocabulary_are_in_no_import_cycle():
    # vocabulary.ensure_loaded used to import reasoning lazily while reasoning imported vocabulary
    imports = _graph_imports()
    for module in ("vocabulary", "reasoning"):
        seen: set[str] = set()
        todo = [module]
        while todo:
            for d in imports[todo.pop()] - seen:
                seen.add(d)
                todo.append(d)
        assert module not in seen, f"{module} imports itself through {sorted(seen)}"
