"""The security headers every response carries, pages, data, errors alike.

- ``Content-Security-Policy``: no inline script or style, nothing from another origin
  (the chart is inline SVG with presentation attributes), no framing; sent on every
  response, not only HTML, so a document opened directly (an error page, an SVG, a
  JSON body a browser renders) is held to the same policy;
- ``X-Content-Type-Options: nosniff``: a browser takes the media type as given;
- ``Referrer-Policy: same-origin``: a link out does not leak the page (search terms).

Flask's responses get them in an ``after_request`` hook (which also runs for 404, 405,
413 and the 503 of ``errors.py``); waitress' own error responses (400, 413, 414, 431 for
a malformed or oversized request, before the app sees it) through ``serving.py``.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_headers(resp: Response) -> Response:
    """The ``after_request`` hook: every header of ``HEADERS`` the response lacks."""
    for name, value in HEADERS.items():
        resp.headers.setdefault(name, value)
    return resp
