"""The statistics dashboard: counts, response times, backlog and patrol effort, by role scope."""
