"""A short, bounded run of ``bench/fuzz.py``: mutated articles through the whole pipeline
and mutated queries, paths and filters through the app. No traceback, no 500: every bad
input gets a one-line error or a 4xx (the full run is ``python bench/fuzz.py``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parents[1] / "bench" / "fuzz.py"


@pytest.fixture(scope="module")
def fuzz():
    spec = importlib.util.spec_from_file_location("factgraph_bench_fuzz", FUZZ)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", [11, 12])
def test_mutated_articles_never_raise_past_a_one_line_error(fuzz, seed):
    report = fuzz.fuzz_articles(12, seed, batch=6)
    assert report.cases == 12
    assert report.findings == []


@pytest.mark.parametrize("seed", [21, 22])
def test_mutated_requests_never_answer_500(fuzz, seed):
    report = fuzz.fuzz_queries(120, seed)
    assert report.cases >= 120
    assert sum(n for status, n in report.statuses.items() if 400 <= status < 500) > 0  # the fuzz reached the checks
    assert report.findings == []


def test_the_mutator_changes_its_input(fuzz):
    import random

    rng = random.Random(3)
    text = "SELECT * WHERE { ?s ?p ?o }"
    assert any(fuzz.mutate(text, rng, fuzz.QUERY_TOKENS) != text for _ in range(5))

