"""Which of the library's modules run compiled, and the guard that keeps a compiled
module from running after its source changed.

The conflict detector's three modules (``COMPILED``: the records a pair reads, the rules
on a pair, the choice of pairs) are compiled to C with mypyc when factgraph is installed
(``setup.py``): a full recompute judges tens of millions of pairs, and compiled they run
about 1.5 times as fast, with the same verdicts (``tests/test_graph/test_compiled.py``
compares both). mypyc compiles the modules as they are, typed Python: nothing to keep in
two languages, and the source is what runs when the compiled form is missing (a machine
with no C compiler, ``FACTGRAPH_NO_COMPILE=1`` at install) or out of date.

``setup.py`` writes ``compiled.json`` beside the modules: the digest of each module's
source when it was compiled. An editable install compiles in place, so a compiled module
would shadow its source once edited; at the package's import (``graph/__init__``),
``use_source_when_stale`` loads all of ``COMPILED`` from source (all or none: the
compiled ones call each other directly and share their classes) when any compiled one is
missing or its source differs from what was compiled, and says so once; likewise with
``FACTGRAPH_INTERPRETED=1`` (to compare or debug). ``pip install -e .`` compiles again.

This module imports nothing of the package's: ``setup.py`` reads ``COMPILED`` and
``RECORD`` from it before anything is installed.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

COMPILED = ("conflict_records", "conflict_rules", "conflict_detection")
RECORD = "compiled.json"
HERE = os.path.dirname(os.path.abspath(__file__))


def source_digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _extension(folder: str, name: str) -> str | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        if os.path.exists(path := os.path.join(folder, name + suffix)):
            return path
    return None


def why_source(folder: str = HERE) -> str | None:
    """Why ``COMPILED`` run from source in ``folder``, or None when compiled and current."""
    if os.environ.get("FACTGRAPH_INTERPRETED"):
        return "FACTGRAPH_INTERPRETED is set"
    try:
        with open(os.path.join(folder, RECORD), encoding="utf-8") as f:
            built = json.load(f)["modules"]
    except (OSError, ValueError, KeyError, TypeError):
        return "not compiled at install"
    for name in COMPILED:
        if _extension(folder, name) is None or name not in built:
            return f"{name} not compiled at install"
        if source_digest(os.path.join(folder, name + ".py")) != built[name]:
            return f"{name}.py changed since it was compiled (pip install -e . compiles it again)"
    return None


class _FromSource:
    """A meta path finder that loads the named modules from their ``.py`` files."""

    def __init__(self, package: str, folder: str, names: Sequence[str]) -> None:
        self.files = {f"{package}.{n}": os.path.join(folder, n + ".py") for n in names}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        file = self.files.get(fullname)
        return importlib.util.spec_from_file_location(fullname, file) if file else None


def use_source_when_stale(package: str) -> str | None:
    """Before any of ``COMPILED`` is imported: load them from source when they must be
    (``why_source``), saying why once when they were compiled but are out of date. The
    reason, or None when the compiled modules run."""
    why = why_source()
    if why is not None:
        if not any(isinstance(f, _FromSource) for f in sys.meta_path):
            sys.meta_path.insert(0, _FromSource(package, HERE, COMPILED))  # type: ignore[arg-type]
        if "changed since" in why:
            warnings.warn(f"factgraph: running the conflict detector from source: {why}", stacklevel=2)
    return why


def running() -> str:
    """'compiled' or 'source' for the modules of ``COMPILED`` as imported now."""
    modules = [sys.modules.get(f"{__package__}.{n}") for n in COMPILED]
    files = [str(getattr(m, "__file__", "") or "") for m in modules]
    return "compiled" if all(f.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)) for f in files) else "source"
