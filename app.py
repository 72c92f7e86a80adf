"""Start the web UI: `python app.py` (what `make run` does; `rag serve` does the same).

The UI itself is rag/ui.py; this file only launches it.
"""

from rag.ui import serve

if __name__ == "__main__":
    serve()
