"""Builds factgraph (the metadata is in pyproject.toml) and compiles the conflict
detector's modules with mypyc (``graph/compiled.py`` says which, why, and how a source
changed since is still what runs).

mypyc, part of mypy, compiles the typed modules as they are: no second language to keep,
and the source runs wherever the compiled form is missing. It is asked for by
``[build-system] requires``. ``FACTGRAPH_NO_COMPILE=1`` installs without compiling; a
machine with no C compiler does the same (the extensions are optional).
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import sys

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))
GRAPH = os.path.join(HERE, "graph")
spec = runpy.run_path(os.path.join(GRAPH, "compiled.py"))


def compiled_extensions() -> list:
    """mypyc's extensions for ``COMPILED``, and their sources' digests in ``RECORD``."""
    record = os.path.join(GRAPH, spec["RECORD"])
    if os.path.exists(record):
        os.remove(record)
    if os.environ.get("FACTGRAPH_NO_COMPILE"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("factgraph: mypyc is not installed: the conflict detector runs from source", file=sys.stderr)
        return []
    # mypyc names a module by its folders: stage graph/ as factgraph/graph/, the name it is imported by
    stage = os.path.join(HERE, "build", "mypyc-src")
    shutil.rmtree(stage, ignore_errors=True)
    package = os.path.join(stage, "factgraph", "graph")
    os.makedirs(package)
    open(os.path.join(stage, "factgraph", "__init__.py"), "w").close()
    for name in os.listdir(GRAPH):
        if name.endswith(".py"):
            shutil.copyfile(os.path.join(GRAPH, name), os.path.join(package, name))
    modules = spec["COMPILED"]
    try:
        extensions = mypycify(
            [os.path.join(package, f"{name}.py") for name in modules] + ["--ignore-missing-imports"],
            opt_level="3",
            group_name="factgraph.graph.conflict_detector",
        )
    except (Exception, SystemExit) as error:  # mypyc reports type errors by exiting
        print(f"factgraph: mypyc could not compile the conflict detector ({error}): it runs from source", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # no C compiler: installed all the same, run from source
    digests = {name: spec["source_digest"](os.path.join(GRAPH, f"{name}.py")) for name in modules}
    with open(record, "w", encoding="utf-8") as f:
        json.dump({"modules": digests}, f, indent=1)
    return extensions


setup(ext_modules=compiled_extensions())
