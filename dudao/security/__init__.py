"""Defences that are no one app's: the client's address behind proxies, login and token throttling
with lock-outs an administrator lifts, and the start-up check of the secret key (docs/security.md)."""
