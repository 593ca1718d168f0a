"""Citizens report through LINE: the chat that leads a LINE user through a report
(:mod:`gis.linechat.flow`), the conversation kept per user (:mod:`gis.linechat.conversation`),
the webhook events handled once (:mod:`gis.linechat.events`) and the erasure of a user's LINE id
(:mod:`gis.linechat.erasure`).

A report made in the chat goes through the public report's path
(:func:`gis.incidents.public.create_public_report`: routed, status ``new``, in the coordinators'
queue, a receipt code) with channel ``line``; its contact is the sender's LINE user id, read
only where reporters' contacts are read.
"""
