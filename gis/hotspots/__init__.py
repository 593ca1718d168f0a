"""Hotspot runs: the clustering engine, its parameters, the stored runs and the Gi* cells, and the
queries that read them.
"""
