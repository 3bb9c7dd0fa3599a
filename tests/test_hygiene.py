"""Project hygiene: ``ruff check .`` and ``mypy graph factgraph server`` pass, so the
README's test command enforces them in CI. Both read their settings from pyproject.toml
(the one home for tool settings) and run from the repository root, as a developer would."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(tool: str, *args: str) -> None:
    if importlib.util.find_spec(tool) is None:
        pytest.skip(f"{tool} is not installed in this environment (pip install -e '.[test]' brings it)")
    proc = subprocess.run(
        [sys.executable, "-m", tool, *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, (
        f"`{tool} {' '.join(args)}` exited with {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    )


def test_ruff_check_passes() -> None:
    _run("ruff", "check", ".")


def test_mypy_passes() -> None:
    _run("mypy", "graph", "factgraph", "server")
