"""Security: passwords, tokens, the route policy table, login throttling, idempotency, headers.

Everything that decides *who* may do *what* and *where* lives here, and is applied to every
route from one place (:func:`services.app.create_app`); route modules never check roles.
"""
