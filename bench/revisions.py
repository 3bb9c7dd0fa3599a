"""Code revisions side by side: an importable copy of a git revision of this repository,
for the benches that compare revisions in one run (``ingest_scale.py``, ``sparql.py``).

Each revision's modules are compiled to bytecode first (``compileall``), as pip does when it
installs a package and as Python does on a user's first run: where the environment sets
``PYTHONDONTWRITEBYTECODE`` (this workplace's machines do), every command would otherwise
compile factgraph's 50-odd modules again at its start (0.07-0.1 s a command), a cost no
installed copy pays."""

from __future__ import annotations

import compileall
import shutil
import subprocess
import tarfile
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("graph", "server", "ontology", "queries", "corpus")  # the layout pyproject.toml maps


def checkout(rev: str, into: Path) -> Path | None:
    """An importable copy of revision ``rev`` under ``into`` (None: the work tree, installed
    editable). Put the returned folder on PYTHONPATH and drop the editable finder."""
    if rev == ".":
        for name in ("factgraph", *PACKAGES):
            compileall.compile_dir(str(REPO / name), quiet=1)
        return None
    data = subprocess.run(["git", "-C", str(REPO), "archive", rev], check=True, capture_output=True).stdout
    src, pkg = into / "src", into / "pkg"
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(src, filter="data")
    shutil.copytree(src / "factgraph", pkg / "factgraph")
    for name in PACKAGES:  # graph/ is factgraph.graph...
        (pkg / "factgraph" / name).symlink_to(src / name)
    for folder in (pkg / "factgraph", *(src / name for name in PACKAGES)):  # compileall skips symlinks
        compileall.compile_dir(str(folder), quiet=1)
    return pkg
