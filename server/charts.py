"""A figures-over-time chart as inline SVG, rendered on the server (no script, no CDN).

``timeline(points)`` lays out (date, value, href, title) points on a date axis; the
template draws it. Presentation attributes only (no ``style``), so the page's
Content-Security-Policy needs no 'unsafe-inline'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 40


@dataclass(frozen=True)
class Point:
    when: str  # ISO date as stated: "2019", "2019-05", "2019-04-30"
    value: float
    href: str
    title: str


@dataclass(frozen=True)
class PlacedPoint:
    x: float
    y: float
    point: Point


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    points: tuple[PlacedPoint, ...]
    path: str  # the polyline's "points" attribute
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
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
    ys = [p.value for _, p in placed_in]
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

    placed = tuple(PlacedPoint(sx(x), sy(p.value), p) for x, p in placed_in)
    years = range(int(x0) + (0 if x0 == int(x0) else 1), int(x1) + 1)
    step = max(1, len(years) // 8)
    x_ticks = tuple((sx(y), str(y)) for y in list(years)[::step])
    y_ticks = tuple((sy(y1 * i / 4), format_number(round(y1 * i / 4))) for i in range(5))
    path = " ".join(f"{p.x},{p.y}" for p in placed)
    return Timeline(WIDTH, HEIGHT, placed, path, x_ticks, y_ticks)
