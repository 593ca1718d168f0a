"""Reference data: districts and their routing, the reference layers, distances, natural crossings,
the watch corridor and the administrators' changes.
"""
