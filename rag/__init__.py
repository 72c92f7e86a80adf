"""Question answering with cited passages over the 千万工程 training essays.

The package is split by pipeline stage (see DESIGN.md): corpus → chunk → text/embed →
index → retrieve → answer, with `Assistant` as the one entry point for the CLI, the UI
and the evaluator. Importing the package is cheap: heavy libraries load on first use.
"""

__version__ = "0.1.0"
