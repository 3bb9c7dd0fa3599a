"""factgraph: a fact-checking knowledge graph of attributed figures in news articles.

The code lives in the top-level folders of the repository, installed as sub-packages:
``factgraph.graph`` (graph/, the library), ``factgraph.server`` (server/, the Flask app),
``factgraph.ontology`` (ontology/, Turtle) and ``factgraph.queries`` (queries/, SPARQL).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("factgraph")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
