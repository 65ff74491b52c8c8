"""Benchmarks of the engine and the dashboard; run with ``python -m bench``."""
