"""Reference editing (issue 22): districts correct their checkpoints, coordination centres and
natural crossings and flag stretches of the border, with review and history.

- :mod:`~gis.reference.editing.features`: the editable kinds, their attributes and states;
- :mod:`~gis.reference.editing.checks`: where a feature may lie (the imports' own checks);
- :mod:`~gis.reference.editing.changes`: propose, accept, reject, restore; scope; versions;
- :mod:`~gis.reference.editing.reading`: the editable features, the changes and the versions
  as JSON.
"""
