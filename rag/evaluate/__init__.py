"""`rag eval` in three parts: the question file and the metrics (metrics.py), running the
systems over it (run.py), and the report (report.py). The CMRC 2018 check is rag/squad.py.
"""
