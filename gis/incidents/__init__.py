"""Incident reports: storing them routed and measured, the public channel, triage and its queue,
edits, photos and the map layer.
"""
