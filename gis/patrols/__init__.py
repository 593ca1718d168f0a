"""Patrol plans: candidate hotspots, the routed tour, the printed sheet and the outcomes of each
stop.
"""
