"""The conflict detector compiled with mypyc (graph/compiled.py): the guard that runs the
source when the compiled modules are missing or out of date, and the same verdicts from
both forms."""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from factgraph.graph import compiled, conflicts

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _built_folder(tmp_path: Path) -> Path:
    """A folder as setup.py leaves it: the modules, their (here fake) extensions, the record."""
    for name in compiled.COMPILED:
        (tmp_path / f"{name}.py").write_text(f"NAME = {name!r}\n")
        (tmp_path / f"{name}{SUFFIX}").write_bytes(b"not a library")
    digests = {n: compiled.source_digest(str(tmp_path / f"{n}.py")) for n in compiled.COMPILED}
    (tmp_path / compiled.RECORD).write_text(json.dumps({"modules": digests}))
    return tmp_path


def test_the_compiled_modules_run_only_while_their_sources_are_those_compiled(tmp_path, monkeypatch):
    monkeypatch.delenv("FACTGRAPH_INTERPRETED", raising=False)
    folder = _built_folder(tmp_path)
    assert compiled.why_source(str(folder)) is None
    monkeypatch.setenv("FACTGRAPH_INTERPRETED", "1")
    assert compiled.why_source(str(folder)) == "FACTGRAPH_INTERPRETED is set"
    monkeypatch.delenv("FACTGRAPH_INTERPRETED")

    edited = compiled.COMPILED[1]
    (folder / f"{edited}.py").write_text("NAME = 'edited since'\n")
    assert compiled.why_source(str(folder)) == (
        f"{edited}.py changed since it was compiled (pip install -e . compiles it again)"
    )
    folder = _built_folder(tmp_path)
    (folder / f"{compiled.COMPILED[0]}{SUFFIX}").unlink()  # no C compiler at install: not built
    assert compiled.why_source(str(folder)) == f"{compiled.COMPILED[0]} not compiled at install"
    (folder / compiled.RECORD).write_text("{not json")
    assert compiled.why_source(str(folder)) == "not compiled at install"
    (folder / compiled.RECORD).unlink()
    assert compiled.why_source(str(folder)) == "not compiled at install"


def test_a_module_run_from_source_is_loaded_from_its_py_not_its_extension(tmp_path, monkeypatch):
    package = tmp_path / "guarded_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "mod.py").write_text("WHERE = 'source'\n")
    (package / f"mod{SUFFIX}").write_bytes(b"not a library")  # stale, or broken: never loaded
    monkeypatch.syspath_prepend(str(tmp_path))
    finder = compiled._FromSource("guarded_pkg", str(package), ["mod"])
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
    try:
        assert importlib.import_module("guarded_pkg.mod").WHERE == "source"
        assert importlib.import_module("guarded_pkg.mod").__file__ == str(package / "mod.py")
    finally:
        for name in ("guarded_pkg.mod", "guarded_pkg"):
            sys.modules.pop(name, None)


def test_an_install_that_compiled_the_detector_runs_it_compiled():
    """``pip install`` compiles it (CI does); the source runs only when the install did not
    or a source changed since (then pip install -e . compiles it again)."""
    why = compiled.why_source()
    if why == "not compiled at install" or (why and "changed since" in why) or why == "FACTGRAPH_INTERPRETED is set":
        pytest.skip(f"the detector runs from source here: {why}")
    assert why is None  # setup.py recorded what it compiled: each module's extension is here
    assert conflicts.detect.__module__ == "factgraph.graph.conflict_detection"
    assert compiled.running() == "compiled"


# the verdicts of random stores (the generator of test_conflict_region), in one process and
# with a forked child, every field of each and its explanations, printed as JSON
_VERDICTS = """
import json, random, runpy, sys
from factgraph.graph import compiled, conflict_detection
from factgraph.graph.conflicts import detect
gen = runpy.run_path(sys.argv[1])
out = {"running": compiled.running(), "verdicts": []}
for seed in range(6):
    rng = random.Random(seed)
    records = [r for a in range(30) for r in gen["_claims"](rng, f"a{a}", rng.randrange(3, 12), True)]
    for parallel in (10**9, 0):
        conflict_detection.PARALLEL_FROM = parallel
        for c in detect(records, gen["PART_OF"], gen["KINDS"], gen["SETTINGS"][seed % 2]):
            out["verdicts"].append([c.kind, c.severity, c.a, c.b, c.rule, c.ratio, c.gap,
                                    c.records[0].iri, c.records[1].iri, *c.explanations])
# a verdict as its dataclass makes it (its ``__init__`` written out, native when compiled)
from dataclasses import FrozenInstanceError, replace
from factgraph.graph.conflict_records import Conflict
c = Conflict("tension", "minor", "x", "y", "r", 2.5, None, c.records, c.settings)
other = replace(c, kind="contradiction", severity="major")
try:
    c.kind = "corroboration"
    frozen = False
except FrozenInstanceError:
    frozen = True
out["made"] = [frozen, c == replace(c), c != other, hash(c) == hash(replace(c)), repr(other),
               other.records == c.records, getattr(c, "digest", None), getattr(other, "words", None)]
print(json.dumps(out))
"""


def test_the_compiled_detector_finds_what_its_source_finds():
    why = compiled.why_source()
    if why is not None:
        pytest.skip(f"the detector runs from source here: {why}")
    generator = str(Path(__file__).with_name("test_conflict_region.py"))
    runs = {}
    for form, extra in (("compiled", {}), ("source", {"FACTGRAPH_INTERPRETED": "1"})):
        env = {k: v for k, v in os.environ.items() if k != "FACTGRAPH_INTERPRETED"} | extra
        done = subprocess.run(
            [sys.executable, "-c", _VERDICTS, generator], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        runs[form] = json.loads(done.stdout)
        assert runs[form]["running"] == form
    assert len(runs["compiled"]["verdicts"]) > 500
    assert runs["compiled"]["verdicts"] == runs["source"]["verdicts"]
    made = runs["compiled"]["made"]
    assert made[:4] == [True, True, True, True] and made[5] and made[6:] == [None, None]
    assert made[4] == "Conflict(kind='contradiction', severity='major', a='x', b='y', rule='r', ratio=2.5, gap=None)"
    assert runs["compiled"]["made"] == runs["source"]["made"]
