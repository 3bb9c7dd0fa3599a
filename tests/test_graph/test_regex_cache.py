"""graph/regex_cache.py: factgraph's expressions compiled from the code kept on disk are
the patterns ``re`` makes, only factgraph's are kept, and a bad file costs nothing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from factgraph.graph import disk_cache, regex_cache

pytestmark = pytest.mark.skipif(regex_cache._compiler is None, reason="re's internals differ on this Python")

# a fresh process: imports extraction (its expressions), compiles one of its own, and
# says what the cache gave and what it added
CHILD = textwrap.dedent("""
    import json, re, sys
    from factgraph.graph import regex_cache, extraction, screening
    state = regex_cache._state
    re.compile("outside factgraph [0-9]+")
    print(json.dumps({"held": len(state["compiled"]), "added": len(state["new"]["compiled"]),
                      "used": len(state["used"]), "needles_added": len(state["new"]["needles"]),
                      "outside": any(k[0] == "outside factgraph [0-9]+" for k in state["new"]["compiled"])}))
""")


def _child(cache_home) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_second_process_compiles_factgraph_s_expressions_from_the_kept_code(tmp_path):
    first = _child(tmp_path)
    assert first["held"] == 0 and first["added"] > 100 and first["needles_added"] > 10
    assert not first["outside"]  # an expression of another module is not kept
    second = _child(tmp_path)
    assert second["held"] >= first["added"] and second["added"] == 0 and second["needles_added"] == 0
    assert second["used"] >= first["added"]


def test_kept_code_makes_the_pattern_re_makes(tmp_path, monkeypatch):
    _child(tmp_path)  # fills the file
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    held = regex_cache._read()
    assert len(held["compiled"]) > 100
    for (pattern, flags), args in held["compiled"].items():
        ours = regex_cache._sre.compile(pattern, *args)
        theirs = regex_cache._ORIGINAL(pattern, flags)
        assert (ours.pattern, ours.flags, ours.groups, ours.groupindex) == (
            theirs.pattern, theirs.flags, theirs.groups, theirs.groupindex)
        parsed = regex_cache._parser.parse(pattern, flags)
        assert args[1] == [int(c) for c in regex_cache._compiler._code(parsed, flags)], pattern
    for (pattern, flags), found in held["needles"].items():
        from factgraph.graph import screening

        assert found == screening._needles(re.compile(pattern, flags))


def test_an_unreadable_file_is_ignored_and_written_again(tmp_path):
    path = tmp_path / "factgraph" / f"regex-code-{disk_cache.digest(regex_cache._KEY)}.pickle"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    assert _child(tmp_path)["held"] == 0
    assert _child(tmp_path)["held"] > 100


def test_the_hook_leaves_other_expressions_to_re():
    assert re._compiler.compile is regex_cache._compile  # installed by factgraph.graph
    p = re.compile(b"bytes [0-9]+")  # bytes: re's own compiler
    assert p.fullmatch(b"bytes 12")
    q = regex_cache._compile("(?P<n>[0-9]+) x", 0)
    assert q.fullmatch("12 x").group("n") == "12"


def test_a_bad_expression_gets_re_s_own_error():
    with pytest.raises(re.error, match="missing \\)"):
        regex_cache._compile("(unclosed", 0)
