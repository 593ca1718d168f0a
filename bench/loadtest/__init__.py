"""Helpers of ``bench/ingest.py``: the bare WSGI endpoint and the HTTP load generator.

They live in a package below ``bench/`` so that ``make bench`` (every ``bench/*.py``) does not
run them as benchmarks of their own.
"""
