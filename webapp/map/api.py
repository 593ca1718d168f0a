"""JSON layer API."""
