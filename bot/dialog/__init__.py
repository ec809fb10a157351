"""The claim wizard: steps as data, run by a small engine that knows nothing of Telegram.

The same engine answers in Telegram (``bot/telegram_app.py``) and in a terminal
(``kvitt chat``). Each input is one ``dialog_turn``: state loaded, step run,
state saved, all in one transaction.
"""
