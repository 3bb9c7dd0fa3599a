"""Reading an article file: header line ``' date YYYY-MM[-DD] '`` then the text.

The header date and a figure right after it are separate: in ``' date 2019-05 24.502
raids'`` the body starts at ``24.502``. When the date line holds the date alone, header
lines may follow it, one per field, before the text::

     date 2019-05-24
    url: https://www.example.org/2019/05/24/coalition-civils
    title: La coalition reconnaît 1.300 civils tués
    outlet: Example News

``url`` (http or https) gives the article its identity (``identity.py``); without it
the identity comes from the text. Bad input raises ``ArticleError`` with a one-line
message naming the file and what is wrong; a file larger than
``FACTGRAPH_MAX_ARTICLE_BYTES`` (default 1 MB) is refused before it is read.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from .identity import article_id, normalised_url
from .model import Article
from .terms import is_iri

HEADER_RE = re.compile(r"^\ufeff?\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)(?=\s|$)\s*")  # a UTF-8 BOM is allowed
# characters no article text holds: NUL and the other C0 controls but tab, line feed and carriage return
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# a header field right after a date line that holds the date alone
FIELD_RE = re.compile(r"[ \t]*(url|title|outlet)[ \t]*:[ \t]*([^\n]*?)[ \t]*\r?(?:\n|$)", re.I)
SPACE_RE = re.compile(r"\s*")
ENGLISH_HINTS = re.compile(r"\b(?:the|and|of|said|says|killed|civilians|strikes|have|has|was|were)\b", re.I)
FRENCH_HINTS = re.compile(r"\b(?:le|la|les|des|et|du|une|selon|civils|frappes|ont|été)\b", re.I)


class ArticleError(Exception):
    """An article cannot be read; the message names the file and the problem."""


def guess_language(text: str) -> str:
    return "en" if len(ENGLISH_HINTS.findall(text)) > len(FRENCH_HINTS.findall(text)) else "fr"


SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[«\"“A-ZÀ-Ý0-9])")
HEADLINE_CHARS = 160


def headline(body: str) -> str | None:
    """The article's headline when its header gives none: its first line when short, else
    that line's first sentence, cut on a word at ``HEADLINE_CHARS`` with an ellipsis."""
    lines = body.strip().splitlines()
    if not lines:
        return None
    first = " ".join(lines[0].split())
    if len(first) <= HEADLINE_CHARS:
        return first or None
    sentence = SENTENCE_END_RE.split(first, maxsplit=1)[0]
    if len(sentence) <= HEADLINE_CHARS:
        return sentence
    return sentence[: HEADLINE_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def body_start(text: str) -> int:
    """Where the text proper starts, after the date header and its field lines (0 when the
    text has no header): what a page shows of a stored article."""
    try:
        return parse_article(text, "article").body_start
    except ArticleError:
        return 0


def parse_article(text: str, file_name: str, **meta: str | None) -> Article:
    m = HEADER_RE.match(text)
    if not m:
        raise ArticleError(f"{file_name}: no date header (the first line must start with ' date YYYY-MM[-DD] ')")
    date = m.group(1)
    try:
        dt.date(int(date[:4]), int(date[5:7]), int(date[8:10]) if len(date) == 10 else 1)
    except ValueError:
        raise ArticleError(f"{file_name}: invalid date {date!r} in the header (no such day)") from None
    bad = CONTROL_RE.search(text)
    if bad:
        raise ArticleError(f"{file_name}: control character U+{ord(bad.group()):04X} at offset {bad.start()} "
                           "(not article text)")
    fields, body_start = _fields(text, m, file_name)
    url = _url(file_name, fields.get("url"), meta.get("url"))
    body = text[body_start:]
    if not body.strip():
        raise ArticleError(f"{file_name}: empty text after the date header")
    date = _precise_date(date, body)
    title = meta.get("title") or fields.get("title") or headline(body)
    return Article(
        id=article_id(file_name, url, body),
        file_name=Path(file_name).name,
        date=date,
        text=text,
        body_start=body_start,
        language=meta.get("language") or guess_language(body),
        title=title,
        outlet=meta.get("outlet") or fields.get("outlet"),
        url=url,
    )


def _fields(text: str, date: re.Match, file_name: str) -> tuple[dict[str, str], int]:
    """The header fields after a date line that holds the date alone, and where the
    text starts."""
    line_end = text.find("\n", date.end(1))
    if line_end < 0 or text[date.end(1):line_end].strip():
        return {}, date.end()
    fields: dict[str, str] = {}
    pos = line_end + 1
    while f := FIELD_RE.match(text, pos):
        key, value = f.group(1).lower(), f.group(2)
        if key in fields:
            raise ArticleError(f"{file_name}: header field {key!r} given twice")
        if not value:
            raise ArticleError(f"{file_name}: header field {key!r} is empty")
        fields[key] = value
        pos = f.end()
    if not fields:
        return {}, date.end()
    return fields, SPACE_RE.match(text, pos).end()  # type: ignore[union-attr]


def _url(file_name: str, written: str | None, given: str | None) -> str | None:
    if written and given and normalised_url(written) != normalised_url(given):
        raise ArticleError(f"{file_name}: the url header ({written}) and the url given ({given}) differ")
    url = given or written
    if url is not None and not (re.match(r"https?://[^/\s]+", url) and is_iri(url)):
        raise ArticleError(f"{file_name}: url {url!r} is not an http(s) address")
    return url


STAMP_RE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-]((?:19|20)\d\d)\b")


def _precise_date(date: str, body: str) -> str:
    """A month-dated header made precise by a date stamp at the top of the text
    ("publié le 19/10/2018", "AFP 14-06-2017") in the same month."""
    if len(date) != 7:
        return date
    m = STAMP_RE.search(body[:160])
    if m and f"{m.group(3)}-{int(m.group(2)):02d}" == date:
        return f"{date}-{int(m.group(1)):02d}"
    return date


MAX_ARTICLE_BYTES = 1_000_000  # 1 MB: a long news article is under 100 kB


def max_article_bytes() -> int:
    """The size limit of an article file: ``FACTGRAPH_MAX_ARTICLE_BYTES``, default 1 MB."""
    raw = os.environ.get("FACTGRAPH_MAX_ARTICLE_BYTES")
    if not raw:
        return MAX_ARTICLE_BYTES
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ArticleError(f"FACTGRAPH_MAX_ARTICLE_BYTES={raw!r}: not a positive number of bytes")
    return value


def read_article(path: str | Path, url: str | None = None) -> Article:
    """The article in the file ``path``; ``url`` (``ingest --url``) gives its address
    when the file has no ``url:`` header line."""
    p = Path(path)
    if not p.exists():
        raise ArticleError(f"{p}: no such file")
    if not p.is_file():
        raise ArticleError(f"{p}: not a file")
    limit = max_article_bytes()
    try:
        with p.open("rb") as f:
            data = f.read(limit + 1)  # never more than the limit, whatever the file
    except OSError as exc:
        raise ArticleError(f"{p}: cannot read ({exc.strerror})") from None
    if len(data) > limit:
        raise ArticleError(f"{p}: larger than the article size limit of {limit} bytes (FACTGRAPH_MAX_ARTICLE_BYTES)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    return parse_article(text, p.name, url=url)
