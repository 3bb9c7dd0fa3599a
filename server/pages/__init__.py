"""HTML pages for people: home, search, and one page per kind of resource (claim,
article, source, place, conflict, concept, ontology and its terms).

Every value comes from a stored query (``queries/pages/*.rq``) with the IRI bound, and
reaches the page through Jinja's autoescaping. Labels are shown in the reader's
language (``?lang=fr|en``, else ``Accept-Language``), falling back to the other one.

One module per kind of page (``home``, ``claims``, ``articles``, ``sources``,
``places``, ``quantities``, ``vocab``; the conflict report and the conflict page are ``..conflicts``),
on what every page shares: ``language`` (the reader's language, labels), ``rendering``
(stored queries, links, values, the page frame), ``described`` (the properties table
of a resource) and ``quotes`` (a claim's quote cut out of its article). ``routes`` holds
the blueprint with its routes, ``limits`` the page limits; the dispatch of a resource's
HTML document by its kind is ``..resources.render_resource``. This package module imports
none of them, so that importing one page module does not import every other.
"""
