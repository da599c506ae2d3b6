"""Benchmarks, repository only: ``python -m bench NAME`` (or ``scribe bench NAME``)."""
