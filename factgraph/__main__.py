import sys

from factgraph.cli import main

sys.exit(main())
