"""Code revisions side by side: an importable copy of a git revision of this repository,
for the benches that compare revisions in one run (``ingest_scale.py``, ``sparql.py``)."""

from __future__ import annotations

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
        return None
    data = subprocess.run(["git", "-C", str(REPO), "archive", rev], check=True, capture_output=True).stdout
    src, pkg = into / "src", into / "pkg"
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(src, filter="data")
    shutil.copytree(src / "factgraph", pkg / "factgraph")
    for name in PACKAGES:  # graph/ is factgraph.graph...
        (pkg / "factgraph" / name).symlink_to(src / name)
    return pkg
