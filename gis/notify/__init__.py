"""Notifications (issue 19): an outbox written in the event's transaction
(:mod:`gis.notify.outbox`), delivered by the worker (:mod:`gis.notify.delivery`) in the app,
by e-mail (:mod:`gis.notify.email`) and on LINE, as each account chose
(:mod:`gis.notify.settings`); the bell reads :mod:`gis.notify.inbox`."""
