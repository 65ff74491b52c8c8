"""Verdicts on a run: too small, too large or good, with the reason, and suggested rates."""
