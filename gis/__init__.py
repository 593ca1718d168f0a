"""Spatial domain of borderwatch: models, routing, measurement, reference data queries.

Plain Python on SQLAlchemy/GeoAlchemy2; it never imports Flask, folium or the other packages.
"""
