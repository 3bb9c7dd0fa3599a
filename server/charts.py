"""A figures-over-time chart as inline SVG, rendered on the server (no script, no CDN).

``timeline(points)`` lays out one point per claim on a date axis, each drawn by its
bound: a dot for an exact figure, a ring for an approximate one, a triangle with a dashed
line towards where the figure may lie for "at least" / "more than" (up) and "at most" /
"less than" (down), a bar for a range. Points are not joined: two sources' or two bounds'
figures are not one series. Each point links to its claim and names it on hover. The
template draws it with presentation attributes only (no ``style``), so the page's
Content-Security-Policy needs no 'unsafe-inline'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 40


# bound (local name of its fgb: IRI) -> how the point is drawn
MARKS = {
    "exact": "dot", "about": "ring", "at_least": "up", "more_than": "up",
    "at_most": "down", "less_than": "down", "range": "bar", "vague": "ring",
}


@dataclass(frozen=True)
class Point:
    when: str  # ISO date as stated: "2019", "2019-05", "2019-04-30"
    value: float
    href: str
    title: str
    bound: str = "exact"  # local name of the fgb: bound
    high: float | None = None  # the upper end of a range


@dataclass(frozen=True)
class PlacedPoint:
    x: float
    y: float
    point: Point
    mark: str = "dot"  # dot, ring, up, down, bar (MARKS)
    y_high: float | None = None  # a range's upper end, or how far an open bound's line goes


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    points: tuple[PlacedPoint, ...]
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    marks: frozenset[str]  # which marks appear (for the legend)
    left: int = LEFT
    bottom: int = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT
    top: int = TOP


def decimal_year(when: str) -> float | None:
    """'2019' -> 2019.0, '2019-07' -> 2019.5, '2019-04-30' -> ~2019.33; None if unreadable."""
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", when)
    if not m:
        return None
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    return year + (month - 1) / 12 + (day - 1) / 365


def format_number(value: float) -> str:
    """1302.0 -> '1 302' (thin spaces as thousands separators), 2.5 -> '2.5'."""
    if value == int(value):
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", "\u202f")


def timeline(points: list[Point]) -> Timeline | None:
    """Lay out the points; None when fewer than one dated point."""
    dated = [(decimal_year(p.when), p) for p in points]
    placed_in = sorted(((x, p) for x, p in dated if x is not None), key=lambda t: (t[0], t[1].value))
    if not placed_in:
        return None
    xs = [x for x, _ in placed_in]
    ys = [max(p.value, p.high or 0.0) for _, p in placed_in]
    x0, x1 = min(xs), max(xs)
    if x1 - x0 < 1:
        x0, x1 = x0 - 0.5, x1 + 0.5
    y1 = max(ys) * 1.1 or 1.0
    y0 = 0.0
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def sx(x: float) -> float:
        return round(LEFT + (x - x0) / (x1 - x0) * plot_w, 1)

    def sy(y: float) -> float:
        return round(TOP + plot_h - (y - y0) / (y1 - y0) * plot_h, 1)

    def place(x: float, p: Point) -> PlacedPoint:
        mark = MARKS.get(p.bound, "dot")
        if mark == "bar" and p.high is None:
            mark = "dot"
        y_high = {"bar": sy(p.high or p.value), "up": float(TOP), "down": float(TOP + plot_h)}.get(mark)
        return PlacedPoint(sx(x), sy(p.value), p, mark, y_high)

    placed = tuple(place(x, p) for x, p in placed_in)
    years = range(int(x0) + (0 if x0 == int(x0) else 1), int(x1) + 1)
    step = max(1, len(years) // 8)
    x_ticks = tuple((sx(y), str(y)) for y in list(years)[::step])
    y_ticks = tuple((sy(y1 * i / 4), format_number(round(y1 * i / 4))) for i in range(5))
    return Timeline(WIDTH, HEIGHT, placed, x_ticks, y_ticks, frozenset(p.mark for p in placed))
