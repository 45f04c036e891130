"""Use cases that write: each reads the facts, asks ``app.policy``, and writes through the session.

``app.binding`` runs them on every save, whatever the door (form, API, job, script).
"""
