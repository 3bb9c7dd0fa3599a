"""What ``re`` computes for factgraph's regular expressions, kept on disk as Python keeps
bytecode.

Extraction's modules compile about 330 expressions when they are imported, and the screen
(``screening``) parses the screened ones again for their needles: 0.1-0.15 s of CPU at
every command's start, spent in ``re``'s parser and code generator (Python code), and paid
again by each ``factgraph ingest`` however few its articles (docs/performance.md). What they
compute depends only on the expression, its flags and the Python running them, so it is
kept in ``disk_cache`` (keyed by Python's version and ``_sre.MAGIC``) and handed to
``_sre.compile`` exactly as ``re._compiler.compile`` hands what it computes: the pattern is
the object ``re.compile`` makes (tested: the same code, groups and names).

Only expressions compiled by factgraph's modules (a caller in a ``factgraph.`` module) are
kept, so a caller's own expressions never fill the file; everything else goes to ``re``
untouched. Where ``re``'s internals cannot be found (another Python), nothing is installed;
where they answer otherwise than expected, ``re`` compiles as it would. New entries are written at exit by the process that read the file (forked
workers do not write), merged with what the file held, at most ``MAX_ENTRIES``.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
from types import FrameType
from typing import Any

from . import disk_cache

MAX_ENTRIES = 4000  # a few versions' worth of the ~400 expressions factgraph compiles
_SKIP_FLAGS = 128 | 1  # re.DEBUG (prints the code) and re.TEMPLATE (deprecated)

try:  # re's internals (CPython 3.11+): its parser, code generator and the C constructor
    _compiler: Any = importlib.import_module("re._compiler")
    _parser: Any = importlib.import_module("re._parser")
    import _sre

    _KEY = [f"sre {_sre.MAGIC}", "regex-cache 1"]
    _ORIGINAL = _compiler.compile
except (ImportError, AttributeError):  # another Python: nothing is kept
    _compiler = _parser = None
    _KEY = []

_lock = threading.Lock()
_state: dict[str, Any] = {}  # "compiled", "needles": what the file held; "new": what to add; "pid"


def install() -> None:
    """Read the kept expressions and put ``re``'s compiler behind them (once a process)."""
    with _lock:
        if _state or _compiler is None:
            return
        held = _read()
        _state.update(compiled=held.get("compiled", {}), needles=held.get("needles", {}),
                      new={"compiled": {}, "needles": {}}, used=set(), pid=os.getpid())
        _compiler.compile = _compile
        atexit.register(_write)


def _read() -> dict:
    held = disk_cache.read("regex-code", _KEY)
    if not isinstance(held, dict) or not all(isinstance(held.get(k), dict) for k in ("compiled", "needles")):
        return {}
    return held


def _ours() -> bool:
    """Whether the expression being compiled comes from one of factgraph's modules (the
    first caller outside ``re`` and this module)."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not (name == "re" or name.startswith("re.") or name == __name__):
            return name.startswith("factgraph.")
        frame = frame.f_back
    return False


def _compile(p: Any, flags: int = 0) -> Any:
    """``re._compiler.compile``, from the kept code when there is some."""
    if type(p) is not str or flags & _SKIP_FLAGS:
        return _ORIGINAL(p, flags)
    key = (p, int(flags))
    kept = _state["compiled"].get(key) or _state["new"]["compiled"].get(key)
    if kept is not None:
        _state["used"].add(("compiled", key))
        return _sre.compile(p, *kept)
    try:  # what re._compiler.compile computes (Python 3.11's), as plain values
        parsed = _parser.parse(p, flags)
        code = [int(c) for c in _compiler._code(parsed, flags)]  # re's named constants are ints
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for k, i in groupindex.items():
            indexgroup[i] = k
        args = (int(flags) | parsed.state.flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup))
        compiled = _sre.compile(p, *args)
    except Exception:  # noqa: BLE001 - a bad expression (re raises its own error) or other internals
        return _ORIGINAL(p, flags)
    new = _state["new"]["compiled"]
    if len(new) < MAX_ENTRIES and _ours():  # bounded: a long-lived process compiling names it reads
        new[key] = args
    return compiled


def needles(pattern: Any, compute: Any) -> Any:
    """``compute()``, the screen's needles of ``pattern``, kept like its code."""
    if not _state or type(pattern.pattern) is not str:
        return compute()
    key = (pattern.pattern, int(pattern.flags))
    for held in (_state["needles"], _state["new"]["needles"]):
        if key in held:
            _state["used"].add(("needles", key))
            return held[key]
    found = compute()
    if len(_state["new"]["needles"]) < MAX_ENTRIES:
        _state["new"]["needles"][key] = found
    return found


def _write() -> None:
    """At exit: the file merged with what this process added (not in a forked worker)."""
    if not _state or os.getpid() != _state["pid"] or not any(_state["new"].values()):
        return
    merged = {kind: {**_state[kind], **_state["new"][kind]} for kind in ("compiled", "needles")}
    if sum(map(len, merged.values())) > MAX_ENTRIES:  # only what this process used
        merged = {kind: {k: v for k, v in entries.items() if k in _state["new"][kind] or (kind, k) in _state["used"]}
                  for kind, entries in merged.items()}
    disk_cache.write("regex-code", _KEY, merged)
