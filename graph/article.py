"""Reading an article file: header line ``' date YYYY-MM[-DD] '`` then the text.

The header date and a figure right after it are separate: in ``' date 2019-05 24.502
raids'`` the body starts at ``24.502``. Bad input raises ``ArticleError`` with a
one-line message naming the file and what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .model import Article
from .terms import slug

HEADER_RE = re.compile(r"^\ufeff?\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)(?=\s|$)\s*")  # a UTF-8 BOM is allowed
# characters no article text holds: NUL and the other C0 controls but tab, line feed and carriage return
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ENGLISH_HINTS = re.compile(r"\b(?:the|and|of|said|says|killed|civilians|strikes|have|has|was|were)\b", re.I)
FRENCH_HINTS = re.compile(r"\b(?:le|la|les|des|et|du|une|selon|civils|frappes|ont|été)\b", re.I)


class ArticleError(Exception):
    """An article cannot be read; the message names the file and the problem."""


def guess_language(text: str) -> str:
    return "en" if len(ENGLISH_HINTS.findall(text)) > len(FRENCH_HINTS.findall(text)) else "fr"


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
    body = text[m.end():]
    if not body.strip():
        raise ArticleError(f"{file_name}: empty text after the date header")
    date = _precise_date(date, body)
    first_line = body.strip().splitlines()[0]
    title = meta.get("title") or (first_line if len(first_line) <= 200 else None)
    return Article(
        id=slug(Path(file_name).stem),
        file_name=Path(file_name).name,
        date=date,
        text=text,
        body_start=m.end(),
        language=meta.get("language") or guess_language(body),
        title=title,
        outlet=meta.get("outlet"),
        url=meta.get("url"),
    )


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


def read_article(path: str | Path) -> Article:
    p = Path(path)
    if not p.exists():
        raise ArticleError(f"{p}: no such file")
    if not p.is_file():
        raise ArticleError(f"{p}: not a file")
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ArticleError(f"{p}: cannot read ({exc.strerror})") from None
    return parse_article(text, p.name)
