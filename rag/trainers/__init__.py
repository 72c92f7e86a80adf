"""What trainers use to prepare follow-up sessions, apart from the question-answering pipeline:
the villages and practices across the essays (dossier.py) and session briefs (brief.py)."""
