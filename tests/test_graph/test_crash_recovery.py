"""Crash recovery, the short version of ``bench/crash.py``: ``factgraph ingest`` killed
(SIGKILL) three times during its write phase on one store; after each kill every
article is whole (asserted and inferred graphs, as a clean ingest writes them) or
absent, the conflicts current or flagged stale; and a re-run reaches the same quads as
a clean ingest. The bench runs in its own process and prints its counts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "crash.py"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_three_kills_during_ingest_leave_whole_articles_and_a_rerun_reaches_the_clean_store():
    proc = subprocess.run([sys.executable, str(BENCH), "--kills", "3", "--articles", "2", "--seed", "3"],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "crash bench: all checks passed" in proc.stdout
    assert "re-run equals a clean ingest (N-Quads sets): yes" in proc.stdout
    assert "FAILED" not in proc.stderr
