"""Accounts: users, units, roles, the CCCD login name, registration and login."""
