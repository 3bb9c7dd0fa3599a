from factgraph.cli import console

console()
