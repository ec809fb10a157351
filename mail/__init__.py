"""The email front end: outbound delivery and inbound replies (issue 5)."""
