"""HTML of the map page."""
