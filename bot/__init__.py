"""The Telegram front end: the claim wizard and its PTB adapter (issue 4)."""
