"""Use cases: the only API the Telegram bot, the mail gateway and the CLI call.

Each use case opens one unit of work, loads, calls the domain, writes the
notifications of what happened to the outbox, and commits; nothing is saved
unless it commits.
"""
