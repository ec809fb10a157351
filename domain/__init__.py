"""Kvitt's domain: the money rules, the claim model and the approval workflow.

The pure parts of this package import only the standard library (a test asserts
it), so every rule can be read, tested and reused without a database, Telegram
or a mail server.
"""
