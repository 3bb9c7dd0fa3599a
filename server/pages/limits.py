"""The pages' limits, read on each request (``limits.PAGE_ROWS``: a test may lower them).
The LIMIT of agent_claims.rq, place_claims.rq, kind_claims.rq and conflicts_page.rq is
PAGE_ROWS + 1."""

PAGE_ROWS = 100  # rows of a paged list
CHART_POINTS = 400  # beyond this many (date, figure) points the chart draws one point per date
