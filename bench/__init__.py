"""Benchmarks: a synthetic province at real scale and the projection benchmark over it.

Not run by CI: ``make bench`` (``python -m bench.projections``) prints the figures.
"""
