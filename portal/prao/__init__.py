"""Assignments and the quality-assured prao process that follows each one. Imports no Flask,
so the pure rules (checklist, days, worktime) load without it; the blueprint is in
blueprint.py."""
